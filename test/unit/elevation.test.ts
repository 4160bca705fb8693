import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { createSystemContext, SANDBOX_DIR, type SystemContext } from '../../main/core/system.js';
import { buildPlan } from '../../main/core/engine/plan.js';
import { runsDir, type StampedEvent } from '../../main/core/engine/journal.js';
import { stepRequests } from '../../main/core/steps/requests.js';
import {
  runElevatedJob,
  SUDO_NO_POLKIT_AGENT,
  SUDO_PERMISSION_DENIED,
  type ElevatedJobOptions,
  type SudoPromptExec,
} from '../../main/core/elevation/elevatedJob.js';
import { shellCommand, sudoPromptCommand } from '../../main/core/elevation/commandLine.js';
import { jobArgs, loadJobArgs, manualCommand, type Job, type JobArgs } from '../../main/core/application/jobs.js';
import { createAppService } from '../../main/core/application/service.js';
import type { ApplyOutcome } from '../../main/core/engine/apply.js';
import { watchNewRuns } from '../../main/core/elevation/journalTail.js';
import { hasGraphicalPolkitAgent } from '../../main/core/elevation/polkit.js';
import { DsaError } from '../../main/core/errors.js';
import { translator } from '../../main/core/i18n.js';
import { msg, renderMessage } from '../../main/core/message.js';

const dirs: string[] = [];
afterAll(() => {
  cleanupRoots();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'dsa-elev-'));
  dirs.push(d);
  return d;
};

interface Call {
  command: string;
  env: Record<string, string> | undefined;
  argsFile: string;
  argsMode: number;
  args: JobArgs;
}

/**
 * A stand-in for @vscode/sudo-prompt's exec: records the call and the plan file as it was during the call, then
 * either runs the command string the way sudo-prompt does (a shell, with the given env), or answers as a
 * cancelled prompt, or runs it and reports "User did not grant permission." without output (kdesudo does that).
 */
function standIn(mode: 'run' | 'cancel' | 'runLoseOutput' | 'noAgent', during?: (c: Call) => Promise<string>) {
  const calls: Call[] = [];
  const exec: SudoPromptExec = (command, options, cb) => {
    const argsFile = /'job' '--args' '([^']+)'/.exec(command)![1]!;
    const call: Call = {
      command,
      env: options.env,
      argsFile,
      argsMode: statSync(argsFile).mode & 0o777,
      args: JSON.parse(readFileSync(argsFile, 'utf8')) as JobArgs,
    };
    calls.push(call);
    void (async () => {
      if (during)
        return during(call).then(
          (out) => cb(undefined, out, ''),
          (e: unknown) => cb(e as Error, '', ''),
        );
      if (mode === 'cancel') return cb(new Error(SUDO_PERMISSION_DENIED), '', '');
      if (mode === 'noAgent') return cb(new Error(SUDO_NO_POLKIT_AGENT), '', '');
      const r = await execa('/bin/sh', ['-c', command], { reject: false, env: { ...options.env, LANG: 'C' } });
      if (mode === 'runLoseOutput') return cb(new Error(SUDO_PERMISSION_DENIED), '', '');
      return cb(
        r.exitCode === 0 ? undefined : new Error(`Command failed: ${command}`),
        String(r.stdout),
        String(r.stderr),
      );
    })();
  };
  return { exec, calls };
}

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

async function el8Plan() {
  const { root, portal, sys } = el8();
  const plan = await buildPlan(sys, await stepRequests({ hostsFile: portal, disableIpv6: true }));
  return { root, sys, plan };
}

/** One elevated job on `sys` through the stand-in prompt (the app's real CLI when it runs the command). */
function job(
  sys: ReturnType<typeof createSystemContext>,
  j: Job,
  exec: SudoPromptExec,
  more: Partial<ElevatedJobOptions> = {},
) {
  const args = jobArgs(sys, 'en', j);
  return runElevatedJob({
    args,
    elevation: { execPath: process.execPath, cliPath: CLI, sudoExec: exec, hasPolkitAgent: async () => true },
    runsDir: runsDir(sys),
    platform: 'linux',
    manual: () => manualCommand(args, 'linux', tempDir()),
    ...more,
  });
}

/** Names a Windows download portal and a Japanese desktop give files. */
const ODD_NAMES = ['cln12345_Activation_Command (1).txt', '有効化コマンド.txt'];

describe('one elevated job: an args file, the app CLI run once, progress from the journal', () => {
  it('runs `<electron> <cli> job --args FILE --json` once with ELECTRON_RUN_AS_NODE=1; the 0600 args file is gone afterwards', async () => {
    const { root, sys, plan } = await el8Plan();
    const work = tempDir();
    const s = standIn('run');
    const events: StampedEvent[] = [];
    const r = await job(sys, { kind: 'apply', plan }, s.exec, { workDir: work, onEvent: (e) => events.push(e) });

    expect(s.calls).toHaveLength(1); // one elevation for a plan of two steps
    const call = s.calls[0]!;
    expect(call.env).toEqual({ ELECTRON_RUN_AS_NODE: '1' });
    expect(call.argsMode).toBe(0o600);
    expect(call.args).toEqual({
      format: 'dsa-setup-job/1',
      root,
      lang: 'en',
      job: JSON.parse(JSON.stringify({ kind: 'apply', plan })),
    });
    expect(call.command).toBe(`'${process.execPath}' '${CLI}' 'job' '--args' '${call.argsFile}' '--json'`);
    expect(existsSync(call.argsFile)).toBe(false);
    expect(readdirSync(work)).toEqual([]);

    expect(r.output).toMatchObject({
      ok: true,
      steps: [
        { id: 'hosts', status: 'applied', verified: true },
        { id: 'ipv6', status: 'applied', verified: true },
      ],
    });
    expect(r.runIds).toEqual([(r.output as ApplyOutcome).runId]);
    expect(events.map((e) => e.type + ('step' in e ? `:${e.step}` : ''))).toEqual([
      'run.start',
      'step.start:hosts',
      // Write-ahead: each action's intent is journaled before it runs, its completion after.
      'file.intent:hosts',
      'file.write:hosts',
      'step.done:hosts',
      'step.start:ipv6',
      'file.intent:ipv6',
      'file.write:ipv6',
      'command.intent:ipv6',
      'command:ipv6',
      'step.done:ipv6',
      'run.done',
    ]);
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toContain('203.0.113.10');
  });

  it('user-given paths with spaces, parentheses and Japanese travel in the args file, never on the command line', async () => {
    const { sys } = await el8Plan();
    for (const name of ODD_NAMES) {
      const file = join(tempDir(), name);
      writeFileSync(file, '/opt/ds_agent/dsa_control -a dsm://dsm01.example.jp:4120/ "hostname:web01"\n');
      const hosts = join(tempDir(), `VMSecurity_hosts_cln (2) ホスト.txt`);
      const s = standIn('run', async (c) => {
        // The elevated side reads the same names back, validated.
        const back = await loadJobArgs(c.argsFile);
        expect(back.job).toEqual({
          kind: 'activate',
          activationFile: file,
          reset: true,
          hostsFile: hosts,
          hostname: 'web01',
        });
        return JSON.stringify({ ok: true });
      });
      await job(
        sys,
        { kind: 'activate', activationFile: file, reset: true, hostsFile: hosts, hostname: 'web01' },
        s.exec,
      );
      const { command } = s.calls[0]!;
      expect(command).not.toContain(name);
      expect(command).not.toContain('ホスト');
      expect(command).toMatch(/^'[^']+' '[^']+' 'job' '--args' '[^']+\/job\.json' '--json'$/);
      // Without a prompt, the command to type is quoted so a shell reads each path as one argument.
      const manual = await manualCommand(
        jobArgs(sys, 'en', { kind: 'activate', activationFile: file, reset: false }),
        'linux',
      );
      expect(manual.command).toBe(`sudo dsa-setup --root ${sys.root} activate --activation-file '${file}'`);
      const onWindows = await manualCommand(
        jobArgs(sys, 'en', { kind: 'activate', activationFile: `C:\\Users\\o'brien\\${name}`, reset: true }),
        'win32',
      );
      expect(onWindows.command).toBe(
        `dsa-setup --root ${sys.root} activate --activation-file 'C:\\Users\\o''brien\\${name}' --reset`,
      );
      expect(onWindows.remedy).toEqual(msg('elevation.manualRemedyWindows', { command: onWindows.command }));
      const argv = execaSync('bash', ['-c', `printf '%s\\n' ${manual.command.replace(/^sudo /, '')}`]).stdout.split(
        '\n',
      );
      expect(argv).toEqual(['dsa-setup', '--root', sys.root, 'activate', '--activation-file', file]);
    }
  });

  it('delivers progress while the run is still writing its journal (a growing events.jsonl, torn lines included)', async () => {
    const { sys, plan } = await el8Plan();
    const seen: { e: StampedEvent; at: number }[] = [];
    let answeredAt = 0;
    const waitSeen = async (n: number): Promise<void> => {
      for (let i = 0; i < 200 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      if (seen.length < n) throw new Error(`the job did not pass on event ${n} while the run was going`);
    };
    const s = standIn('run', async () => {
      // Plays the elevated CLI: its journal grows line by line; each line must reach the GUI before the next.
      const dir = join(runsDir(sys), '20990101T000000Z-abcdef');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'events.jsonl');
      const lines = [
        { type: 'run.start', runId: '20990101T000000Z-abcdef', root: sys.root, steps: ['hosts', 'ipv6'] },
        { type: 'step.start', step: 'hosts' },
        { type: 'step.done', step: 'hosts', verified: true, detail: { key: 'k', params: {} } },
        { type: 'step.start', step: 'ipv6' },
      ].map((e) => JSON.stringify({ t: new Date().toISOString(), ...e }) + '\n');
      for (let i = 0; i < lines.length; i++) {
        appendFileSync(file, lines[i]!);
        await waitSeen(i + 1);
      }
      const last = JSON.stringify({ t: 'x', type: 'run.done', ok: true, rebootRequired: false }) + '\n';
      appendFileSync(file, last.slice(0, 12)); // a torn line: not an event yet
      await new Promise((r) => setTimeout(r, 120));
      expect(seen).toHaveLength(4);
      appendFileSync(file, last.slice(12));
      await waitSeen(5);
      answeredAt = Date.now();
      return JSON.stringify({
        runId: '20990101T000000Z-abcdef',
        journalDir: dir,
        ok: true,
        rebootRequired: false,
        steps: [],
      });
    });
    const r = await job(sys, { kind: 'apply', plan }, s.exec, {
      pollMs: 20,
      onEvent: (e) => seen.push({ e, at: Date.now() }),
    });
    expect(seen.map((x) => x.e.type)).toEqual(['run.start', 'step.start', 'step.done', 'step.start', 'run.done']);
    expect(seen.every((x) => x.at <= answeredAt)).toBe(true);
    expect(r.events).toHaveLength(5);
  });

  it('a cancelled prompt is a translated DsaError (exit 3), nothing changed, the args file removed', async () => {
    const { root, sys, plan } = await el8Plan();
    const work = tempDir();
    const err = await job(sys, { kind: 'apply', plan }, standIn('cancel').exec, { workDir: work }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DsaError);
    expect(err).toMatchObject({
      code: 'elevation.cancelled',
      exitCode: 3,
      info: { remedy: { key: 'elevation.cancelledRemedy' } },
    });
    expect(translator('en')('elevation.cancelled')).toBe('the administrator prompt was cancelled: nothing was changed');
    expect(translator('ja')('elevation.cancelled')).toContain('キャンセル');
    expect(readdirSync(work)).toEqual([]);
    expect(existsSync(runsDir(sys))).toBe(false);
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe('127.0.0.1 localhost\n');
  });

  it('one deadline and one cancel: a prompt that never answers ends at the timeout, a cancelled window stops waiting', async () => {
    const { sys, plan } = await el8Plan();
    const never: SudoPromptExec = () => {};
    const late = await job(sys, { kind: 'apply', plan }, never, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(late).toMatchObject({
      code: 'elevation.timedOut',
      info: { message: { params: { minutes: 0 } } },
      exitCode: 1,
    });
    const ac = new AbortController();
    const pending = job(sys, { kind: 'apply', plan }, never, { signal: ac.signal }).catch((e: unknown) => e);
    ac.abort();
    expect(await pending).toMatchObject({ code: 'elevation.cancelled', exitCode: 3 });
  });

  it('"User did not grant permission" after the run started is a failed run (read from the journal), not a cancel', async () => {
    const root = makeRoot({ ...OS_RELEASE.el6 });
    mkdirSync(join(root, '.sandbox'));
    writeFileSync(
      join(root, '.sandbox/exec-replies.json'),
      JSON.stringify([
        {
          command: 'chkconfig',
          args: ['--list', 'ip6tables'],
          stdout: 'ip6tables 0:off 1:off 2:on 3:on 4:on 5:on 6:off\n',
        },
        {
          command: 'chkconfig',
          args: ['ip6tables', 'off'],
          exitCode: 1,
          stderr: 'error reading information on service ip6tables\n',
        },
      ]),
    );
    const sys = createSystemContext({ root });
    const plan = await buildPlan(sys, [{ stepId: 'ipv6', input: { method: 'addressing' } }]);
    const r = await job(sys, { kind: 'apply', plan }, standIn('runLoseOutput').exec);
    expect(r.output).toBeNull();
    expect(r.runIds).toHaveLength(1);
    expect(r.runIds[0]).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(r.events).toContainEqual(
      expect.objectContaining({
        type: 'step.failed',
        step: 'ipv6',
        error: expect.objectContaining({ code: 'exec.failed' }),
      }),
    );
  });

  it('Linux without a graphical polkit agent: the quoted command to run instead; the plan is kept for it (0600)', async () => {
    const { root, sys, plan } = await el8Plan();
    const s = standIn('run');
    const err = (await job(sys, { kind: 'apply', plan }, s.exec, {
      elevation: { execPath: process.execPath, cliPath: CLI, sudoExec: s.exec, hasPolkitAgent: async () => false },
    }).catch((e: unknown) => e)) as DsaError;
    expect(s.calls).toHaveLength(0);
    expect(err).toMatchObject({
      code: 'elevation.manual',
      exitCode: 3,
      info: { message: { params: { reason: 'noPolkit' } } },
    });
    const { params } = err.info.message;
    const file = String(params.file);
    expect(params.command).toBe(`sudo dsa-setup --root ${root} apply --plan ${file}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(plan)));
    expect(renderMessage(translator('en'), err.info.remedy!)).toBe(`run this in a terminal instead: ${params.command}`);
    // The same when sudo-prompt itself finds no agent.
    const err2 = await job(sys, { kind: 'apply', plan }, standIn('noAgent').exec).catch((e: unknown) => e);
    expect(err2).toMatchObject({ code: 'elevation.manual', info: { message: { params: { reason: 'noPolkit' } } } });
  });

  it('already elevated, the app applies in process with no prompt; a second apply of the same plan while it runs is refused', async () => {
    const { sys } = await el8Plan();
    const portal = join(tempDir(), 'VMSecurity_hosts_cln.txt');
    writeFileSync(portal, '203.0.113.10 dsm01.example.jp\r\n');
    const s = standIn('run');
    const app = createAppService(sys, {
      pickFile: async () => null,
      saveFile: async () => null,
      openExternal: async () => {},
      isAdmin: async () => true,
      lang: () => 'en',
      elevation: { execPath: process.execPath, cliPath: CLI, sudoExec: s.exec },
    });
    await app.loadInput('hosts', portal);
    const { plan } = await app.plan({});
    const events: StampedEvent[] = [];
    const [a, b] = await Promise.allSettled([
      app.apply(plan!.planId, { progress: () => {}, event: (e) => events.push(e) }, 'en'),
      app.apply(plan!.planId, { progress: () => {} }, 'en'),
    ]);
    expect(s.calls).toHaveLength(0);
    expect(a.status === 'fulfilled' && a.value).toMatchObject({ outcome: 'applied', ok: true });
    expect(b.status === 'rejected' && b.reason).toMatchObject({ code: 'elevation.busy' });
    expect(events.map((e) => e.type)).toContain('run.done');
  });

  it('without rights, reverting from the window is one elevated job too; with no way to ask, the command to run', async () => {
    const { root, sys } = await el8Plan();
    const portal = join(tempDir(), 'VMSecurity_hosts_cln.txt');
    writeFileSync(portal, '203.0.113.10 dsm01.example.jp\r\n');
    const before = readFileSync(join(root, 'etc/hosts'), 'utf8');
    const s = standIn('run');
    const shell = {
      pickFile: async () => null,
      saveFile: async () => null,
      openExternal: async () => {},
      lang: () => 'en' as const,
      elevation: { execPath: process.execPath, cliPath: CLI, sudoExec: s.exec, hasPolkitAgent: async () => true },
    };
    // Applied with rights (in process), then reverted by a window without them.
    const admin = createAppService(sys, { ...shell, isAdmin: async () => true });
    await admin.loadInput('hosts', portal);
    const { plan } = await admin.plan({ hosts: true, ipv6: false });
    await admin.apply(plan!.planId, { progress: () => {} }, 'en');
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).not.toBe(before);
    const user = createAppService(sys, { ...shell, isAdmin: async () => false });
    const r = await user.revert(undefined, { deactivate: false, agent: 'keep' }, { progress: () => {} }, 'en');
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]!.args.job).toMatchObject({ kind: 'revert', runId: r.runId, deactivate: false, agent: 'keep' });
    expect(r.files.map((f) => f.path)).toEqual(['/etc/hosts']);
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe(before);
    // No polkit agent: the command to run by hand, quoted, naming the run.
    const manual = await manualCommand(
      jobArgs(sys, 'en', { kind: 'revert', runId: r.runId, deactivate: true, agent: 'remove' }),
      'linux',
    );
    expect(manual.command).toBe(`sudo dsa-setup --root ${root} revert --run ${r.runId} --remove-agent --deactivate`);
    // The window's default keeps the agent: the command says so.
    const keep = await manualCommand(
      jobArgs(sys, 'en', { kind: 'revert', runId: r.runId, deactivate: false, agent: 'keep' }),
      'linux',
    );
    expect(keep.command).toBe(`sudo dsa-setup --root ${root} revert --run ${r.runId} --keep-agent`);
  });

  it('quotes the command for sudo-prompt and refuses characters it cannot pass safely; the manual command quotes what a shell would split', () => {
    expect(sudoPromptCommand(['/opt/DSA Setup/dsa-setup', 'job'], 'linux')).toBe(`'/opt/DSA Setup/dsa-setup' 'job'`);
    expect(sudoPromptCommand(['C:\\Program Files\\DSA Setup\\dsa-setup.exe', '--args'], 'win32')).toBe(
      '"C:\\Program Files\\DSA Setup\\dsa-setup.exe" "--args"',
    );
    for (const bad of ["/tmp/it's", '/tmp/$HOME', '/tmp/a`id`', '/tmp/"x"'])
      expect(() => sudoPromptCommand([bad], 'linux')).toThrow(DsaError);
    expect(() => sudoPromptCommand(['C:\\Users\\A&B\\job.json'], 'win32')).toThrow(/unsafePath/);
    expect(
      shellCommand(['sudo', 'dsa-setup', '--activation-file', '/home/a/cln12345_Activation_Command (1).txt'], 'linux'),
    ).toBe("sudo dsa-setup --activation-file '/home/a/cln12345_Activation_Command (1).txt'");
    expect(shellCommand(['--activation-file', "/home/o'brien/有効化コマンド.txt"], 'linux')).toBe(
      "--activation-file '/home/o'\\''brien/有効化コマンド.txt'",
    );
    expect(shellCommand(['dsa-setup', '--activation-file', "C:\\Users\\o'brien\\有効化 (1).txt"], 'win32')).toBe(
      "dsa-setup --activation-file 'C:\\Users\\o''brien\\有効化 (1).txt'",
    );
  });

  it('a runs directory the GUI cannot read gives no progress, not a crash', async () => {
    const notADir = join(tempDir(), 'runs');
    writeFileSync(notADir, 'x');
    const w = watchNewRuns(notADir, { pollMs: 10 });
    await new Promise((r) => setTimeout(r, 50));
    expect(await w.stop()).toEqual([]);
  });

  it('finds a graphical polkit agent among the processes (and none without pkexec)', async () => {
    const proc = tempDir();
    mkdirSync(join(proc, '1'));
    writeFileSync(join(proc, '1/cmdline'), '/sbin/init\0splash\0');
    expect(await hasGraphicalPolkitAgent(proc, '/usr/bin/pkexec')).toBe(false);
    mkdirSync(join(proc, '4242'));
    writeFileSync(join(proc, '4242/cmdline'), '/usr/lib/policykit-1-gnome/polkit-gnome-authentication-agent-1\0');
    expect(await hasGraphicalPolkitAgent(proc, '/usr/bin/pkexec')).toBe(true);
    expect(await hasGraphicalPolkitAgent(proc, null)).toBe(false);
  });
});

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
// The window's elevated jobs under real faults: the elevated run killed part-way, its journal unreadable, a second
// job started while one runs. The window must never say more than the journal and the run's own output said.

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
  const run = (sys: SystemContext, j: Job, exec: SudoPromptExec, newRun?: boolean) =>
    job(sys, j, exec, { pollMs: 10, ...(newRun === undefined ? {} : { newRun }) });
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

  it('cancelled after the run started: the app stopped waiting (the run goes on), never "nothing was changed"', async () => {
    const { portal, sys } = el8();
    const id = '20261130T201500Z-0a1b2c';
    const started: string[] = [];
    const never: SudoPromptExec = () => {
      // The elevated run has begun its journal and is still running (sudo-prompt has not answered).
      mkdirSync(join(runsDir(sys), id), { recursive: true });
      const t = new Date().toISOString();
      writeFileSync(
        join(runsDir(sys), id, 'events.jsonl'),
        JSON.stringify({ t, type: 'run.start', runId: id, root: sys.root, steps: ['hosts'], seq: 1 }) + '\n',
      );
    };
    const ac = new AbortController();
    const pending = job(sys, await plan(sys, portal), never, {
      pollMs: 10,
      signal: ac.signal,
      onEvent: (e) => {
        started.push(e.type);
        ac.abort();
      },
    }).catch((x: unknown) => x);
    const e = (await pending) as DsaError;
    expect(started).toEqual(['run.start']);
    expect(e.code).toBe('elevation.stoppedWaiting');
    expect(renderMessage(en, e.info.message)).toBe(
      `the app stopped waiting for the run as administrator (run ${id}); it had already started and may still be changing this system`,
    );
  });

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
