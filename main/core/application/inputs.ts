import { promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readInputFile, unwrapParse } from '../inputs/load.js';
import { parseManagerHosts, type HostsEntry } from '../inputs/managerHosts.js';
import { activationUrl, parseActivation, type ActivationInput } from '../inputs/activation.js';
import { maskSecret } from '../secrets.js';
import type { InputKind, InputSummary } from '../ipc/contract.js';

function summarizeHosts(file: string, entries: HostsEntry[]): InputSummary {
  return { kind: 'hosts', file, entries };
}

function summarizeActivation(file: string, a: ActivationInput): InputSummary {
  return {
    kind: 'activation',
    file,
    manager: a.manager,
    url: activationUrl(a.manager),
    target: a.target,
    hostname: a.args.find((x) => x.key === 'hostname')?.value ?? null,
    args: a.args.map((x) => ({ key: x.key, value: x.secret ? maskSecret(x.value) : x.value, secret: x.secret })),
  };
}

function installerFormat(file: string): 'rpm' | 'deb' | 'msi' | 'other' {
  const m = /\.(rpm|deb|msi)$/i.exec(file);
  return m ? (m[1]!.toLowerCase() as 'rpm' | 'deb' | 'msi') : 'other';
}

/** Parses one text input (errors name `name`, line and expectation); returns the summary, or throws. */
function parseTextInput(kind: 'hosts' | 'activation', name: string, data: Buffer): InputSummary {
  return kind === 'hosts'
    ? summarizeHosts(name, unwrapParse(name, parseManagerHosts(name, data)))
    : summarizeActivation(name, unwrapParse(name, parseActivation(name, data)));
}

/**
 * The files the admin has given so far. Every input is a file path, so the planner, the doctor and activation
 * read it exactly as the CLI's `--hosts-file` / `--activation-file` / `--installer` (a dropped file is kept in a
 * private temp directory under its own name).
 */
export class SessionInputs {
  hostsFile?: string;
  activationFile?: string;
  installer?: string;
  private dropDir?: string;

  private remember(kind: InputKind, path: string): void {
    if (kind === 'hosts') this.hostsFile = path;
    else if (kind === 'activation') this.activationFile = path;
    else this.installer = path;
  }

  /** Keeps a dropped file's bytes in a private (0700) temp directory under its own name. */
  private async keepDropped(name: string, data: Buffer): Promise<string> {
    if (!this.dropDir) {
      const dir = await fs.mkdtemp(join(tmpdir(), 'dsa-setup-inputs-'));
      this.dropDir = dir;
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    }
    const dir = await fs.mkdtemp(join(this.dropDir, 'f-'));
    // The name as the file system can hold it: no separator, NUL, "." or ".." (a name is not a path).
    const safe = basename(name).replace(/[\0/\\:]/g, '_');
    const file = join(dir, safe === '.' || safe === '..' || safe === '' ? 'dropped.txt' : safe);
    await fs.writeFile(file, data, { mode: 0o600, flag: 'wx' });
    return file;
  }

  /** Checks a dropped text file's bytes and keeps them for the session. */
  async fromBytes(kind: 'hosts' | 'activation', name: string, data: Buffer): Promise<InputSummary> {
    const summary = parseTextInput(kind, basename(name), data);
    this.remember(kind, await this.keepDropped(name, data));
    return summary;
  }

  /** Reads and checks one input from a path (chosen in the dialog or dropped) and keeps it for the session. */
  async fromPath(kind: InputKind, path: string): Promise<InputSummary> {
    if (kind === 'installer') {
      const st = await fs.stat(path).catch(() => null);
      if (!st?.isFile()) await readInputFile(path); // throws the not-found / directory error naming the file
      this.remember(kind, path);
      return { kind, file: basename(path), size: st!.size, format: installerFormat(path) };
    }
    const summary = parseTextInput(kind, path, await readInputFile(path));
    this.remember(kind, path);
    return summary;
  }

  /** The inputs as the CLI's options (`hostsFile`, `activationFile`, `installer`), those given only. */
  options(): { hostsFile?: string; activationFile?: string; installer?: string } {
    return {
      ...(this.hostsFile ? { hostsFile: this.hostsFile } : {}),
      ...(this.activationFile ? { activationFile: this.activationFile } : {}),
      ...(this.installer ? { installer: this.installer } : {}),
    };
  }
}
