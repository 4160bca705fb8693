import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { parseNtpServer } from '../../prep/timeSync.js';

/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
const NTP_EPOCH_OFFSET = 2_208_988_800;

export type SntpResult =
  | { ok: true; server: string; address: string; port: number; offsetMs: number; rttMs: number; stratum: number }
  | { ok: false; server: string; code: 'timeout' | 'resolve' | 'kiss' | 'bad-reply' | 'socket'; detail: string };

export { parseNtpServer };

function writeTimestamp(buf: Buffer, at: number, ms: number): void {
  const secs = Math.floor(ms / 1000) + NTP_EPOCH_OFFSET;
  const frac = Math.floor(((ms % 1000) / 1000) * 2 ** 32);
  buf.writeUInt32BE(secs >>> 0, at);
  buf.writeUInt32BE(frac >>> 0, at + 4);
}

function readTimestamp(buf: Buffer, at: number): number {
  const secs = buf.readUInt32BE(at) - NTP_EPOCH_OFFSET;
  const frac = buf.readUInt32BE(at + 4) / 2 ** 32;
  return secs * 1000 + frac * 1000;
}

/**
 * Asks an NTP server for the time (SNTP, RFC 4330, one UDP exchange) and returns the local clock's offset:
 * positive when the server is ahead of this machine.
 */
export async function sntpQuery(
  server: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  resolve: (host: string) => Promise<{ address: string } | { code: string }>,
): Promise<SntpResult> {
  const { host, port } = parseNtpServer(server);
  if (signal?.aborted) return { ok: false, server, code: 'timeout', detail: 'deadline' };
  let address = host;
  if (!isIP(host)) {
    const r = await resolve(host);
    if (!('address' in r)) return { ok: false, server, code: 'resolve', detail: r.code };
    address = r.address;
  }
  return new Promise((settle) => {
    const sock = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    const req = Buffer.alloc(48);
    req[0] = (0 << 6) | (4 << 3) | 3; // LI 0, version 4, mode 3 (client)
    const t1 = Date.now();
    writeTimestamp(req, 40, t1);
    const sentOrigin = req.subarray(40, 48);
    let done = false;
    const finish = (r: SntpResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.close();
      settle(r);
    };
    const onAbort = (): void => finish({ ok: false, server, code: 'timeout', detail: 'deadline' });
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => finish({ ok: false, server, code: 'timeout', detail: `${timeoutMs} ms` }),
      timeoutMs,
    );
    sock.on('error', (e: NodeJS.ErrnoException) =>
      finish({ ok: false, server, code: 'socket', detail: e.code ?? e.message }),
    );
    sock.on('message', (msg) => {
      const t4 = Date.now();
      if (msg.length < 48 || (msg[0]! & 0x07) !== 4) return;
      if (!msg.subarray(24, 32).equals(sentOrigin)) return; // not the answer to our request
      const stratum = msg[1]!;
      if (stratum === 0)
        return finish({ ok: false, server, code: 'kiss', detail: msg.subarray(12, 16).toString('latin1') });
      const t2 = readTimestamp(msg, 32);
      const t3 = readTimestamp(msg, 40);
      if (t3 === -NTP_EPOCH_OFFSET * 1000) return finish({ ok: false, server, code: 'bad-reply', detail: 'no time' });
      finish({
        ok: true,
        server,
        address,
        port,
        offsetMs: Math.round((t2 - t1 + (t3 - t4)) / 2),
        rttMs: Math.max(0, Math.round(t4 - t1 - (t3 - t2))),
        stratum,
      });
    });
    sock.send(req, port, address);
  });
}
