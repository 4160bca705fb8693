import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execCommand } from '../../main/core/exec.js';
import { createSystemContext, sandboxExecLog } from '../../main/core/system.js';
import { cleanupRoots, makeRoot } from '../helpers/sandbox.js';
import { survivors } from '../helpers/processes.js';

const dir = mkdtempSync(join(tmpdir(), `dsa-exec-${process.pid}-`));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  cleanupRoots();
});

/** Pids of the live processes in process group `pgid`, as `ps` lists them. */
function groupMembers(pgid: number): number[] {
  return execFileSync('ps', ['-e', '-o', 'pid=,pgid=,stat='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length === 3 && Number(f[1]) === pgid && !f[2]!.startsWith('Z'))
    .map((f) => Number(f[0]));
}

/** A `dsa_control` that ignores SIGTERM and leaves a forked sleeping child (which ignores it too). */
function stubbornTool(name: string): { path: string; pidFile: string } {
  const pidFile = join(dir, `${name}.pids`);
  const path = join(dir, name);
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      "trap '' TERM",
      'echo "activating"',
      `sh -c "trap '' TERM; sleep 300" &`,
      `echo "$$ $!" > ${pidFile}`,
      'sleep 300',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return { path, pidFile };
}

describe('the executor kills the whole process group at the deadline', () => {
  it('a dsa_control that ignores SIGTERM and forks a child returns soon after a 1 s timeout, and nothing of it survives', async () => {
    const tool = stubbornTool('dsa_control');
    const t0 = performance.now();
    const r = await execCommand(tool.path, ['-a', 'dsm://manager.example:4120/'], { timeoutMs: 1000 });
    const wall = performance.now() - t0;
    expect(r.timedOut).toBe(true);
    expect(r.stdout).toContain('activating');
    expect(wall).toBeLessThan(4000);
    const [leader, child] = readFileSync(tool.pidFile, 'utf8').trim().split(' ').map(Number);
    // The leader started its own group: everything in it is gone.
    expect(await survivors([leader!, child!])).toEqual([]);
    expect(groupMembers(leader!)).toEqual([]);
  });

  it('an aborted signal kills the group the same way', async () => {
    const tool = stubbornTool('dsa_query');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 500);
    const t0 = performance.now();
    const r = await execCommand(tool.path, ['-c', 'GetAgentStatus'], { timeoutMs: 60_000, signal: ac.signal });
    expect(performance.now() - t0).toBeLessThan(4000);
    expect(r.timedOut).toBe(true);
    const [leader, child] = readFileSync(tool.pidFile, 'utf8').trim().split(' ').map(Number);
    expect(await survivors([leader!, child!])).toEqual([]);
  });

  it('an already aborted signal starts nothing', async () => {
    const marker = join(dir, 'started');
    const r = await execCommand('sh', ['-c', `touch ${marker}`], { signal: AbortSignal.abort() });
    expect(r.timedOut).toBe(true);
    expect(() => readFileSync(marker)).toThrow();
  });

  it('a program that finishes in time keeps its exit code and output', async () => {
    const r = await execCommand('sh', ['-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 10_000 });
    expect(r).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false, notFound: false });
  });

  it('a missing program is notFound', async () => {
    const r = await execCommand(join(dir, 'no-such-tool'), []);
    expect(r.notFound).toBe(true);
  });
});

describe('the sandbox executor', () => {
  it('answers a command it has no reply for with a failure, and records it as unanswered', async () => {
    const root = makeRoot({
      files: {
        '.sandbox/exec-replies.json': JSON.stringify([
          { command: 'systemctl', args: ['is-active'], stdout: 'active\n' },
        ]),
      },
    });
    const sys = createSystemContext({ root });
    const known = await sys.exec.run('systemctl', ['is-active', 'ds_agent']);
    expect(known).toMatchObject({ exitCode: 0, stdout: 'active\n' });
    const unknown = await sys.exec.run('systemctl', ['restart', 'ds_agent']);
    expect(unknown.exitCode).toBe(127);
    expect(unknown.stderr).toContain('systemctl restart ds_agent');
    expect(sandboxExecLog(root)).toEqual([
      { command: 'systemctl', args: ['is-active', 'ds_agent'] },
      { command: 'systemctl', args: ['restart', 'ds_agent'], unanswered: true },
    ]);
  });
});
