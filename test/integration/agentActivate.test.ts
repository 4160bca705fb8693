import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { cleanupRoots } from '../helpers/sandbox.js';
import { survivors } from '../helpers/processes.js';
import { startStandInManager, type StandInManager } from '../fixtures/manager/standInManager.js';
import { makeCertificates, type CertSet } from '../fixtures/manager/certs.js';
import { buildAgentRpm } from '../fixtures/agent/packages.js';
import {
  allJournalText,
  installStandIn,
  makeAgentRoot,
  runEvents,
  setStandIn,
  uniqueLoopback,
} from '../fixtures/agent/sandbox.js';

const TENANT = '9F3C2A71-4B5D-4E6F-8A9B-0C1D2E3F4A5B';
const TOKEN = 'D41D8CD9-8F00-B204-E980-0998ECF8427E';
let rpm: string;
let certs: CertSet;
let host: string;
let dir: string;
const managers: StandInManager[] = [];

beforeAll(() => {
  rpm = buildAgentRpm({ platform: 'RedHat_EL8', version: '20.0.0', build: '2395' });
  host = uniqueLoopback();
  certs = makeCertificates({ names: ['dsm.test'], ips: [host] });
  dir = mkdtempSync(join(tmpdir(), 'dsa-activate-'));
});
afterAll(async () => {
  for (const m of managers) await m.close();
  cleanupRoots();
});

async function manager(opts: Parameters<typeof startStandInManager>[0] = {}): Promise<StandInManager> {
  const m = await startStandInManager({ host, certs, ...opts });
  managers.push(m);
  return m;
}

/** A root with the scripted test agent installed and running, the manager's name in its hosts file. */
function agentRoot(opts: { hosts?: boolean; hostname?: string } = {}): string {
  const root = makeAgentRoot({
    caPem: certs.caPem,
    hosts: opts.hosts === false ? '127.0.0.1 localhost\n' : `127.0.0.1 localhost\n${host} dsm.test\n`,
    ...(opts.hostname ? { hostname: opts.hostname } : {}),
  });
  installStandIn(root, rpm);
  return root;
}

function activationFile(port: number): string {
  const f = join(dir, `activation-${port}-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(f, `/opt/ds_agent/dsa_control -a dsm://dsm.test:${port}/ "tenantID:${TENANT}" "token:${TOKEN}"\r\n`);
  return f;
}

type ActivateJson = {
  ok: boolean;
  hostname: { value: string; source: string };
  outcome: { reason: string; managerCommands: string[]; doctorChecks: string[] };
  attempts: { n: number; reason: string }[];
  contact: { reached: boolean } | null;
  identity: { kind: string }[];
  reset: boolean;
  doctor: { checks: { id: string }[] } | null;
};

const common = ['--no-doctor', '--wait', '5'];

describe('dsa-setup activate against the test manager on loopback', () => {
  it('activates, shows the host name it used and the manager commands, then status says protected', async () => {
    const m = await manager();
    const root = agentRoot();
    const r = await runCli(['--root', root, 'activate', '--activation-file', activationFile(m.port), ...common]);
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    // A Cloud One activation (tenant ID and token): no order form, and the name as Linux has it.
    expect(r.stderr).toContain(
      "Host name to register: vm01, this machine's name (uname -n). The console lists this computer under this name.",
    );
    expect(r.stderr).not.toContain('registered in the order');
    expect(r.stdout).toContain(`Activation accepted by dsm.test:${m.port} (HTTP Status: 200 - OK)`);
    expect(r.stdout).toContain('The manager sent: GetHostInfo, GetConfiguration, SetDSMCert, GetEvents');
    expect(r.stdout).toContain('activated and in contact');
    const body = JSON.parse(m.requests.at(-1)!.body) as Record<string, string>;
    expect(body).toMatchObject({ hostname: 'vm01', tenantID: TENANT, token: TOKEN });
    const s = await runCliJson<{ protecting: boolean; state: { dsmUrl: string; activated: boolean } }>([
      '--root',
      root,
      'status',
    ]);
    expect(s.exitCode).toBe(0);
    expect(s.json.protecting).toBe(true);
    expect(s.json.state.dsmUrl).toBe(`https://dsm.test:${m.port}/`);
  });

  it('stops on an already activated agent without --reset, and resets then activates with it', async () => {
    const m = await manager();
    const root = agentRoot();
    const file = activationFile(m.port);
    expect((await runCli(['--root', root, 'activate', '--activation-file', file, ...common])).exitCode).toBe(0);
    const again = await runCliJson<{ ok: boolean; error: { code: string; remedy: { key: string } } }>([
      '--root',
      root,
      'activate',
      '--activation-file',
      file,
      ...common,
    ]);
    expect(again.exitCode).toBe(1);
    expect(again.json.error.code).toBe('agent.activate.identity.alreadyActivated');
    expect(again.json.error.remedy.key).toBe('agent.activate.identity.alreadyActivatedRemedy');
    expect(again.stderr).toMatch(/what to do: .*--reset/i);
    const activations = (): number => m.requests.filter((q) => q.path === '/agent/activate').length;
    const requestsBefore = activations();
    const reset = await runCliJson<ActivateJson>([
      '--root',
      root,
      'activate',
      '--activation-file',
      file,
      '--reset',
      '--hostname',
      'vm01.example.jp',
      ...common,
    ]);
    expect(reset.exitCode, reset.stderr).toBe(0);
    expect(reset.json.reset).toBe(true);
    expect(reset.json.hostname).toEqual({ value: 'vm01.example.jp', source: 'flag' });
    // One activation request; the doctor's check of the manager before the reset only asked it over HTTPS.
    expect(activations()).toBe(requestsBefore + 1);
    expect(reset.stderr).toContain(`Checking that dsm.test:${m.port} can be reached before resetting the agent`);
    const cmds = runEvents(root)
      .at(-1)!
      .events.filter((e) => e.type === 'command') as { args: string[] }[];
    expect(cmds.map((c) => c.args[0])).toEqual(['-r', '-a']);
    expect(cmds[1]!.args.slice(0, 3)).toEqual(['-a', `dsm://dsm.test:${m.port}/`, 'hostname:vm01.example.jp']);
  });

  it('--reset toward a manager that cannot be reached refuses and leaves the agent activated; --force-reset resets', async () => {
    const m = await manager();
    const root = agentRoot();
    expect(
      (await runCli(['--root', root, 'activate', '--activation-file', activationFile(m.port), ...common])).exitCode,
    ).toBe(0);
    const runsBefore = runEvents(root).length;
    const closed = await freePort(host);
    const r = await runCliJson<{ ok: boolean; error: { code: string } }>([
      '--root',
      root,
      'activate',
      '--activation-file',
      activationFile(closed),
      '--reset',
      ...common,
    ]);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.json.error.code).toBe('agent.activate.resetRefused');
    // It says what the agent is activated with, why the new manager fails (the doctor's verdict) and the way out.
    const [said, remedy] = r.stderr.split(/\n(?=what to do:)/i);
    expect(said).toContain(`the agent is activated with https://dsm.test:${m.port}/`);
    expect(said).toContain(`dsm.test:${closed}`);
    expect(said).toMatch(/refused|connect/i);
    expect(remedy).toContain('--force-reset');
    // No dsa_control ran at all (no -r): the agent is still activated with the old manager.
    expect(runEvents(root).length).toBe(runsBefore);
    const s = await runCliJson<{ state: { activated: boolean; dsmUrl: string } }>(['--root', root, 'status']);
    expect(s.json.state.activated).toBe(true);
    expect(s.json.state.dsmUrl).toBe(`https://dsm.test:${m.port}/`);

    const forced = await runCliJson<ActivateJson & { previousManager: string }>([
      '--root',
      root,
      'activate',
      '--activation-file',
      activationFile(closed),
      '--force-reset',
      ...common,
    ]);
    expect(forced.exitCode).toBe(1);
    expect(forced.json.reset).toBe(true);
    expect(forced.json.previousManager).toBe(`https://dsm.test:${m.port}/`);
    const cmds = runEvents(root)
      .at(-1)!
      .events.filter((e) => e.type === 'command') as { args: string[] }[];
    expect(cmds.map((c) => c.args[0])).toEqual(['-r', '-a']);
    const text = await runCli(['--root', root, 'status']);
    expect(text.stdout).toContain('not activated');
  });

  it("an answer it does not recognise is called that, with the agent's reason, exit code and how to make a bundle", async () => {
    const root = agentRoot();
    writeFileSync(
      join(root, 'opt/ds_agent/dsa_control'),
      '#!/bin/sh\necho "HTTP Status: 200 - OK"\necho "Response:"\necho "Attempting to connect to https://dsm.test:4120/"\necho "Error: the agent\'s module store is locked by another update (code 7731)"\necho "For more information please visit the web page mentioned above."\nexit 3\n',
      { mode: 0o755 },
    );
    const r = await runCli(['--root', root, 'activate', '--activation-file', activationFile(4120), ...common]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("dsa-setup does not recognise the agent's answer");
    expect(r.stdout).toContain('module store is locked by another update (code 7731)');
    expect(r.stdout).toContain("The agent's answer (dsa_control, exit code 3):");
    expect(r.stdout).toContain('  | For more information please visit the web page mentioned above.');
    expect(r.stdout).toContain('sudo dsa-setup doctor --bundle dsa-setup-bundle.tar.gz');
    expect(r.stdout).not.toMatch(/registered as/i);
    // An empty answer is not "failed (exit 0)": it says the agent said nothing, and what to do.
    writeFileSync(join(root, 'opt/ds_agent/dsa_control'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const empty = await runCli(['--root', root, 'activate', '--activation-file', activationFile(4120), ...common]);
    expect(empty.exitCode).toBe(1);
    expect(empty.stdout).toContain('dsa_control ended without any output (exit 0)');
    expect(empty.stdout).toContain('(no output at all)');
  });

  it('reports an agent bound to another manager and a cloned image before activating', async () => {
    const m = await manager();
    const root = agentRoot({ hostname: 'vm02' });
    setStandIn(
      root,
      'state',
      'dsmUrl=https://old-dsm.example:4120/\nagentCertHash=ABCDEF\nhostname=vm01\nagentState=green\n',
    );
    const r = await runCli(['--root', root, 'activate', '--activation-file', activationFile(m.port), ...common]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('The agent is bound to another manager: https://old-dsm.example:4120/');
    expect(r.stderr).toContain('The agent was registered as vm01, but this machine is vm02 (a cloned image?)');
    expect(r.stderr).toContain('run with --reset (dsa_control -r, then activation)');
    expect(m.requests).toHaveLength(0);
    const ja = await runCli([
      '--lang',
      'ja',
      '--root',
      root,
      'activate',
      '--activation-file',
      activationFile(m.port),
      '--hostname',
      'vm02',
      ...common,
    ]);
    expect(ja.exitCode).toBe(1);
    expect(ja.stderr).toContain('別のマネージャーに登録されています');
  });

  it('maps a bad token to "refused" with a remedy, and runs the doctor’s checks', async () => {
    const m = await manager({ mode: 'badToken' });
    const root = agentRoot();
    const r = await runCliJson<ActivateJson>([
      '--root',
      root,
      'activate',
      '--activation-file',
      activationFile(m.port),
      '--wait',
      '1',
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.json.outcome.reason).toBe('refused');
    expect(r.json.attempts).toHaveLength(1);
    // The doctor's path checks for this manager, then the ones that explain this reason.
    const ids = r.json.doctor?.checks.map((c) => c.id) ?? [];
    for (const id of ['dns.manager', 'net.manager', 'tls.manager', ...r.json.outcome.doctorChecks])
      expect(ids).toContain(id);
    const text = await runCli(['--root', root, 'activate', '--activation-file', activationFile(m.port), ...common]);
    expect(text.stdout).toContain('The manager refused the activation');
    expect(text.stdout).toContain('Check the tenant ID and token');
  });

  it('maps a manager that is down to "cannot reach", a missing hosts line to "name not resolvable"', async () => {
    const port = await freePort(host);
    const root = agentRoot();
    const down = await runCliJson<ActivateJson>([
      '--root',
      root,
      'activate',
      '--activation-file',
      activationFile(port),
      ...common,
    ]);
    expect(down.exitCode).toBe(1);
    expect(down.json.outcome.reason).toBe('unreachable');
    const noHosts = agentRoot({ hosts: false });
    const nr = await runCliJson<ActivateJson>([
      '--root',
      noHosts,
      'activate',
      '--activation-file',
      activationFile(port),
      ...common,
    ]);
    expect(nr.json.outcome.reason).toBe('nameNotResolvable');
  });

  it('gives up on a slow manager at --timeout and says so', async () => {
    const m = await manager({ mode: 'slow', delayMs: 15_000 });
    const root = agentRoot();
    const started = Date.now();
    const r = await runCliJson<ActivateJson>([
      '--root',
      root,
      'activate',
      '--activation-file',
      activationFile(m.port),
      '--timeout',
      '2',
      ...common,
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.json.outcome.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(12_000);
  });

  it('a dsa_control that ignores SIGTERM and leaves a child does not hold --timeout 3: the whole group is killed', async () => {
    const root = agentRoot();
    const pids = join(dir, `stubborn-${process.pid}-${Math.random().toString(36).slice(2)}.pids`);
    // A hung agent tool: TERM ignored, a forked child that ignores it too and keeps the output open.
    writeFileSync(
      join(root, 'opt/ds_agent/dsa_control'),
      `#!/bin/sh\ntrap '' TERM\nsh -c "trap '' TERM; sleep 300" &\necho "$$ $!" > ${pids}\nsleep 300\n`,
      { mode: 0o755 },
    );
    const started = Date.now();
    const r = await runCliJson<ActivateJson>([
      '--root',
      root,
      'activate',
      '--activation-file',
      activationFile(4120),
      '--timeout',
      '3',
      '--retries',
      '0',
      ...common,
    ]);
    expect(r.json.outcome.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(10_000);
    const ids = readFileSync(pids, 'utf8').trim().split(' ').map(Number);
    expect(await survivors(ids)).toEqual([]);
  });

  it('retries with backoff and succeeds once the manager answers', async () => {
    const m = await manager({ mode: 'drop' });
    const root = agentRoot();
    const watcher = setInterval(() => {
      if (m.requests.length >= 2) m.setMode('success');
    }, 50);
    try {
      const r = await runCliJson<ActivateJson>([
        '--root',
        root,
        'activate',
        '--activation-file',
        activationFile(m.port),
        '--retries',
        '3',
        '--retry-delay',
        '1',
        ...common,
      ]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.json.attempts.map((a) => a.reason)).toEqual(['unreachable', 'unreachable', 'ok']);
      expect(r.stderr).toContain('Trying again in 1 s (attempt 2 of 4)');
      expect(r.stderr).toContain('Trying again in 2 s (attempt 3 of 4)');
    } finally {
      clearInterval(watcher);
    }
    // A refusal is not retried.
    const bad = await manager({ mode: 'badToken' });
    const r2 = await runCliJson<ActivateJson>([
      '--root',
      agentRoot(),
      'activate',
      '--activation-file',
      activationFile(bad.port),
      '--retries',
      '3',
      '--retry-delay',
      '1',
      ...common,
    ]);
    expect(r2.json.attempts).toHaveLength(1);
  });

  it('says so when the agent never gets in contact after the manager accepted it', async () => {
    const m = await manager({ successExtra: { agentState: 'offline' } });
    const root = agentRoot();
    const r = await runCli([
      '--root',
      root,
      'activate',
      '--activation-file',
      activationFile(m.port),
      '--no-doctor',
      '--wait',
      '2',
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('did not reach contact with the manager within');
    expect(r.stdout).toContain('Installed is not protecting');
  });

  it('needs the running agent and its self-protection password', async () => {
    const m = await manager();
    const stopped = agentRoot();
    setStandIn(stopped, 'state', '');
    await runCli(['--root', stopped, 'status']);
    const { execFileSync } = await import('node:child_process');
    execFileSync(join(stopped, 'etc/init.d/ds_agent'), ['stop'], { env: { ...process.env, DSA_ROOT: stopped } });
    const r = await runCliJson<ActivateJson>([
      '--root',
      stopped,
      'activate',
      '--activation-file',
      activationFile(m.port),
      ...common,
    ]);
    expect(r.json.outcome.reason).toBe('agentNotRunning');

    const guarded = agentRoot();
    setStandIn(guarded, 'password', 'Prot3ct-Me!');
    const p = await runCliJson<ActivateJson>([
      '--root',
      guarded,
      'activate',
      '--activation-file',
      activationFile(m.port),
      ...common,
    ]);
    expect(p.json.outcome.reason).toBe('selfProtectionPassword');
    const ok = await runCli([
      '--root',
      guarded,
      'activate',
      '--activation-file',
      activationFile(m.port),
      '--password',
      'Prot3ct-Me!',
      ...common,
    ]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout + ok.stderr + allJournalText(guarded)).not.toContain('Prot3ct-Me!');
  });

  it('never shows the token or tenant ID unmasked: stdout, stderr, --json, the journal', async () => {
    const m = await manager({ mode: 'badToken' });
    const root = agentRoot();
    const outputs: string[] = [];
    for (const args of [
      ['activate', '--activation-file', activationFile(m.port), '--wait', '1'],
      ['activate', '--manager', `dsm://dsm.test:${m.port}/`, '--tenant-id', TENANT, '--token', TOKEN, ...common],
      [
        '--json',
        'activate',
        '--manager',
        `dsm://dsm.test:${m.port}/`,
        '--tenant-id',
        TENANT,
        '--token',
        TOKEN,
        '--retries',
        '1',
        '--retry-delay',
        '0',
        ...common,
      ],
    ]) {
      const r = await runCli(['--root', root, ...args]);
      outputs.push(r.stdout, r.stderr);
    }
    m.setMode('success');
    const good = await runCli([
      '--root',
      root,
      '--json',
      'activate',
      '--manager',
      `dsm://dsm.test:${m.port}/`,
      '--tenant-id',
      TENANT,
      '--token',
      TOKEN,
      ...common,
    ]);
    expect(good.exitCode, good.stderr).toBe(0);
    // After a success the JSON also carries the agent's status (what the app shows after activation).
    const status = (JSON.parse(good.stdout) as { status: { state: { activated: boolean; dsmUrl: string } } }).status;
    expect(status.state.activated).toBe(true);
    expect(status.state.dsmUrl).toContain(`:${m.port}`);
    outputs.push(good.stdout, good.stderr, allJournalText(root));
    const all = outputs.join('\n');
    expect(all.length).toBeGreaterThan(1000);
    for (const secret of [TOKEN, TENANT, TOKEN.slice(4), TENANT.slice(-12)]) expect(all).not.toContain(secret);
    expect(all).toContain('token:[masked]');
    // The manager did get the real token (so the masking is of output, not of the activation).
    expect(m.requests.some((q) => q.body.includes(TOKEN))).toBe(true);
  });
});

function freePort(h: string): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, h, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}
