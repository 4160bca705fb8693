import { connect } from 'node:net';

/** How a TCP connect ended: open, refused (nothing listens / rejected), timed out (filtered), unreachable (no route). */
export type TcpOutcome = 'open' | 'refused' | 'timeout' | 'unreachable' | 'error';

export interface TcpResult {
  outcome: TcpOutcome;
  /** The system error code (ECONNREFUSED, ENETUNREACH…), when there was one. */
  code?: string;
  ms: number;
}

// EACCES: a `prohibit` route; EINVAL: a `blackhole` route (Linux).
const UNREACHABLE = new Set([
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'ENETDOWN',
  'EHOSTDOWN',
  'EACCES',
  'EINVAL',
]);

/** Classifies a connect error code. */
export function classifyConnectError(code: string | undefined): TcpOutcome {
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return 'refused';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code && UNREACHABLE.has(code)) return 'unreachable';
  return 'error';
}

/** Opens (and closes) a TCP connection to address:port within timeoutMs; an abort ends it with `ABORT_ERR`. */
export function tcpConnect(address: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<TcpResult> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ outcome: 'timeout', ms: ms() });
    }, timeoutMs);
    // Cut off by the run's deadline: not a verdict on the network.
    const onAbort = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ outcome: 'error', code: 'ABORT_ERR', ms: ms() });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('close', () => signal?.removeEventListener('abort', onAbort));
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ outcome: 'open', ms: ms() });
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      const code = e.code ?? 'EIO';
      resolve({ outcome: classifyConnectError(code), code, ms: ms() });
    });
  });
}
