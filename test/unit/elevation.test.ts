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
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { createSystemContext } from '../../main/core/system.js';
import { buildPlan } from '../../main/core/engine/plan.js';
import { runsDir, type StampedEvent } from '../../main/core/engine/journal.js';
import { stepRequests } from '../../main/core/steps/requests.js';
import {
  applyElevated,
  SUDO_NO_POLKIT_AGENT,
  SUDO_PERMISSION_DENIED,
  type SudoPromptExec,
} from '../../main/core/elevation/elevatedApply.js';
import { sudoPromptCommand } from '../../main/core/elevation/commandLine.js';
import { watchNewRuns } from '../../main/core/elevation/journalTail.js';
import { hasGraphicalPolkitAgent } from '../../main/core/elevation/polkit.js';
import { DsaError } from '../../main/core/errors.js';
import { translator } from '../../main/core/i18n.js';

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
  planFile: string;
  planMode: number;
  plan: unknown;
}

/**
 * A stand-in for @vscode/sudo-prompt's exec: records the call and the plan file as it was during the call, then
 * either runs the command string the way sudo-prompt does (a shell, with the given env), or answers as a
 * cancelled prompt, or runs it and reports "User did not grant permission." without output (kdesudo does that).
 */
function standIn(mode: 'run' | 'cancel' | 'runLoseOutput' | 'noAgent', during?: (c: Call) => Promise<string>) {
  const calls: Call[] = [];
  const exec: SudoPromptExec = (command, options, cb) => {
    const planFile = /'apply' '--plan' '([^']+)'/.exec(command)![1]!;
    const call: Call = {
      command,
      env: options.env,
      planFile,
      planMode: statSync(planFile).mode & 0o777,
      plan: JSON.parse(readFileSync(planFile, 'utf8')),
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

async function el8Plan() {
  const root = makeRoot({
    ...OS_RELEASE.el8,
    hosts: '127.0.0.1 localhost\n',
    replies: [{ command: 'sysctl', args: ['--system'] }],
  });
  const portal = join(tempDir(), 'VMSecurity_hosts_cln.txt');
  writeFileSync(portal, '203.0.113.10 dsm01.example.jp\r\n');
  const sys = createSystemContext({ root });
  const plan = await buildPlan(sys, await stepRequests({ hostsFile: portal, disableIpv6: true }));
  return { root, sys, plan };
}

const base = {
  execPath: process.execPath,
  cliPath: CLI,
  platform: 'linux' as const,
  isElevated: async () => false,
  hasPolkitAgent: async () => true,
};

describe('elevation service: one prompt per plan, progress from the journal', () => {
  it('runs `<electron> <cli> apply --plan FILE --yes --json` once with ELECTRON_RUN_AS_NODE=1; the 0600 plan file is gone afterwards', async () => {
    const { root, sys, plan } = await el8Plan();
    const work = tempDir();
    const s = standIn('run');
    const events: StampedEvent[] = [];
    const r = await applyElevated({
      ...base,
      sys,
      plan,
      sudoExec: s.exec,
      workDir: work,
      onEvent: (e) => events.push(e),
    });

    expect(s.calls).toHaveLength(1); // one elevation for a plan of two steps
    const call = s.calls[0]!;
    expect(call.env).toEqual({ ELECTRON_RUN_AS_NODE: '1' });
    expect(call.planMode).toBe(0o600);
    expect(call.plan).toEqual(JSON.parse(JSON.stringify(plan)));
    expect(call.command).toBe(
      `'${process.execPath}' '${CLI}' '--root' '${root}' 'apply' '--plan' '${call.planFile}' '--yes' '--json'`,
    );
    expect(existsSync(call.planFile)).toBe(false);
    expect(readdirSync(work)).toEqual([]);

    expect(r.elevated).toBe(true);
    expect(r.outcome).toMatchObject({
      ok: true,
      steps: [
        { id: 'hosts', status: 'applied', verified: true },
        { id: 'ipv6', status: 'applied', verified: true },
      ],
    });
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

  it('delivers progress while the run is still writing its journal (a growing events.jsonl, torn lines included)', async () => {
    const { sys, plan } = await el8Plan();
    const seen: { e: StampedEvent; at: number }[] = [];
    let answeredAt = 0;
    const waitSeen = async (n: number): Promise<void> => {
      for (let i = 0; i < 200 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      if (seen.length < n) throw new Error(`the service did not pass on event ${n} while the run was going`);
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
    const r = await applyElevated({
      ...base,
      sys,
      plan,
      sudoExec: s.exec,
      pollMs: 20,
      onEvent: (e) => seen.push({ e, at: Date.now() }),
    });
    expect(seen.map((x) => x.e.type)).toEqual(['run.start', 'step.start', 'step.done', 'step.start', 'run.done']);
    expect(seen.every((x) => x.at <= answeredAt)).toBe(true);
    expect(r.events).toHaveLength(5);
  });

  it('a cancelled prompt is a translated DsaError (exit 3), nothing changed, the plan file removed', async () => {
    const { root, sys, plan } = await el8Plan();
    const work = tempDir();
    const s = standIn('cancel');
    const err = await applyElevated({ ...base, sys, plan, sudoExec: s.exec, workDir: work }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DsaError);
    expect(err).toMatchObject({
      code: 'prep.elevation.cancelled',
      exitCode: 3,
      remedyKey: 'prep.elevation.cancelledRemedy',
    });
    expect(translator('en')('prep.elevation.cancelled')).toBe(
      'the administrator prompt was cancelled: nothing was changed',
    );
    expect(translator('ja')('prep.elevation.cancelled')).toContain('キャンセル');
    expect(readdirSync(work)).toEqual([]);
    expect(existsSync(runsDir(sys))).toBe(false);
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe('127.0.0.1 localhost\n');
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
    const s = standIn('runLoseOutput');
    const r = await applyElevated({ ...base, sys, plan, sudoExec: s.exec });
    expect(r.outcome.ok).toBe(false);
    expect(r.outcome.runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(r.outcome.steps).toEqual([
      expect.objectContaining({
        id: 'ipv6',
        status: 'failed',
        error: expect.objectContaining({ code: 'exec.failed' }),
      }),
    ]);
  });

  it('Linux without a graphical polkit agent: a clear error with the sudo command to run instead; the plan is kept for it', async () => {
    const { root, sys, plan } = await el8Plan();
    const keep = tempDir();
    const s = standIn('run');
    const err = (await applyElevated({
      ...base,
      hasPolkitAgent: async () => false,
      sys,
      plan,
      sudoExec: s.exec,
      keepDir: keep,
    }).catch((e: unknown) => e)) as DsaError;
    expect(s.calls).toHaveLength(0);
    expect(err).toMatchObject({ code: 'prep.elevation.noPolkitAgent', exitCode: 3 });
    const file = String(err.params.file);
    expect(err.params.command).toBe(`sudo dsa-setup --root ${root} apply --plan ${file}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(plan)));
    expect(translator('en')(err.remedyKey!, err.params)).toBe(`run this in a terminal instead: ${err.params.command}`);
    // The same when sudo-prompt itself finds no agent.
    const err2 = await applyElevated({ ...base, sys, plan, sudoExec: standIn('noAgent').exec, keepDir: keep }).catch(
      (e: unknown) => e,
    );
    expect(err2).toMatchObject({ code: 'prep.elevation.noPolkitAgent' });
  });

  it('already elevated: applies in process, no prompt; a second request for the same plan while it runs is refused', async () => {
    const { sys, plan } = await el8Plan();
    const s = standIn('run');
    const events: StampedEvent[] = [];
    const [a, b] = await Promise.allSettled([
      applyElevated({
        ...base,
        isElevated: async () => true,
        sys,
        plan,
        sudoExec: s.exec,
        onEvent: (e) => events.push(e),
      }),
      applyElevated({ ...base, isElevated: async () => true, sys, plan, sudoExec: s.exec }),
    ]);
    expect(s.calls).toHaveLength(0);
    expect(a.status === 'fulfilled' && a.value).toMatchObject({ elevated: false, outcome: { ok: true } });
    expect(b.status === 'rejected' && b.reason).toMatchObject({ code: 'prep.elevation.busy' });
    expect(events.map((e) => e.type)).toContain('run.done');
  });

  it('quotes the command for sudo-prompt and refuses characters it cannot pass safely', () => {
    expect(sudoPromptCommand(['/opt/DSA Setup/dsa-setup', 'apply'], 'linux')).toBe(
      `'/opt/DSA Setup/dsa-setup' 'apply'`,
    );
    expect(sudoPromptCommand(['C:\\Program Files\\DSA Setup\\dsa-setup.exe', '--plan'], 'win32')).toBe(
      '"C:\\Program Files\\DSA Setup\\dsa-setup.exe" "--plan"',
    );
    for (const bad of ["/tmp/it's", '/tmp/$HOME', '/tmp/a`id`', '/tmp/"x"'])
      expect(() => sudoPromptCommand([bad], 'linux')).toThrow(DsaError);
    expect(() => sudoPromptCommand(['C:\\Users\\A&B\\plan.json'], 'win32')).toThrow(/unsafePath/);
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
