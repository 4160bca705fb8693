import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { cleanupRoots } from '../helpers/sandbox.js';
import { buildAgentDeb, buildAgentRpm } from '../fixtures/agent/packages.js';
import { makeAgentRoot, rpmInstalled, runEvents, setStandIn } from '../fixtures/agent/sandbox.js';

// The install step under faults of the admin's machine: another package manager holding the package database,
// an agent service that starts and then dies. Never "applied"; the admin's to fix is exit 2 naming cause and fix.

let el8: string;
let deb: string;
const out = mkdtempSync(join(tmpdir(), `dsa-install-faults-${process.pid}-`));
const holders: ChildProcess[] = [];

/**
 * Holds a POSIX write lock on `file` as rpm and dpkg take theirs (fcntl F_SETLK, which `flock` cannot stand in for)
 * in a process of its own group, until killed; resolves once the lock is held.
 */
async function holdLock(file: string): Promise<number> {
  const code = [
    'import fcntl, sys, time',
    'f = open(sys.argv[1], "a+")',
    'fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)',
    'print("locked", flush=True)',
    'time.sleep(300)',
  ].join('\n');
  const child = spawn('python3', ['-c', code, file], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  holders.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => (String(d).includes('locked') ? resolve() : undefined));
    child.on('exit', (c) => reject(new Error(`the lock holder ended (exit ${c})`)));
  });
  return child.pid!;
}

/** Ends a lock holder this file started (its process group) and waits until it is gone, so its lock is free. */
async function releaseLock(pid: number): Promise<void> {
  const child = holders.find((c) => c.pid === pid)!;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-pid, 'SIGKILL');
  await gone;
}

beforeAll(() => {
  el8 = buildAgentRpm({ platform: 'RedHat_EL8', version: '20.0.0', build: '2395', outDir: out });
  deb = buildAgentDeb({ platform: 'Ubuntu_22.04', version: '20.0.0', build: '2395', outDir: out });
});
afterAll(() => {
  // Only the processes this file started, by their process group.
  for (const c of holders) if (c.pid && c.exitCode === null && c.signalCode === null) process.kill(-c.pid, 'SIGKILL');
  cleanupRoots();
  rmSync(out, { recursive: true, force: true });
});

describe('install: another package manager holds the package database', () => {
  it('rpm: exit 2 naming the lock and what to wait for; nothing installed, never "applied"', async () => {
    const root = makeAgentRoot();
    const lock = join(root, 'var/lib/rpm/.rpm.lock');
    await holdLock(lock);
    const r = await runCli(['--root', root, 'apply', '--installer', el8, '--yes']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain(`Another program is using the rpm database (rpm could not take its lock ${lock})`);
    expect(r.stdout).toMatch(/Wait for the other package manager to finish \(a yum, dnf or zypper update/);
    expect(r.stdout).toContain(`Do not delete ${lock}`);
    expect(r.stdout).not.toMatch(/\[install\] applied|Internal error/);
    expect(rpmInstalled(root)).toBeNull();
  });

  it('dpkg: exit 2 naming the process that holds it; nothing installed', async () => {
    const root = makeAgentRoot({ os: 'ubuntu2204' });
    const admin = join(root, 'var/lib/dpkg');
    const pid = await holdLock(join(admin, 'lock-frontend'));
    const r = await runCli(['--root', root, 'apply', '--installer', deb, '--yes']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain(`Another program (process ${pid}) is using the dpkg database`);
    expect(r.stdout).toContain(`ps -o pid,etime,args -p ${pid}`);
    expect(r.stdout).not.toMatch(/\[install\] applied|Internal error/);
    const status = readFileSync(join(admin, 'status'), 'utf8');
    expect(status).not.toMatch(/^Package: ds-agent$/m);
  });
});

describe('revert: another package manager holds the rpm database while the agent package is removed', () => {
  it('exit 2, "NOT fully reverted" with the cause and what to wait for; the next revert, after it ended, removes it', async () => {
    const root = makeAgentRoot();
    const applied = await runCli(['--root', root, 'apply', '--installer', el8, '--yes']);
    expect(applied.exitCode, applied.stdout + applied.stderr).toBe(0);
    const pid = await holdLock(join(root, 'var/lib/rpm/.rpm.lock'));
    const r = await runCli(['--root', root, 'revert', '--yes']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /is NOT fully reverted: could not restore or undo rpm [^\n]* -e ds_agent\. Another program is using the rpm database/,
    );
    expect(r.stderr).toContain('Wait for the other package manager to finish');
    expect(r.stdout + r.stderr).not.toMatch(/Run \S+ reverted\.|Internal error/);
    expect(rpmInstalled(root)).toBe('20.0.0-2395.el8');
    await releaseLock(pid);
    const again = await runCli(['--root', root, 'revert', '--yes']);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect(rpmInstalled(root)).toBeNull();
  });
});

describe('install: an Ubuntu machine that also has rpm installed (an empty rpm database)', () => {
  it('the deb installed by dpkg is read back from dpkg, not from the empty rpm database: applied', async () => {
    const root = makeAgentRoot({ os: 'ubuntu2204' });
    execFileSync('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '--initdb'], { stdio: 'pipe' });
    const r = await runCli(['--root', root, 'apply', '--installer', deb, '--yes']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[install\] applied: agent 20\.0\.0-2395 installed, service running/);
  });
});

describe('install: the package tool says it succeeded, but installed nothing', () => {
  it('exit 1 naming what rpm printed and that the database does not list the agent; the service is not started', async () => {
    const root = makeAgentRoot();
    // An `rpm` earlier on PATH (a wrapper) that answers an install with its progress bar and exit 0, doing nothing.
    const bin = join(out, 'wrapper-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, 'rpm'),
      '#!/bin/sh\nfor a in "$@"; do case "$a" in -ivh|-Uvh) echo "Verifying...                          ################################# [100%]"; exit 0;; esac; done\nexec /usr/bin/rpm "$@"\n',
      { mode: 0o755 },
    );
    const r = await runCli(['--root', root, 'apply', '--installer', el8, '--yes'], {
      env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
    });
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(
      'rpm ended with success, but the package database does not list the agent 20.0.0-2395.el8 (found: -). What it printed: Verifying...',
    );
    expect(r.stdout).toContain('`type rpm`');
    expect(r.stdout).not.toMatch(/\[install\] applied|Internal error|cannot run/);
    expect(rpmInstalled(root)).toBeNull();
  });
});

describe('install: the agent service starts, then stops', () => {
  it('fails (exit 1) saying the service started and stopped again, with where to read why; never "applied"', async () => {
    const root = makeAgentRoot();
    // Running on the first status query, dead from the second on.
    setStandIn(root, 'running-answers', '1');
    const r = await runCli(['--root', root, 'apply', '--installer', el8, '--yes']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('The ds_agent service started, then stopped again');
    expect(r.stdout).toContain('journalctl -u ds_agent -n 50');
    expect(r.stdout).not.toMatch(/\[install\] applied/);
    expect(r.stdout).not.toContain('Internal error');
    const events = runEvents(root).flatMap((x) => x.events);
    expect(events.some((e) => e.type === 'step.done')).toBe(false);
    expect(events.find((e) => e.type === 'step.failed')).toMatchObject({
      error: { code: 'agent.install.serviceDied' },
    });
    // The package stays installed, and revertable.
    expect(rpmInstalled(root)).toBe('20.0.0-2395.el8');
  });

  it('a service that keeps running is applied once it stayed up', async () => {
    const root = makeAgentRoot();
    setStandIn(root, 'running-answers', '100');
    const r = await runCli(['--root', root, 'apply', '--installer', el8, '--yes']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[install\] applied/);
    // Asked more than once: seen running once is not enough.
    const events = runEvents(root).flatMap((x) => x.events);
    expect(
      events.filter((e) => e.type === 'step.progress' && e.key === 'agent.install.confirmingService').length,
    ).toBeGreaterThan(0);
  });
});

describe('install: --service-wait', () => {
  it('a value that is not whole seconds from 0 to 3600 is exit 2 naming it, in words (not the step input schema)', async () => {
    const root = makeAgentRoot();
    for (const v of ['abc', '-5', '1.5', '99999']) {
      const r = await runCli(['--root', root, 'plan', '--installer', el8, '--service-wait', v]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--service-wait takes whole seconds from 0 to 3600 (given: ${v})`);
      expect(r.stderr).not.toContain('serviceWaitSec');
    }
  });
});
