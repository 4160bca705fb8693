import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fail, DsaError, ExitCode } from '../errors.js';
import { msg } from '../message.js';
import type { AgentPlatform } from './platform.js';

/** The package kind the manager serves for a platform (`rpm`, `deb`, `msi`). */
export function packageKindFor(platform: string): 'rpm' | 'deb' | 'msi' {
  return platform === 'Windows' ? 'msi' : /^(Ubuntu|Debian)_/.test(platform) ? 'deb' : 'rpm';
}

/**
 * The manager's download address of the agent package for a platform:
 * `https://MANAGER/software/agent/<platform>/<arch>/agent.<rpm|deb|msi>?tenantID=…`.
 */
export function agentDownloadUrl(managerUrl: string, p: AgentPlatform, tenantId?: string): string {
  const base = new URL(managerUrl);
  if (base.protocol !== 'https:')
    throw fail('agent.download.badUrl', msg('agent.download.badUrl', { value: managerUrl }), {
      exit: ExitCode.badInput,
    });
  const u = new URL(
    `/software/agent/${encodeURIComponent(p.platform)}/${encodeURIComponent(p.arch)}/agent.${packageKindFor(p.platform)}`,
    base,
  );
  if (tenantId) u.searchParams.set('tenantID', tenantId);
  return u.toString();
}

/** The file name a download is saved under: the server's `Agent-Core-…` name, else one built from the platform. */
export function downloadFileName(contentDisposition: string | undefined, p: AgentPlatform): string {
  const m = /filename="?([^";]+)"?/i.exec(contentDisposition ?? '');
  const name = m ? basename(m[1]!) : '';
  if (/^Agent-Core-[\w.-]+\.(rpm|deb|msi)$/.test(name)) return name;
  return `Agent-Core-${p.platform}-download.${p.arch}.${packageKindFor(p.platform)}`;
}

/**
 * Downloads the agent package from the manager (header `Agent-Version-Control: on`) into `destDir`, reporting
 * progress; TLS is verified against the system's CAs, or `ca` (PEM) when given; redirects are followed. The bytes
 * go to a temp file that is renamed only when complete: a failed or cut download leaves no file behind. The
 * download is abandoned when no byte arrives for `timeoutMs`. Returns the saved file.
 */
export async function downloadAgentPackage(opts: {
  url: string;
  platform: AgentPlatform;
  destDir: string;
  ca?: string;
  timeoutMs?: number;
  onProgress?: (received: number, total: number | null) => void;
}): Promise<{ file: string; bytes: number }> {
  const shown = opts.url.replace(/([?&]tenantID=)[^&]+/i, '$1[masked]');
  const failed = (detail: string): DsaError =>
    fail('agent.download.failed', msg('agent.download.failed', { url: shown, detail }), {
      remedy: msg('agent.download.failedRemedy'),
    });
  const why = (e: unknown): string => {
    const err = e as Error & { cause?: Error & { code?: string } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
    return err.cause ? `${err.cause.code ?? ''} ${err.cause.message}`.trim() : err.message;
  };
  const idleMs = opts.timeoutMs ?? 120_000;
  const idle = new AbortController();
  let timer = setTimeout(() => idle.abort(new DOMException('timed out', 'TimeoutError')), idleMs);
  const touch = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(new DOMException('timed out', 'TimeoutError')), idleMs);
  };
  // undici is loaded only when a download runs: it costs every other command ~40 ms of start-up.
  const { Agent, fetch } = await import('undici');
  const dispatcher = opts.ca ? new Agent({ connect: { ca: opts.ca } }) : undefined;
  let tmp: string | null = null;
  try {
    const res = await fetch(opts.url, {
      headers: { 'Agent-Version-Control': 'on', Accept: 'application/octet-stream' },
      redirect: 'follow',
      signal: idle.signal,
      ...(dispatcher ? { dispatcher } : {}),
    }).catch((e: unknown) => {
      throw failed(why(e));
    });
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw failed(`HTTP ${res.status}`);
    }
    const total = Number(res.headers.get('content-length')) || null;
    const file = join(
      opts.destDir,
      downloadFileName(res.headers.get('content-disposition') ?? undefined, opts.platform),
    );
    tmp = join(opts.destDir, `.${basename(file)}.dsa-setup-${randomBytes(6).toString('hex')}.part`);
    let received = 0;
    let lastReport = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        touch();
        received += chunk.length;
        if (opts.onProgress && (received - lastReport >= 1 << 20 || received === total)) {
          lastReport = received;
          opts.onProgress(received, total);
        }
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(res.body), count, createWriteStream(tmp, { mode: 0o644, flags: 'wx' })).catch(
      (e: unknown) => {
        throw failed(why(e));
      },
    );
    if (total !== null && received !== total) throw failed(`incomplete: ${received} of ${total} bytes`);
    await rename(tmp, file);
    tmp = null;
    return { file, bytes: received };
  } finally {
    clearTimeout(timer);
    if (tmp) await rm(tmp, { force: true });
    await dispatcher?.close();
  }
}
