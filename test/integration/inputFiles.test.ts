// Input files through the CLI as a user meets them: a file only root may read, a named pipe given as a plan, a
// folder of doctor results the user cannot list. Each is exit 2 (or set apart) naming the file and why, at once.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), `dsa-inputs-cli-${process.pid}-`));
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('input files the CLI cannot or must not read', () => {
  it('an activation file only root may read, run by an ordinary user: exit 2 naming the file and the cause', async () => {
    const file = join(dir, 'cln12345_Activation_Command.txt');
    writeFileSync(file, '/opt/ds_agent/dsa_control -a dsm://dsm01.example.jp:4120/\r\n', { mode: 0o600 });
    const r = await runCli(['--lang', 'en', 'doctor', '--activation-file', file], {
      asUser: 'nobody',
      plainUser: true,
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      `${file}: permission denied (EACCES): the user running dsa-setup cannot read it; expected something this user can read`,
    );
    expect(r.stderr).not.toMatch(/internal error/i);
  });

  it('apply --plan given a named pipe: exit 2 at once, nothing waits for a writer', async () => {
    const fifo = join(dir, 'plan.json');
    execFileSync('mkfifo', [fifo]);
    const root = join(dir, 'root');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/hosts'), '127.0.0.1 localhost\n');
    const r = await runCli(['--lang', 'ja', 'apply', '--root', root, '--plan', fifo, '--yes'], { timeoutMs: 20_000 });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      `${fifo}: これはファイルではなく名前付きパイプ（FIFO）です。読み取りが止まったり終わらなかったりするため読み取りません。`,
    );
  });

  it('report --fleet with a folder the user cannot list: the folder is set apart with why, not silently skipped', async () => {
    const fleet = join(dir, 'fleet');
    mkdirSync(join(fleet, 'tokyo'), { recursive: true });
    chmodSync(fleet, 0o755);
    chmodSync(join(fleet, 'tokyo'), 0o700);
    const r = await runCli(['--lang', 'en', 'report', '--fleet', fleet, '--format', 'json'], {
      asUser: 'nobody',
      plainUser: true,
    });
    const report = JSON.parse(r.stdout) as { total: number; apart: { source: string; reason: string }[] };
    expect(report.total).toBe(0);
    expect(report.apart.map((a) => [a.source, a.reason])).toEqual([
      [
        'tokyo',
        'a folder that cannot be listed: permission denied (EACCES): the user running dsa-setup cannot read it; expected something this user can read (run dsa-setup as its owner or an administrator, or let this user read it); the results in it are not counted',
      ],
    ]);
  });
});
