import {
  chmodSync,
  existsSync,
  readFileSync,
  statSync,
  writeFileSync,
  mkdtempSync,
  readdirSync,
  chownSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';

const FIX = join(import.meta.dirname, '../fixtures/inputs');
const PORTAL = join(FIX, 'VMSecurity_hosts_cln.txt');
afterAll(cleanupRoots);

const hostsOf = (root: string): Buffer => readFileSync(join(root, 'etc/hosts'));

function original(eol: string, finalNewline: boolean, shadow: boolean): Buffer {
  const lines = ['127.0.0.1\tlocalhost', '# 社内 DNS の代わり (Japanese comment)', '::1\tlocalhost ip6-localhost'];
  if (shadow) lines.push('10.0.0.9   dsm01.vmsecurity.example.jp   intranet-portal  # old manager');
  lines.push('192.168.1.20\tfileserver');
  return Buffer.from(lines.join(eol) + (finalNewline ? eol : ''), 'utf8');
}

describe('hosts step: plan → apply → apply again → revert, byte for byte', () => {
  for (const eol of ['\n', '\r\n']) {
    for (const finalNewline of [true, false]) {
      for (const shadow of [false, true]) {
        const name = `${eol === '\n' ? 'LF' : 'CRLF'}, ${finalNewline ? 'with' : 'without'} final newline${shadow ? ', with a shadowing line' : ''}`;
        it(name, async () => {
          const before = original(eol, finalNewline, shadow);
          const root = makeRoot({ ...OS_RELEASE.el8, hosts: before });
          chmodSync(join(root, 'etc/hosts'), 0o644);

          const plan = await runCliJson<{
            steps: {
              id: string;
              upToDate: boolean;
              changes: { diff: string[] }[];
              notes: { params: { line: number } }[];
            }[];
          }>(['plan', '--root', root, '--hosts-file', PORTAL]);
          expect(plan.exitCode).toBe(0);
          expect(hostsOf(root).equals(before)).toBe(true); // plan changes nothing
          const step = plan.json.steps[0]!;
          expect(step.upToDate).toBe(false);
          expect(step.changes[0]!.diff).toContain('+ 203.0.113.10\tdsm01.vmsecurity.example.jp dsm01');
          if (shadow) {
            expect(step.notes.map((n) => n.params.line)).toEqual([4]);
            expect(step.changes[0]!.diff).toContain(
              '~ 4: 10.0.0.9   dsm01.vmsecurity.example.jp   intranet-portal  # old manager',
            );
          } else expect(step.notes).toEqual([]);

          const apply = await runCli(['apply', '--root', root, '--hosts-file', PORTAL, '--yes']);
          expect(apply.exitCode, apply.stderr).toBe(0);
          const after = hostsOf(root);
          const text = after.toString('utf8');
          // Every original line is still there with its own ending (only the shadowing one is commented out).
          for (const line of before.toString('utf8').split(eol).filter(Boolean)) {
            if (line.startsWith('10.0.0.9'))
              expect(text).toContain(`#dsa-setup-shadowed# ${line}${eol}10.0.0.9\tintranet-portal\t`);
            else expect(text).toContain(line + eol);
          }
          expect(text.endsWith(`# <<< dsa-setup <<<${eol}`)).toBe(true);
          if (eol === '\r\n')
            expect(text).not.toMatch(/[^\r]\n/); // no bare LF added to a CRLF file
          else expect(text).not.toContain('\r');
          expect(statSync(join(root, 'etc/hosts')).mode & 0o777).toBe(0o644);

          const again = await runCliJson<{ runId: string | null }>([
            'apply',
            '--root',
            root,
            '--hosts-file',
            PORTAL,
            '--yes',
          ]);
          expect(again.exitCode).toBe(0);
          expect(again.json.runId).toBeNull(); // nothing to do: no new run
          expect(hostsOf(root).equals(after)).toBe(true);

          const revert = await runCli(['revert', '--root', root, '--yes']);
          expect(revert.exitCode, revert.stderr).toBe(0);
          expect(hostsOf(root).equals(before)).toBe(true);
        });
      }
    }
  }

  it('keeps a UTF-8 BOM and a Windows hosts file CRLF under a Windows root', async () => {
    const before = Buffer.from(
      '\ufeff# Copyright (c) 1993-2009 Microsoft Corp.\r\n#\r\n# 127.0.0.1       localhost\r\n',
      'utf8',
    );
    const root = makeRoot({ windows: true, hosts: before });
    const apply = await runCli(['apply', '--root', root, '--hosts-file', PORTAL, '--yes']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    const after = readFileSync(join(root, 'Windows/System32/drivers/etc/hosts'));
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    expect(after.toString('utf8')).toContain('\r\n203.0.113.11\trelay01.vmsecurity.example.jp\r\n');
    expect(after.toString('utf8')).not.toMatch(/[^\r]\n/);
    expect((await runCli(['revert', '--root', root, '--yes'])).exitCode).toBe(0);
    expect(readFileSync(join(root, 'Windows/System32/drivers/etc/hosts')).equals(before)).toBe(true);
  });

  it('updates an outdated block in place when the portal file changes', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: '127.0.0.1 localhost\n' });
    expect((await runCli(['apply', '--root', root, '--hosts-file', PORTAL, '--yes'])).exitCode).toBe(0);
    writeFileSync(join(root, 'etc/hosts'), hostsOf(root).toString() + '10.1.1.1 after-block\n');
    const newPortal = join(mkdtempSync(join(tmpdir(), 'portal-')), 'VMSecurity_hosts_cln.txt');
    writeFileSync(newPortal, '198.51.100.7 dsm02.vmsecurity.example.jp\n');
    const plan = await runCli(['plan', '--root', root, '--hosts-file', newPortal]);
    expect(plan.stdout).toContain('- 203.0.113.10\tdsm01.vmsecurity.example.jp dsm01');
    expect(plan.stdout).toContain('+ 198.51.100.7\tdsm02.vmsecurity.example.jp');
    expect((await runCli(['apply', '--root', root, '--hosts-file', newPortal, '--yes'])).exitCode).toBe(0);
    expect(hostsOf(root).toString()).toBe(
      '127.0.0.1 localhost\n# >>> dsa-setup: Deep Security manager (managed block, do not edit) >>>\n198.51.100.7\tdsm02.vmsecurity.example.jp\n# <<< dsa-setup <<<\n10.1.1.1 after-block\n',
    );
  });

  it('matches manager names case-insensitively when looking for shadowing lines', async () => {
    const root = makeRoot({ ...OS_RELEASE.ubuntu2204, hosts: '10.0.0.9 DSM01.VMSecurity.Example.JP\n' });
    const plan = await runCli(['plan', '--root', root, '--hosts-file', PORTAL]);
    expect(plan.stdout).toContain(
      'line 1 maps DSM01.VMSecurity.Example.JP to 10.0.0.9, which would be used instead of 203.0.113.10',
    );
  });
});

describe('hosts step: safety', () => {
  it('revert refuses, naming the file, when the hosts file changed after apply', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: '127.0.0.1 localhost\n' });
    expect((await runCli(['apply', '--root', root, '--hosts-file', PORTAL, '--yes'])).exitCode).toBe(0);
    writeFileSync(join(root, 'etc/hosts'), hostsOf(root).toString() + '10.9.9.9 added-later\n');
    const r = await runCli(['revert', '--root', root, '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('not reverted: these files changed after run');
    expect(r.stderr).toContain('/etc/hosts');
    expect(hostsOf(root).toString()).toContain('added-later'); // nothing was thrown away
  });

  it('apply --plan refuses a plan whose file changed since it was made', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: '127.0.0.1 localhost\n' });
    const planFile = join(root, 'plan.json');
    expect((await runCli(['plan', '--root', root, '--hosts-file', PORTAL, '--out', planFile])).exitCode).toBe(0);
    writeFileSync(join(root, 'etc/hosts'), '127.0.0.1 localhost\n10.0.0.1 edited\n');
    const r = await runCli(['apply', '--root', root, '--plan', planFile, '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('/etc/hosts changed after the plan was made');
    expect(hostsOf(root).toString()).toBe('127.0.0.1 localhost\n10.0.0.1 edited\n');
  });

  it('apply --plan applies exactly the reviewed plan and rejects a tampered one', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: '127.0.0.1 localhost\n' });
    const planFile = join(root, 'plan.json');
    await runCli(['plan', '--root', root, '--hosts-file', PORTAL, '--out', planFile]);
    const bad = JSON.parse(readFileSync(planFile, 'utf8')) as {
      steps: { input: { entries: { address: string }[] } }[];
    };
    bad.steps[0]!.input.entries[0]!.address = '203.0.113.999';
    writeFileSync(join(root, 'bad.json'), JSON.stringify(bad));
    const r = await runCli(['apply', '--root', root, '--plan', join(root, 'bad.json'), '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('the input of step hosts is not valid: entries.0.address');
    expect(hostsOf(root).toString()).toBe('127.0.0.1 localhost\n');
    expect(existsSync(join(root, 'var/lib/dsa-setup/runs'))).toBe(false); // no run was started
    const ok = await runCli(['apply', '--root', root, '--plan', planFile, '--yes']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(hostsOf(root).toString()).toContain('203.0.113.10\tdsm01.vmsecurity.example.jp dsm01\n');
  });

  it('without a terminal and without --yes, apply changes nothing and says how to proceed (exit 2)', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: '127.0.0.1 localhost\n' });
    const r = await runCli(['apply', '--root', root, '--hosts-file', PORTAL]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('add --yes');
    expect(hostsOf(root).toString()).toBe('127.0.0.1 localhost\n');
  });

  it('a non-root user gets exit 3 and a clear message, and nothing changes', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: '127.0.0.1 localhost\n' });
    chmodSync(root, 0o755);
    for (const d of ['', 'etc']) chmodSync(join(root, d), 0o755);
    const r = await runCli(['apply', '--root', root, '--hosts-file', PORTAL, '--yes'], { asUser: 'nobody' });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('needs administrator rights');
    expect(r.stderr).toContain('sudo dsa-setup');
    expect(hostsOf(root).toString()).toBe('127.0.0.1 localhost\n');
    const ja = await runCli(['--lang', 'ja', 'apply', '--root', root, '--hosts-file', PORTAL, '--yes'], {
      asUser: 'nobody',
    });
    expect(ja.exitCode).toBe(3);
    expect(ja.stderr).toContain('管理者権限が必要です');
  });

  it('a bad input file is exit 2 with file, line, column and the expected form', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: '127.0.0.1 localhost\n' });
    const bad = join(root, 'VMSecurity_hosts_cln.txt');
    writeFileSync(bad, '203.0.113.10 dsm.example.jp\n203.0.113.x relay.example.jp\n');
    const r = await runCli(['plan', '--root', root, '--hosts-file', bad]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${bad}:2:1: "203.0.113.x" is not an IP address; expected an IPv4`);
    const j = await runCliJson<{ ok: boolean; error: { code: string; issues: { line: number }[] } }>([
      'plan',
      '--root',
      root,
      '--hosts-file',
      bad,
    ]);
    expect(j.exitCode).toBe(2);
    expect(j.json.error.code).toBe('input.invalid');
    expect(j.json.error.issues[0]!.line).toBe(2);
  });

  it('journals the run: plan.json, events.jsonl and the backup of the original bytes', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: '127.0.0.1 localhost\n' });
    const r = await runCliJson<{ runId: string }>(['apply', '--root', root, '--hosts-file', PORTAL, '--yes']);
    const dir = join(root, 'var/lib/dsa-setup/runs', r.json.runId);
    expect(readdirSync(dir).sort()).toEqual(['backups', 'events.jsonl', 'plan.json']);
    const events = readFileSync(join(dir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(events.map((e) => e.type)).toEqual([
      'run.start',
      'step.start',
      'file.intent',
      'file.write',
      'step.done',
      'run.done',
    ]);
    expect(readFileSync(join(dir, 'backups/001.bak'), 'utf8')).toBe('127.0.0.1 localhost\n');
  });
});

describe('hosts step: the resolver sees it', () => {
  it('getent hosts answers the portal address after apply and not after revert (unshare -m, bind mount)', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: '127.0.0.1 localhost\n10.0.0.9 dsm01.vmsecurity.example.jp\n' });
    const hostsFile = join(root, 'etc/hosts');
    chownSync(hostsFile, 0, 0);
    const resolve = async (): Promise<string> => {
      const r = await execa(
        'unshare',
        [
          '-m',
          '--propagation',
          'private',
          'sh',
          '-c',
          'mount --bind "$1" /etc/hosts && getent hosts dsm01.vmsecurity.example.jp',
          'sh',
          hostsFile,
        ],
        { reject: false },
      );
      return String(r.stdout).trim().split(/\s+/)[0] ?? '';
    };
    expect(await resolve()).toBe('10.0.0.9');
    expect((await runCli(['apply', '--root', root, '--hosts-file', PORTAL, '--yes'])).exitCode).toBe(0);
    expect(await resolve()).toBe('203.0.113.10');
    expect((await runCli(['revert', '--root', root, '--yes'])).exitCode).toBe(0);
    expect(await resolve()).toBe('10.0.0.9');
  });
});

describe('journal access for the unprivileged app', () => {
  it('an apply run by sudo leaves events.jsonl readable by the invoking user only; backups stay root-only', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: '127.0.0.1 localhost\n' });
    const r = await runCliJson<{ runId: string }>(['apply', '--root', root, '--hosts-file', PORTAL, '--yes'], {
      env: { SUDO_UID: '65534' },
    });
    const dir = join(root, 'var/lib/dsa-setup/runs', r.json.runId);
    const events = statSync(join(dir, 'events.jsonl'));
    expect(events.uid).toBe(65534);
    expect(events.mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'backups')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'plan.json')).uid).toBe(0);
    // The user can read the progress as it is written (the sandbox dir stands for /, which anyone may traverse).
    chmodSync(root, 0o755);
    const read = await execa(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', 'cat', join(dir, 'events.jsonl')],
      { reject: false },
    );
    expect(read.exitCode).toBe(0);
    expect(String(read.stdout)).toContain('"type":"run.done"');
  });
});
