// The window's elevated jobs under real faults: the elevated run killed part-way, its journal unreadable, a second
// job started while one runs. The window must never say more than the journal and the run's own output said.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { createSystemContext, SANDBOX_DIR, type SystemContext } from '../../main/core/system.js';
import { buildPlan } from '../../main/core/engine/plan.js';
import { runsDir } from '../../main/core/engine/journal.js';
import { stepRequests } from '../../main/core/steps/requests.js';
import { runElevatedJob, SUDO_PERMISSION_DENIED, type SudoPromptExec } from '../../main/core/elevation/elevatedJob.js';
import { jobArgs, manualCommand, type Job } from '../../main/core/application/jobs.js';
import { createAppService } from '../../main/core/application/service.js';
import { DsaError } from '../../main/core/errors.js';
import { translator } from '../../main/core/i18n.js';
import { renderMessage } from '../../main/core/message.js';

const dirs: string[] = [];
afterAll(() => {
  cleanupRoots();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'dsa-elev-faults-'));
  dirs.push(d);
  return d;
};

/** An EL8 system and the manager's hosts file from the portal. */
function el8() {
  const root = makeRoot({
    ...OS_RELEASE.el8,
    hosts: '127.0.0.1 localhost\n',
    replies: [{ command: 'sysctl', args: ['--system'] }],
  });
  const portal = join(tempDir(), 'VMSecurity_hosts_cln.txt');
  writeFileSync(portal, '203.0.113.10 dsm01.example.jp\r\n');
  return { root, portal, sys: createSystemContext({ root }) };
}

/** The window's service without administrator rights, asking through `exec` (a stand-in for sudo-prompt). */
function windowService(sys: SystemContext, exec: SudoPromptExec) {
  return createAppService(sys, {
    pickFile: async () => null,
    saveFile: async () => null,
    openExternal: async () => {},
    isAdmin: async () => false,
    lang: () => 'en',
    elevation: { execPath: process.execPath, cliPath: CLI, sudoExec: exec, hasPolkitAgent: async () => true },
  });
}

/** Whether a run in `dir` journaled an event of `type` for `step`. */
function journaled(dir: string, type: string, step: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((id) => {
    const file = join(dir, id, 'events.jsonl');
    return (
      existsSync(file) &&
      readFileSync(file, 'utf8')
        .split('\n')
        .some((l) => l.includes(`"type":"${type}"`) && l.includes(`"step":"${step}"`))
    );
  });
}

/** Runs the command as sudo-prompt does, in its own process group, and kills the group with SIGKILL when `when` holds. */
function killedWhen(when: () => boolean): SudoPromptExec {
  return (command, options, cb) => {
    const child = execa('/bin/sh', ['-c', command], {
      reject: false,
      detached: true,
      env: { ...options.env, LANG: 'C' },
    });
    void (async () => {
      const bound = Date.now() + 30_000;
      while (!when() && Date.now() < bound) await new Promise((r) => setTimeout(r, 20));
      process.kill(-child.pid!, 'SIGKILL');
      const r = await child;
      cb(new Error(`Command failed: ${command}`), String(r.stdout), String(r.stderr));
    })();
  };
}

const en = translator('en');
const ja = translator('ja');

describe('the window and its elevated job under faults', () => {
  it('the elevated run killed in the middle of a step: that step reads failed (stopped, not read back), never "not run"', async () => {
    const { root, portal, sys } = el8();
    const runs = runsDir(sys);
    const app = windowService(
      sys,
      killedWhen(() => journaled(runs, 'command.intent', 'ipv6')),
    );
    await app.loadInput('hosts', portal);
    const { plan } = await app.plan({ hosts: true, ipv6: true });
    expect(plan!.steps.map((s) => s.id)).toEqual(['hosts', 'ipv6']);
    // The ipv6 step's command hangs (its executor writes to a pipe nobody reads) until the run is killed.
    execaSync('mkfifo', [join(root, SANDBOX_DIR, 'exec-log.jsonl')]);

    const view = await app.apply(plan!.planId, { progress: () => {} }, 'en');
    expect(view).toMatchObject({ outcome: 'applied', ok: false });
    expect(view.steps[0]).toMatchObject({ id: 'hosts', status: 'applied', verified: true });
    const ipv6 = view.steps[1]!;
    expect(ipv6).toMatchObject({ id: 'ipv6', status: 'failed', error: { code: 'elevation.stepInterrupted' } });
    expect(renderMessage(en, ipv6.error!.message)).toBe(
      `the run as administrator stopped during this step (run ${view.runId}): it may have changed files, and nothing was read back`,
    );
    expect(renderMessage(ja, ipv6.error!.message)).toContain(`実行 ID ${view.runId}`);
    // The hosts step did write: the run is there to revert.
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toContain('203.0.113.10');
  });

  it('an activation killed after its run started names its run: it may have changed the agent, never "nothing changed"', async () => {
    const { sys } = el8();
    const runs = runsDir(sys);
    const exec: SudoPromptExec = (command, _o, cb) => {
      // What a killed `job` leaves: the activation's run directory with its first events, then no output.
      const dir = join(runs, '20261130T201500Z-0a1b2c');
      mkdirSync(dir, { recursive: true });
      const t = new Date().toISOString();
      writeFileSync(
        join(dir, 'events.jsonl'),
        [
          { t, type: 'run.start', runId: '20261130T201500Z-0a1b2c', root: sys.root, steps: ['activate'], seq: 1 },
          { t, type: 'step.start', step: 'activate' },
        ]
          .map((e) => JSON.stringify(e) + '\n')
          .join(''),
      );
      setTimeout(() => cb(new Error(`Command failed: ${command}`), '', 'Killed\n'), 50);
    };
    const app = windowService(sys, exec);
    await app.loadInput('activation', join(import.meta.dirname, '../fixtures/inputs/cln12345_Activation_Command.txt'));
    const e = (await app.activate({ reset: false }, { progress: () => {} }, 'en').catch((x: unknown) => x)) as DsaError;
    expect(e.code).toBe('elevation.interrupted');
    expect(renderMessage(en, e.info.message)).toBe(
      'the run as administrator stopped before it gave its result (run 20261130T201500Z-0a1b2c): it may have changed this system, and nothing was read back',
    );
    expect(renderMessage(en, e.info.remedy!)).toContain('dsa-setup revert --run 20261130T201500Z-0a1b2c');
    expect(renderMessage(ja, e.info.message)).toContain('実行 ID 20261130T201500Z-0a1b2c');
  });

  it('no result and two apply runs in the journal (a terminal applied at the same time): neither is taken for this plan', async () => {
    const { portal, sys } = el8();
    const runs = runsDir(sys);
    const exec: SudoPromptExec = (command, _o, cb) => {
      const t = new Date().toISOString();
      for (const [i, id] of ['20261130T201500Z-0a1b2c', '20261130T201501Z-3d4e5f'].entries()) {
        mkdirSync(join(runs, id), { recursive: true });
        writeFileSync(
          join(runs, id, 'events.jsonl'),
          [
            { t, type: 'run.start', runId: id, root: sys.root, steps: ['hosts'], seq: i + 1 },
            { t, type: 'step.start', step: 'hosts' },
            { t, type: 'step.done', step: 'hosts', verified: true, detail: { key: 'x', params: {} } },
            { t, type: 'run.done', ok: true, rebootRequired: false },
          ]
            .map((e) => JSON.stringify(e) + '\n')
            .join(''),
        );
      }
      // sudo-prompt lost the output (kdesudo reports "User did not grant permission" after the run).
      setTimeout(() => cb(new Error(SUDO_PERMISSION_DENIED), '', ''), 50);
    };
    const app = windowService(sys, exec);
    await app.loadInput('hosts', portal);
    const { plan } = await app.plan({ hosts: true, ipv6: false });
    const e = (await app.apply(plan!.planId, { progress: () => {} }, 'en').catch((x: unknown) => x)) as DsaError;
    expect(e.code).toBe('elevation.interrupted');
    expect(renderMessage(en, e.info.message)).toContain('20261130T201500Z-0a1b2c, 20261130T201501Z-3d4e5f');
  });

  it('a second job while one runs is refused, whatever its kind or plan; the next one after it runs', async () => {
    const { portal, sys } = el8();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const calls: string[] = [];
    const exec: SudoPromptExec = (command, options, cb) => {
      calls.push(command);
      void (async () => {
        await gate;
        const r = await execa('/bin/sh', ['-c', command], { reject: false, env: { ...options.env, LANG: 'C' } });
        cb(r.exitCode === 0 ? undefined : new Error('Command failed'), String(r.stdout), String(r.stderr));
      })();
    };
    const app = windowService(sys, exec);
    await app.loadInput('hosts', portal);
    const first = (await app.plan({ hosts: true, ipv6: false })).plan!;
    const second = (await app.plan({ hosts: false, ipv6: true })).plan!;
    const running = app.apply(first.planId, { progress: () => {} }, 'en');
    const bound = Date.now() + 20_000;
    while (calls.length === 0 && Date.now() < bound) await new Promise((r) => setTimeout(r, 10));
    // While the first waits at the administrator prompt: another plan, and a revert, are refused at once.
    try {
      const refused = await Promise.allSettled([
        app.apply(second.planId, { progress: () => {} }, 'en'),
        app.revert(undefined, { deactivate: false, agent: 'keep' }, { progress: () => {} }, 'en'),
      ]);
      for (const r of refused) {
        expect(r.status).toBe('rejected');
        const e = (r as PromiseRejectedResult).reason as DsaError;
        expect(e.code).toBe('elevation.busy');
        expect(renderMessage(en, e.info.message)).toBe(
          'another job started from this window is still running: wait for it to finish before starting this one',
        );
      }
      expect(calls).toHaveLength(1);
    } finally {
      // A failed expectation must not leave the first job waiting for the end of the test's time.
      release();
    }
    expect(await running).toMatchObject({ outcome: 'applied', ok: true, steps: [{ id: 'hosts', status: 'applied' }] });
    // Once it is done, the next job runs.
    expect(await app.apply(second.planId, { progress: () => {} }, 'en')).toMatchObject({
      ok: true,
      steps: [{ id: 'ipv6', status: 'applied' }],
    });
    expect(calls).toHaveLength(2);
  });
});

describe('an elevated run that ends without a result says only what is known', () => {
  async function plan(sys: SystemContext, portal: string): Promise<Job> {
    return { kind: 'apply', plan: await buildPlan(sys, await stepRequests({ hostsFile: portal })) };
  }
  function run(sys: SystemContext, j: Job, exec: SudoPromptExec, newRun?: boolean) {
    const args = jobArgs(sys, 'en', j);
    return runElevatedJob({
      args,
      elevation: { execPath: process.execPath, cliPath: CLI, sudoExec: exec, hasPolkitAgent: async () => true },
      runsDir: runsDir(sys),
      platform: 'linux',
      manual: () => manualCommand(args, 'linux', tempDir()),
      pollMs: 10,
      ...(newRun === undefined ? {} : { newRun }),
    });
  }
  const dies: SudoPromptExec = (command, _o, cb) => cb(new Error(`Command failed: ${command}\nKilled`), '', '');

  it('with the journal readable and no run in it: failed before it started (nothing changed)', async () => {
    const { portal, sys } = el8();
    const e = (await run(sys, await plan(sys, portal), dies).catch((x: unknown) => x)) as DsaError;
    expect(e.code).toBe('elevation.failed');
  });

  it('with the runs directory unreadable: the outcome is unknown, never "failed before it started"', async () => {
    const { portal, sys } = el8();
    const exec: SudoPromptExec = (command, _o, cb) => {
      // What the GUI user meets when the runs directory cannot be listed (here: not a directory at all).
      mkdirSync(sys.stateDir, { recursive: true });
      writeFileSync(runsDir(sys), 'x');
      setTimeout(() => cb(new Error(`Command failed: ${command}`), '', ''), 50);
    };
    const e = (await run(sys, await plan(sys, portal), exec).catch((x: unknown) => x)) as DsaError;
    expect(e.code).toBe('elevation.unknownOutcome');
    const text = renderMessage(en, e.info.message);
    expect(text).toMatch(/^the run as administrator ended without a result, and its journal could not be read/);
    expect(text).not.toMatch(/before it started|nothing/);
    expect(renderMessage(en, e.info.remedy!)).toContain('dsa-setup revert --list');
    expect(renderMessage(ja, e.info.message)).toContain('何が変更されたかはわかりません');
  });

  it("with a new run's journal unreadable: unknown too", async () => {
    const { portal, sys } = el8();
    const exec: SudoPromptExec = (command, _o, cb) => {
      // A run directory appears whose events.jsonl cannot be read as a file.
      const dir = join(runsDir(sys), '20261130T201500Z-abcdef', 'events.jsonl');
      execaSync('mkdir', ['-p', dir]);
      setTimeout(() => cb(new Error(`Command failed: ${command}`), '', ''), 50);
    };
    const e = (await run(sys, await plan(sys, portal), exec).catch((x: unknown) => x)) as DsaError;
    expect(e.code).toBe('elevation.unknownOutcome');
  });

  it('a revert that dies without a result is unknown (it journals into the run it undoes, no new run shows it)', async () => {
    const { sys } = el8();
    const e = (await run(sys, { kind: 'revert', runId: 'x', deactivate: false, agent: 'keep' }, dies, false).catch(
      (x: unknown) => x,
    )) as DsaError;
    expect(e.code).toBe('elevation.unknownOutcome');
  });

  /** sudo-prompt's answer when pkexec was not elevated: its message replaced, Node's exit status kept (`code`). */
  const pkexecExit =
    (code: number, stderr: string): SudoPromptExec =>
    (_command, _o, cb) =>
      cb(Object.assign(new Error(SUDO_PERMISSION_DENIED), { code }), 'ignored', stderr);

  it('pkexec refused (exit 127, "Not authorized"): not a cancel; the command to run in a terminal, nothing changed', async () => {
    const { root, portal, sys } = el8();
    const before = readFileSync(join(root, 'etc/hosts'), 'utf8');
    // pkexec's own words when polkit refuses (published in many issue reports, e.g. systemd/systemd#15634).
    const refused = pkexecExit(
      127,
      'Error executing command as another user: Not authorized\n\nThis incident has been reported.\n',
    );
    const e = (await run(sys, await plan(sys, portal), refused).catch((x: unknown) => x)) as DsaError;
    expect(e).toMatchObject({
      code: 'elevation.manual',
      exitCode: 3,
      info: { message: { params: { reason: 'refused' } } },
    });
    expect(String(e.info.message.params.command)).toMatch(/^sudo dsa-setup --root \S+ apply --plan \S+$/);
    // The window: the reason in its words and the command, the system untouched.
    const app = windowService(sys, refused);
    await app.loadInput('hosts', portal);
    const view = await app.apply(
      (await app.plan({ hosts: true, ipv6: false })).plan!.planId,
      { progress: () => {} },
      'en',
    );
    expect(view).toMatchObject({ outcome: 'manual', ok: false, manual: { reason: 'refused' } });
    expect(en('ui.apply.refused')).toMatch(/refused.*Nothing was changed\.$/);
    expect(ja('ui.apply.refused')).toContain('拒否');
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe(before);
  });

  it('the prompt dismissed (pkexec exit 126) stays a cancel: try again with the password', async () => {
    const { portal, sys } = el8();
    const e = (await run(sys, await plan(sys, portal), pkexecExit(126, '')).catch((x: unknown) => x)) as DsaError;
    expect(e.code).toBe('elevation.cancelled');
    expect(renderMessage(en, e.info.remedy!)).toBe("try again and enter an administrator's password when asked");
  });
});
