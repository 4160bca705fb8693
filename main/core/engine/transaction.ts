import { promises as fs } from 'node:fs';
import { atomicWrite, readIfExists, resolveLinkTarget, sha256 } from '../fsx.js';
import { DsaError } from '../errors.js';
import { redactText } from '../secrets.js';
import { decodeLogText } from '../inputs/textFile.js';
import type { ExecOptions, ExecResult } from '../exec.js';
import type { SystemContext } from '../system.js';
import type { Journal } from './journal.js';

const OUTPUT_KEEP = 16_384;
const tail = (s: string): string => (s.length > OUTPUT_KEEP ? '…' + s.slice(-OUTPUT_KEEP) : s);

export interface RunOptions extends ExecOptions {
  /** The command that undoes this one; `revert` runs it (for real, like this one, when `real`). */
  revert?: { command: string; args: string[] };
  /** Exit codes that count as success (default: 0). */
  okExitCodes?: number[];
  /** Run for real even under a sandbox root (the tool takes a root itself). */
  real?: boolean;
}

/** What a step may do to the machine during apply: every change is backed up and journaled. */
export class Transaction {
  constructor(
    private readonly sys: SystemContext,
    private readonly journal: Journal,
    private readonly step: string,
    private readonly secrets: readonly string[] = [],
  ) {}

  /** Replaces (or creates) a file atomically, keeping the original bytes as a backup. */
  async writeFile(systemPath: string, data: Buffer | string, opts: { mode?: number } = {}): Promise<void> {
    const hostPath = this.sys.path(systemPath);
    const before = await readIfExists(hostPath, { root: this.sys.root });
    const stat = before ? await fs.stat(await resolveLinkTarget(hostPath, this.sys.root)) : null;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (before && before.equals(bytes)) return;
    const backup = before ? this.journal.saveBackup(before) : null;
    if (!before) await fs.mkdir(this.sys.path(systemPath.replace(/[\\/][^\\/]*$/, '') || '/'), { recursive: true });
    const written = await atomicWrite(hostPath, bytes, {
      root: this.sys.root,
      ...(opts.mode !== undefined ? { mode: opts.mode } : {}),
    });
    this.journal.append({
      type: 'file.write',
      step: this.step,
      path: systemPath,
      // A symlink's target was written (the link kept); a refused rename was written in place.
      ...(written.path !== hostPath ? { target: written.path } : {}),
      ...(written.inPlace ? { inPlace: true } : {}),
      existed: before !== null,
      backup,
      mode: stat ? stat.mode & 0o7777 : null,
      beforeSha: before ? sha256(before) : null,
      afterSha: sha256(bytes),
    });
  }

  /** Deletes a file, keeping it as a backup. */
  async deleteFile(systemPath: string): Promise<void> {
    const hostPath = this.sys.path(systemPath);
    const before = await readIfExists(hostPath);
    if (!before) return;
    const stat = await fs.stat(hostPath);
    const backup = this.journal.saveBackup(before);
    await fs.rm(hostPath);
    this.journal.append({
      type: 'file.delete',
      step: this.step,
      path: systemPath,
      existed: true,
      backup,
      mode: stat.mode & 0o7777,
      beforeSha: sha256(before),
      afterSha: null,
    });
  }

  /**
   * Keeps the log a program wrote (msiexec's `/l*v`) in the run's journal as `logs/NAME`, secrets masked.
   * A log that was never written is noted as such, so the journal still says where it should have been.
   */
  async keepLog(systemPath: string, name: string): Promise<void> {
    const data = await readIfExists(this.sys.path(systemPath));
    const text = data ? redactText(decodeLogText(data), this.secrets) : '';
    const file = data ? this.journal.saveLog(name, text) : '';
    this.journal.append({ type: 'log.kept', step: this.step, source: systemPath, file });
  }

  /** Runs a command, journals it (secrets masked), and fails the step on an unexpected exit. */
  async run(command: string, args: string[], opts: RunOptions = {}): Promise<ExecResult> {
    const r = await (opts.real ? this.sys.exec.runReal : this.sys.exec.run)(command, args, opts);
    const mask = (s: string): string => redactText(s, this.secrets);
    this.journal.append({
      type: 'command',
      step: this.step,
      command,
      args: args.map(mask),
      exitCode: r.exitCode,
      timedOut: r.timedOut,
      stdout: mask(tail(r.stdout)),
      stderr: mask(tail(r.stderr)),
      ...(opts.revert
        ? {
            revert: {
              command: opts.revert.command,
              args: opts.revert.args.map(mask),
              ...(opts.real ? { real: true } : {}),
            },
          }
        : {}),
    });
    const ok = r.exitCode !== null && (opts.okExitCodes ?? [0]).includes(r.exitCode);
    if (!ok) {
      throw new DsaError({
        code: r.notFound ? 'exec.notFound' : r.timedOut ? 'exec.timedOut' : 'exec.failed',
        messageKey: r.notFound ? 'exec.notFound' : r.timedOut ? 'exec.timedOut' : 'exec.failed',
        params: {
          command: [command, ...args.map(mask)].join(' '),
          code: String(r.exitCode),
          output: mask(tail(r.stderr || r.stdout))
            .trim()
            .slice(-500),
        },
      });
    }
    return r;
  }
}
