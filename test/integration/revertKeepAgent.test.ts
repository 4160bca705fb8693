import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSystemContext } from '../../main/core/system.js';
import { pickRun, revertRun } from '../../main/core/engine/revert.js';
import { translator } from '../../main/core/i18n.js';
import { runCli, runCliJson } from '../helpers/cli.js';
import { cleanupRoots } from '../helpers/sandbox.js';
import { buildAgentRpm } from '../fixtures/agent/packages.js';
import { makeAgentRoot, rpmInstalled, runEvents, setStandIn } from '../fixtures/agent/sandbox.js';

const ORIGINAL = '127.0.0.1 localhost\n192.168.1.20 fileserver\n';
const ACTIVATED = 'dsmUrl=https://dsm01.example.jp:4120/\nagentCertHash=ABCDEF\nhostname=vm01\nagentState=green\n';
const en = translator('en');

let work: string;
let rpm: string;
let portal: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), `dsa-keep-agent-${process.pid}-`));
  rpm = buildAgentRpm({ platform: 'RedHat_EL8', version: '20.0.0', build: '2395', outDir: work });
  portal = join(work, 'VMSecurity_hosts_cln.txt');
  writeFileSync(portal, '203.0.113.10\tdsm01.example.jp\r\n');
});
afterAll(() => {
  cleanupRoots();
  rmSync(work, { recursive: true, force: true });
});

type RunJson = {
  runId: string;
  reverted: boolean;
  agentInstalled: boolean;
  agentKept: boolean;
  state: string;
};
type OutcomeJson = {
  ok: boolean;
  agent: string | null;
  deactivated: boolean;
  files: { path: string; restored: string }[];
  commands: { command: string; args: string[]; exitCode: number | null }[];
};

/** A RHEL 8 root where one run added the manager's hosts lines and installed the agent package with real rpm. */
async function appliedRoot(): Promise<{ root: string; runId: string }> {
  const root = makeAgentRoot({ hosts: ORIGINAL });
  const r = await runCli(['--root', root, 'apply', '--hosts-file', portal, '--installer', rpm, '--yes']);
  expect(r.exitCode, r.stderr).toBe(0);
  expect(rpmInstalled(root)).toBe('20.0.0-2395.el8');
  expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).not.toBe(ORIGINAL);
  return { root, runId: runEvents(root).at(-1)!.runId };
}

async function listed(root: string, runId: string): Promise<RunJson> {
  const list = await runCliJson<{ runs: RunJson[] }>(['--root', root, 'revert', '--list']);
  expect(list.exitCode, list.stderr).toBe(0);
  return list.json.runs.find((r) => r.runId === runId)!;
}

describe('revert keeping the agent package the run installed', () => {
  it('undoes the hosts change, keeps the package and its activation, and the journal and --list say so', async () => {
    const { root, runId } = await appliedRoot();
    // Activated: keeping the agent must not deactivate it either.
    setStandIn(root, 'state', ACTIVATED);
    const sys = createSystemContext({ root });
    const outcome = await revertRun(sys, pickRun(sys), { agent: 'keep' });
    expect(outcome).toMatchObject({ runId, agent: 'kept', deactivated: false, commands: [] });
    expect(outcome.files).toEqual([{ path: '/etc/hosts', restored: 'bytes' }]);
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe(ORIGINAL);
    expect(rpmInstalled(root)).toBe('20.0.0-2395.el8');
    expect(existsSync(join(root, 'opt/ds_agent/dsa_control'))).toBe(true);
    expect(readFileSync(join(root, 'var/opt/ds_agent/standin.state'), 'utf8')).toBe(ACTIVATED);

    // The journal: the hosts file restored and read back, the package's removal kept on purpose with its version.
    const events = runEvents(root).at(-1)!.events;
    const after = events.slice(events.findIndex((e) => e.type === 'revert.start'));
    expect(after.map((e) => e.type)).toEqual(['revert.start', 'revert.kept', 'revert.file', 'revert.done']);
    expect(after[1]).toMatchObject({
      what: 'agent',
      command: 'rpm',
      args: ['--root', root, '--dbpath', '/var/lib/rpm', '-e', 'ds_agent'],
      version: '20.0.0-2395.el8',
    });
    expect(after[2]).toMatchObject({ path: '/etc/hosts', restored: 'bytes' });
    expect(after[3]).toMatchObject({ ok: true });

    expect(await listed(root, runId)).toMatchObject({
      reverted: true,
      agentInstalled: true,
      agentKept: true,
      state: 'reverted-agent-kept',
    });
    const text = await runCli(['--root', root, 'revert', '--list']);
    expect(text.stdout).toContain(`${runId}`);
    expect(text.stdout).toContain(en('revert.list.revertedAgentKept'));
    expect(text.stdout).not.toContain(en('revert.list.applied'));
    // A plain revert goes one further back (there is nothing), never to this run again.
    const next = await runCli(['--root', root, 'revert', '--yes']);
    expect(next.exitCode).toBe(1);
    // It says every run is reverted (not that none is recorded) and names the way to remove the kept agent.
    expect(next.stderr).toContain('nothing left to revert');
    expect(next.stderr).toContain(`dsa-setup revert --run ${runId} --remove-agent`);
    expect(rpmInstalled(root)).toBe('20.0.0-2395.el8');
  });

  it('a later revert of that run says the agent was kept and how to remove it; --remove-agent removes it, deactivated first', async () => {
    const { root, runId } = await appliedRoot();
    const kept = await runCliJson<OutcomeJson>(['--root', root, 'revert', '--keep-agent', '--yes']);
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect(kept.json).toMatchObject({ ok: true, agent: 'kept', deactivated: false, commands: [] });
    const text = await runCli(['--root', root, 'revert', '--run', runId, '--yes']);
    expect(text.exitCode).toBe(1);
    expect(text.stderr).toContain(`run ${runId} is already reverted; the agent package it installed was kept`);
    expect(text.stderr).toContain(`dsa-setup revert --run ${runId} --remove-agent`);
    // Refused before anything is asked: no "Reverting run …" line first.
    expect(text.stdout).not.toContain(en('revert.about', { run: runId }));
    expect(rpmInstalled(root)).toBe('20.0.0-2395.el8');

    setStandIn(root, 'state', ACTIVATED);
    const refused = await runCli(['--root', root, 'revert', '--run', runId, '--remove-agent', '--yes']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('the agent is activated now (https://dsm01.example.jp:4120/)');
    expect(rpmInstalled(root)).toBe('20.0.0-2395.el8');

    const removed = await runCli(['--root', root, 'revert', '--run', runId, '--remove-agent', '--deactivate', '--yes']);
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(removed.stderr).toContain(en('revert.keptAgentWillBeRemoved', { run: runId, command: '' }).slice(0, 40));
    expect(removed.stdout).toContain(en('revert.doneAgentDeactivatedRemoved', { run: runId }));
    expect(rpmInstalled(root)).toBeNull();
    expect(existsSync(join(root, 'var/opt/ds_agent/standin.state'))).toBe(false);
    // The hosts file was not touched again; the run is now fully reverted.
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe(ORIGINAL);
    expect(await listed(root, runId)).toMatchObject({ reverted: true, agentKept: false, state: 'reverted' });
    const again = await runCli(['--root', root, 'revert', '--run', runId, '--remove-agent', '--yes']);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain(`run ${runId} was already reverted`);
  });

  it('without --keep-agent (the CLI default) the agent is deactivated first, then removed and read back', async () => {
    const { root, runId } = await appliedRoot();
    setStandIn(root, 'state', ACTIVATED);
    const plain = await runCli(['--root', root, 'revert', '--yes']);
    expect(plain.exitCode).toBe(2);
    expect(plain.stderr).toContain('--deactivate');
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).not.toBe(ORIGINAL);
    const rv = await runCliJson<OutcomeJson>(['--root', root, 'revert', '--deactivate', '--yes']);
    expect(rv.exitCode, rv.stderr).toBe(0);
    expect(rv.json).toMatchObject({ agent: 'removed', deactivated: true });
    expect(rv.json.commands.map((c) => [c.command.split('/').pop(), c.args.at(-1)])).toEqual([
      ['dsa_control', '-r'],
      ['rpm', 'ds_agent'],
    ]);
    expect(rpmInstalled(root)).toBeNull();
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe(ORIGINAL);
    // The removal was read back: the package database no longer lists the agent.
    const rpmUndo = runEvents(root)
      .at(-1)!
      .events.find((e) => e.type === 'revert.command' && e.command === 'rpm');
    expect(rpmUndo).toMatchObject({ exitCode: 0, agentInstalled: false });
    expect(await listed(root, runId)).toMatchObject({ reverted: true, agentKept: false, state: 'reverted' });
  });

  it('an agent package removed by hand since the run is not removed again: the revert says it was already gone', async () => {
    const { root, runId } = await appliedRoot();
    execFileSync('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '-e', '--noscripts', 'ds_agent'], {
      stdio: 'pipe',
    });
    expect(rpmInstalled(root)).toBeNull();
    const rv = await runCliJson<OutcomeJson>(['--root', root, 'revert', '--yes']);
    expect(rv.exitCode, rv.stderr).toBe(0);
    expect(rv.json).toMatchObject({ ok: true, agent: 'alreadyRemoved', deactivated: false });
    expect(rv.json.commands.map((c) => c.command.split('/').pop())).not.toContain('rpm');
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe(ORIGINAL);
    const undo = runEvents(root)
      .at(-1)!
      .events.find((e) => e.type === 'revert.command');
    expect(undo).toMatchObject({ skipped: 'alreadyRemoved', agentInstalled: false });
    expect(await listed(root, runId)).toMatchObject({ reverted: true, agentKept: false, state: 'reverted' });
  });

  it('refuses --keep-agent with --remove-agent, and --keep-agent with --deactivate on an apply run (exit 2, nothing changed)', async () => {
    const { root } = await appliedRoot();
    const both = await runCli(['--root', root, 'revert', '--keep-agent', '--remove-agent', '--yes']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('--keep-agent and --remove-agent cannot be given together');
    const deact = await runCli(['--root', root, 'revert', '--keep-agent', '--deactivate', '--yes']);
    expect(deact.exitCode).toBe(2);
    expect(deact.stderr).toContain('--deactivate would do nothing here');
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).not.toBe(ORIGINAL);
    expect(rpmInstalled(root)).toBe('20.0.0-2395.el8');
  });

  it('says in --help, in Japanese too, what --keep-agent and --remove-agent do', async () => {
    for (const lang of ['en', 'ja'] as const) {
      const h = await runCli(['--lang', lang, 'revert', '--help']);
      const t = translator(lang);
      expect(h.stdout).toContain('--keep-agent');
      expect(h.stdout.replace(/\s+/g, '')).toContain(t('cli.help.keepAgent').replace(/\s+/g, ''));
      expect(h.stdout.replace(/\s+/g, '')).toContain(t('cli.help.removeAgent').replace(/\s+/g, ''));
    }
  });
});
