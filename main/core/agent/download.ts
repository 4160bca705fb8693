import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request } from 'node:https';
import { basename, join } from 'node:path';
import { DsaError, ExitCode } from '../errors.js';
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
    throw new DsaError({
      code: 'agent.download.badUrl',
      messageKey: 'agent.download.badUrl',
      params: { value: managerUrl },
      exitCode: ExitCode.badInput,
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
 * progress; TLS is verified against the system's CAs, or `ca` (PEM) when given. Returns the saved file.
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
  const fail = (detail: string): DsaError =>
    new DsaError({
      code: 'agent.download.failed',
      messageKey: 'agent.download.failed',
      params: { url: shown, detail },
      remedyKey: 'agent.download.failedRemedy',
    });
  return new Promise((resolve, reject) => {
    const req = request(
      opts.url,
      {
        method: 'GET',
        headers: { 'Agent-Version-Control': 'on', Accept: 'application/octet-stream' },
        ...(opts.ca ? { ca: opts.ca } : {}),
        timeout: opts.timeoutMs ?? 120_000,
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(fail(`HTTP ${res.statusCode ?? '?'}`));
          return;
        }
        const total = Number(res.headers['content-length']) || null;
        const file = join(opts.destDir, downloadFileName(res.headers['content-disposition'], opts.platform));
        const out = createWriteStream(file, { mode: 0o644 });
        let received = 0;
        let lastReport = 0;
        res.on('data', (c: Buffer) => {
          received += c.length;
          if (opts.onProgress && (received - lastReport >= 1 << 20 || received === total)) {
            lastReport = received;
            opts.onProgress(received, total);
          }
        });
        res.pipe(out);
        out.on('finish', () => {
          if (total !== null && received !== total) {
            void rm(file, { force: true });
            reject(fail(`incomplete: ${received} of ${total} bytes`));
          } else resolve({ file, bytes: received });
        });
        res.on('error', (e) => reject(fail(e.message)));
        out.on('error', (e) => reject(fail(e.message)));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => reject(fail(e.message)));
    req.end();
  });
}
