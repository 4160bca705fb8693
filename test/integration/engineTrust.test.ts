import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli, runCliJson } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';

const FIX = join(import.meta.dirname, '../fixtures/inputs');
const PORTAL = join(FIX, 'VMSecurity_hosts_cln.txt');
const work = mkdtempSync(join(tmpdir(), `dsa-engine-${process.pid}-`));
afterAll(() => {
  cleanupRoots();
  rmSync(work, { recursive: true, force: true });
});

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const hostsOf = (root: string): Buffer => readFileSync(join(root, 'etc/hosts'));
const runsOf = (root: string): string[] =>
  existsSync(join(root, 'var/lib/dsa-setup/runs')) ? readdirSync(join(root, 'var/lib/dsa-setup/runs')) : [];

/** A hosts file of about `mb` MB (many distinct lines, as a large fleet's file has). */
function bigHosts(mb: number): Buffer {
  const parts = ['127.0.0.1\tlocalhost\n', '::1\tlocalhost ip6-localhost\n'];
  let size = 0;
  for (let i = 0; size < mb * 1_000_000; i++) {
    const line = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}\thost-${i}.fleet.example.internal\n`;
    parts.push(line);
    size += line.length;
  }
  return Buffer.from(parts.join(''), 'utf8');
}

/** A portal file with one manager name at its own address. */
function portal(name: string, address: string): string {
  const f = join(work, `portal-${name}.txt`);
  writeFileSync(f, `${address}\t${name}.vmsecurity.example.jp\t${name}\r\n`);
  return f;
}

/** Temp files of atomic writes left in the root's /etc. */
const temps = (root: string): string[] => readdirSync(join(root, 'etc')).filter((n) => /dsa-setup-.*\.tmp$/.test(n));

describe('a killed apply never leads to a false "reverted"', () => {
  it('SIGKILL at 32 instants spread over the apply of a 55 MB hosts file, each followed by revert', async () => {
    const original = bigHosts(55);
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: original });
    const originalSha = sha(original);
    const apply = ['--root', root, 'apply', '--hosts-file', PORTAL, '--yes'];

    // How long a whole apply takes here, so the kills cover all of it (start-up, planning, backup, write, journal).
    const t0 = Date.now();
    const full = await runCli(apply, { timeoutMs: 300_000 });
    const total = Date.now() - t0;
    expect(full.exitCode, full.stderr).toBe(0);
    expect(sha(hostsOf(root))).not.toBe(originalSha);
    const back = await runCli(['--root', root, 'revert', '--yes'], { timeoutMs: 300_000 });
    expect(back.exitCode, back.stderr).toBe(0);
    expect(sha(hostsOf(root))).toBe(originalSha);

    // Kill instants spread over the whole apply; a run that finished before its kill shortens the span
    // (a warm cache makes later applies faster), until at least 32 kills landed.
    let span = total;
    const outcomes: string[] = [];
    let killedRuns = 0;
    for (let i = 0; killedRuns < 32 && i < 64; i++) {
      const at = Math.round((span * ((killedRuns % 32) + 0.5)) / 32);
      const started = Date.now();
      const child = execa(process.execPath, [CLI, ...apply], { reject: false, stdin: 'ignore', env: { LANG: 'C' } });
      const timer = setTimeout(() => child.kill('SIGKILL'), at);
      const r = await child;
      clearTimeout(timer);
      const killed = r.signal === 'SIGKILL';
      if (killed) killedRuns++;
      else span = Math.min(span, Date.now() - started);
      const revert = await runCli(['--root', root, 'revert', '--yes'], { timeoutMs: 300_000 });
      const now = sha(hostsOf(root));
      // The next command says that the killed run did not finish.
      const noticed = /Run \d{8}T\d{6}Z-[0-9a-f]{6} \(started [^)]*\) did not finish/.test(revert.stderr);
      outcomes.push(
        `${at}ms ${killed ? 'killed' : `exit ${r.exitCode}`} → revert ${revert.exitCode}${noticed ? ' (interrupted run noticed)' : ''}`,
      );
      // The one thing that must never happen: "reverted" (exit 0) with a file that is not the original.
      if (revert.exitCode === 0) {
        expect(revert.stdout).toContain('reverted');
        expect(now, `after ${outcomes.at(-1)}`).toBe(originalSha);
      } else {
        expect(revert.stdout).not.toContain('reverted.');
        // Here it only says there is nothing to revert: the killed run never got to change the file.
        expect(revert.stderr, `after ${outcomes.at(-1)}`).toMatch(/nothing (left )?to revert/);
        expect(now).toBe(originalSha);
      }
      // A killed apply's temp copy of the hosts file is removed by the next command.
      expect(temps(root), `after ${outcomes.at(-1)}`).toEqual([]);
    }
    // Every run has been undone: the file is the original, byte for byte.
    expect(sha(hostsOf(root))).toBe(originalSha);
    expect(killedRuns, outcomes.join('\n')).toBeGreaterThanOrEqual(30);
    expect(outcomes.filter((o) => o.includes('interrupted run noticed')).length).toBeGreaterThan(0);
  }, 900_000);
});

describe('one writer at a time', () => {
  it('three concurrent applies with different portal files: each applies or refuses naming the holder; reverts give the original', async () => {
    const original = bigHosts(8);
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: original });
    const names = ['dsma', 'dsmb', 'dsmc'];
    const files = names.map((n, i) => portal(n, `198.51.100.${10 + i}`));
    const runs = await Promise.all(
      files.map((f) =>
        runCliJson<{ runId?: string }>(['--root', root, 'apply', '--hosts-file', f, '--yes'], { timeoutMs: 120_000 }),
      ),
    );
    const applied = runs.filter((r) => r.exitCode === 0);
    expect(applied.length).toBeGreaterThanOrEqual(1);
    for (const r of runs) {
      if (r.exitCode === 0) continue;
      expect(r.exitCode).toBe(1);
      // Refused because another apply changed the file after this one planned: it names that job.
      expect(r.stderr).toMatch(/by dsa-setup apply \(pid \d+, started \d{4}-\d\d-\d\dT[^)]*run \d{8}T/);
    }
    // The file holds exactly one managed block: the last successful apply's, complete.
    const text = hostsOf(root).toString('utf8');
    expect(text.split('# >>> dsa-setup').length - 1).toBe(1);
    const present = names.filter((n) => text.includes(`${n}.vmsecurity.example.jp`));
    expect(present.length).toBe(1);
    expect(text.startsWith(original.toString('utf8'))).toBe(true);
    for (let i = 0; i < applied.length; i++)
      expect((await runCli(['--root', root, 'revert', '--yes'])).exitCode).toBe(0);
    expect(sha(hostsOf(root))).toBe(sha(original));
  }, 300_000);

  it('a job holding the lock makes apply wait, then exit 1 naming it; a dead holder is taken over and said', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: '127.0.0.1 localhost\n' });
    const holder = execa('sleep', ['60'], { reject: false });
    const started = '2026-11-30T10:00:00.000Z';
    const lock = join(root, 'var/lib/dsa-setup/lock');
    mkdirSync(join(root, 'var/lib/dsa-setup'), { recursive: true });
    writeFileSync(lock, JSON.stringify({ pid: holder.pid, command: 'activate', startedAt: started, host: hostname() }));
    const t0 = Date.now();
    const busy = await runCli(['--root', root, 'apply', '--hosts-file', PORTAL, '--yes'], {
      env: { DSA_SETUP_LOCK_WAIT_MS: '1500' },
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    expect(busy.exitCode).toBe(1);
    expect(busy.stderr).toContain(
      `another dsa-setup job is changing this system: activate (pid ${holder.pid}, started ${started})`,
    );
    expect(hostsOf(root).toString()).toBe('127.0.0.1 localhost\n');
    holder.kill('SIGKILL');
    await holder;
    const after = await runCli(['--root', root, 'apply', '--hosts-file', PORTAL, '--yes']);
    expect(after.exitCode, after.stderr).toBe(0);
    expect(after.stderr).toContain(
      `The lock of activate (pid ${holder.pid}, started ${started}) was left by a process that no longer runs: taken over.`,
    );
    expect(existsSync(lock)).toBe(false); // released when the job ended
  }, 60_000);
});

describe('revert semantics', () => {
  it('runs are ordered by sequence: revert undoes the newest, then the one before; --list shows them; --run "" is bad input', async () => {
    const original = Buffer.from('127.0.0.1 localhost\n');
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: original });
    const a = await runCliJson<{ runId: string }>([
      '--root',
      root,
      'apply',
      '--hosts-file',
      portal('ordera', '192.0.2.1'),
      '--yes',
    ]);
    const afterA = hostsOf(root);
    const b = await runCliJson<{ runId: string }>([
      '--root',
      root,
      'apply',
      '--hosts-file',
      portal('orderb', '192.0.2.2'),
      '--yes',
    ]);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);

    const list = await runCliJson<{ runs: { runId: string; seq: number; reverted: boolean; files: string[] }[] }>([
      '--root',
      root,
      'revert',
      '--list',
    ]);
    expect(list.json.runs.map((r) => [r.runId, r.seq, r.reverted, r.files])).toEqual([
      [b.json.runId, 2, false, ['/etc/hosts']],
      [a.json.runId, 1, false, ['/etc/hosts']],
    ]);
    // Reverting the older run first would throw away the newer one's change: it names the run to revert first.
    const older = await runCli(['--root', root, 'revert', '--run', a.json.runId, '--yes']);
    expect(older.exitCode).toBe(1);
    expect(older.stderr).toContain(`run ${b.json.runId}, newer than ${a.json.runId}, changed the same files`);

    const empty = await runCli(['--root', root, 'revert', '--run', '', '--yes']);
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toContain('--run needs a run id');

    const r1 = await runCli(['--root', root, 'revert', '--yes']);
    expect(r1.stdout).toContain(`Run ${b.json.runId} reverted.`);
    expect(hostsOf(root).equals(afterA)).toBe(true);
    const r2 = await runCli(['--root', root, 'revert', '--yes']);
    expect(r2.stdout).toContain(`Run ${a.json.runId} reverted.`);
    expect(hostsOf(root).equals(original)).toBe(true);
    const r3 = await runCli(['--root', root, 'revert', '--yes']);
    expect(r3.exitCode).toBe(1);
    expect(r3.stderr).toContain('nothing left to revert: the 2 runs');
    const text = await runCli(['--root', root, 'revert', '--list']);
    expect(text.stdout).toContain(`#2 ${b.json.runId}`);
    expect(text.stdout).toContain('reverted');
  }, 120_000);

  it('an activation run is listed, kept by a plain revert, and reverting it needs --deactivate (dsa_control -r)', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: '127.0.0.1 localhost\n' });
    const a = await runCliJson<{ runId: string }>(['--root', root, 'apply', '--hosts-file', PORTAL, '--yes']);
    // An activation run as `activate` journals it (the agent is not needed to list and refuse it).
    const actId = '20261130T120000Z-a1b2c3';
    const dir = join(root, 'var/lib/dsa-setup/runs', actId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'events.jsonl'),
      [
        {
          t: '2026-11-30T12:00:00.000Z',
          type: 'run.start',
          runId: actId,
          root,
          steps: ['activate'],
          seq: 2,
          job: 'activate',
          pid: 1,
        },
        {
          t: '2026-11-30T12:00:01.000Z',
          type: 'step.done',
          step: 'activate',
          verified: true,
          detail: { key: 'agent.activate.done', params: {} },
        },
        { t: '2026-11-30T12:00:01.000Z', type: 'run.done', ok: true, rebootRequired: false },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n') + '\n',
    );
    const list = await runCliJson<{ runs: { runId: string; job: string }[] }>(['--root', root, 'revert', '--list']);
    expect(list.json.runs.map((r) => [r.runId, r.job])).toEqual([
      [actId, 'activate'],
      [a.json.runId, 'apply'],
    ]);
    const named = await runCli(['--root', root, 'revert', '--run', actId, '--yes']);
    expect(named.exitCode).toBe(2);
    expect(named.stderr).toContain('Reverting it runs dsa_control -r');
    expect(named.stderr).toContain('add --deactivate');
    const plain = await runCli(['--root', root, 'revert', '--yes']);
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout).toContain(`Run ${a.json.runId} reverted.`);
    expect(plain.stderr).toContain(`Activation run ${actId} is newer and stays as it is`);
    expect(hostsOf(root).toString()).toBe('127.0.0.1 localhost\n');
  }, 60_000);
});

describe('input hygiene', () => {
  it('a crafted journal whose paths point outside the root is refused (exit 2) before anything is touched', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: '127.0.0.1 localhost\n' });
    const a = await runCliJson<{ runId: string }>(['--root', root, 'apply', '--hosts-file', PORTAL, '--yes']);
    const events = join(root, 'var/lib/dsa-setup/runs', a.json.runId, 'events.jsonl');
    const good = readFileSync(events, 'utf8');
    const victim = join(work, `victim-${process.pid}`);
    writeFileSync(victim, 'a file of the machine running the tool\n');
    const applied = hostsOf(root);

    for (const [field, value] of [
      ['path', `/../../../../../../../..${victim}`],
      ['backup', '../../../../../../../../../../etc/hostname'],
      ['backup', '/etc/hostname'],
    ] as const) {
      writeFileSync(events, good.replace(new RegExp(`"${field}":"[^"]*"`, 'g'), `"${field}":${JSON.stringify(value)}`));
      const r = await runCli(['--root', root, 'revert', '--yes']);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/outside the (system|run's folder)/);
      expect(r.stderr).toContain('nothing was changed');
      expect(readFileSync(victim, 'utf8')).toBe('a file of the machine running the tool\n');
      expect(hostsOf(root).equals(applied)).toBe(true);
    }
  }, 60_000);

  it('--root that does not exist, or is a file, is exit 2 and nothing is created', async () => {
    const missing = join(work, `no-such-root-${process.pid}`);
    for (const cmd of [
      ['plan', '--hosts-file', PORTAL],
      ['apply', '--hosts-file', PORTAL, '--yes'],
      ['revert', '--yes'],
    ]) {
      const r = await runCli(['--root', missing, ...cmd]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--root ${missing}: there is no such directory (nothing was created)`);
      expect(existsSync(missing)).toBe(false);
    }
    const file = join(work, `root-file-${process.pid}`);
    writeFileSync(file, '');
    const r = await runCli(['--root', file, 'apply', '--hosts-file', PORTAL, '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('is not a directory');
  });

  it('--plan together with --hosts-file is exit 2 (conflicting options), nothing changed', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: '127.0.0.1 localhost\n' });
    const planFile = join(work, `plan-${process.pid}.json`);
    expect((await runCli(['--root', root, 'plan', '--hosts-file', PORTAL, '--out', planFile])).exitCode).toBe(0);
    const r = await runCli([
      '--root',
      root,
      'apply',
      '--plan',
      planFile,
      '--hosts-file',
      portal('other', '192.0.2.9'),
      '--yes',
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('cannot be combined with step options');
    expect(hostsOf(root).toString()).toBe('127.0.0.1 localhost\n');
    expect(runsOf(root)).toEqual([]);
  });

  it('a plan file edited between review and apply is refused, naming the action; nothing changed', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: '127.0.0.1 localhost\n' });
    const planFile = join(work, `plan-edit-${process.pid}.json`);
    expect((await runCli(['--root', root, 'plan', '--hosts-file', PORTAL, '--out', planFile])).exitCode).toBe(0);
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as {
      steps: { changes: { edit: { text: string }; afterSha: string; path: string }[] }[];
    };
    // The bytes to write edited, with a matching hash: the action is not what planning gives.
    const c = plan.steps[0]!.changes[0]!;
    const original = '127.0.0.1 localhost\n';
    c.edit.text += '6.6.6.6 dsm01.vmsecurity.example.jp\n';
    c.afterSha = sha(Buffer.from(original + c.edit.text));
    writeFileSync(planFile, JSON.stringify(plan));
    const r = await runCli(['--root', root, 'apply', '--plan', planFile, '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('the reviewed plan no longer matches this system: the action [hosts] modify /etc/hosts');
    expect(hostsOf(root).toString()).toBe('127.0.0.1 localhost\n');
    // Only the bytes edited (the hash left as reviewed): refused as well.
    c.edit.text = '9.9.9.9 dsm01\n';
    writeFileSync(planFile, JSON.stringify(plan));
    const r2 = await runCli(['--root', root, 'apply', '--plan', planFile, '--yes']);
    expect(r2.exitCode).toBe(1);
    expect(hostsOf(root).toString()).toBe('127.0.0.1 localhost\n');
    expect(runsOf(root)).toEqual([]);
  });

  it('quoted values in errors are cut at about 200 characters', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: '127.0.0.1 localhost\n' });
    const long = 'x'.repeat(5000);
    const r = await runCli(['--root', root, 'revert', '--run', long, '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${'x'.repeat(200)}…`);
    expect(r.stderr).not.toContain('x'.repeat(201));
  });
});
