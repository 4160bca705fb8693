import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { activationRequest } from '../../main/core/agent/activationRequest.js';
import { isSameManager } from '../../main/core/agent/managerIdentity.js';
import { DsaError } from '../../main/core/errors.js';
import { translator } from '../../main/core/i18n.js';
import { createSystemContext } from '../../main/core/system.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import {
  activationOutcome,
  activationRemedy,
  classifyActivation,
  explainWithDoctor,
  type ActivationReason,
  type RemedyContext,
} from '../../main/core/agent/activationFailure.js';
import { renderMessage } from '../../main/core/message.js';
import {
  buildActivationArgs,
  buildResetArgs,
  requestSecrets,
  type ActivationRequest,
} from '../../main/core/agent/activationArgs.js';
import { identityProblems, maskArgs } from '../../main/core/agent/activate.js';
import {
  BOOTSTRAP_CERT_HASH,
  activationFromStatus,
  parseDsaQuery,
  type AgentState,
} from '../../main/core/agent/agentState.js';
import {
  isProtecting,
  offlineModules,
  parseComponentInfo,
  parsePluginVersions,
  statusVerdictKey,
} from '../../main/core/agent/agentStatus.js';
import { fixture } from '../helpers/fixtures.js';

const r = (stdout: string, exitCode: number | null = 1, extra: Partial<{ stderr: string; timedOut: boolean }> = {}) =>
  classifyActivation({ exitCode, stdout, stderr: extra.stderr ?? '', timedOut: extra.timedOut ?? false });

describe('classifyActivation: dsa_control exit status and output', () => {
  it('success needs exit 0 and HTTP Status: 200 - OK, and lists the manager commands', () => {
    const out =
      "HTTP Status: 200 - OK\nResponse:\nAttempting to connect to https://dsm:4120/\nSSL handshake completed successfully - initiating command session.\nReceived a 'GetHostInfo' command from the manager.\nReceived a 'SetDSMCert' command from the manager.\nCommand session completed.\n";
    const o = r(out, 0);
    expect(o).toMatchObject({ ok: true, reason: 'ok', managerCommands: ['GetHostInfo', 'SetDSMCert'] });
    expect(r(out, 1).ok).toBe(false);
    expect(r('Command session completed.\n', 0).reason).toBe('unknown');
  });

  it.each([
    ['Unable to resolve hostname dsm.example.jp: Name or service not known', 'nameNotResolvable', false],
    ['Failed to connect to dsm port 4120: Connection refused', 'unreachable', true],
    ['Empty reply from server', 'unreachable', true],
    ['SSL certificate problem: certificate is not yet valid', 'tlsOrClock', false],
    [
      'The manager answered 403 (agent-initiated-activation-disabled): Agent-initiated activation is not allowed.',
      'agentInitiatedRefused',
      false,
    ],
    [
      'The manager answered 409 (already-registered): A computer with this host name is already registered.',
      'alreadyActivated',
      false,
    ],
    ['The manager answered 403 (invalid-token): The activation token or tenant ID is not valid.', 'refused', false],
    ['Authentication password is required: self-protection is on (use -p).', 'selfProtectionPassword', false],
    ['Failed to connect to the agent: ds_agent is not running.', 'agentNotRunning', true],
  ])('%s → %s', (line, reason, retryable) => {
    const o = r(`HTTP Status: 200 - OK\nResponse:\n${line}\n`);
    expect(o.reason).toBe(reason);
    expect(o.retryable).toBe(retryable);
    expect(o.detail).toBe(line);
    expect(o.remedy.key).toBe(`agent.activate.remedy.${reason}`);
  });

  it('the real refusal of agent-initiated activation (HTTP Status: 400) is its own reason, with its remedy, not retried', () => {
    // Shape: dsa_control's output as quoted in a public Salt module's tests (TrendMicroAPI activation failure).
    const out =
      'HTTP Status: 400 - OK\nResponse:\nAttempting to connect to https://dsm01.example.jp:4120/\nError: activation was not successful. The manager may not be configured to allow agent-initiated activation, or the manager may not be configured to allow re-activation of existing hosts.\n';
    const o = r(out, 1);
    expect(o).toMatchObject({ reason: 'agentInitiatedRefused', retryable: false });
    expect(o.remedy.key).toBe('agent.activate.remedy.agentInitiatedRefused');
  });

  it('"403 - Forbidden - untrusted peer" is the identity problem, not "check the token"', () => {
    const o = r('HTTP Status: 403 - Forbidden - untrusted peer\nResponse:\n', 1);
    expect(o).toMatchObject({ reason: 'untrustedPeer', retryable: false });
    expect(o.doctorChecks).toContain('tls.manager');
  });

  it('a killed run is a timeout; a missing dsa_control means the agent is not there', () => {
    expect(r('', null, { timedOut: true }).reason).toBe('timeout');
    expect(classifyActivation({ exitCode: null, stdout: '', stderr: '', notFound: true }).reason).toBe(
      'agentNotRunning',
    );
    expect(r('something odd', 7)).toMatchObject({ reason: 'unknown', detail: 'something odd' });
  });

  it("an answer it does not know gives the agent's own reason, not the boilerplate last line", () => {
    const out =
      'HTTP Status: 200 - OK\nResponse:\nAttempting to connect to https://dsm01:4120/\nError: module store locked (code 7731)\nFor more information please visit the web page mentioned above.\n';
    expect(r(out, 1)).toMatchObject({ reason: 'unknown', detail: 'Error: module store locked (code 7731)' });
  });

  // The proxy's own failures in libcurl's words, as curl prints them (a published `curl -v` through Squid:
  // "curl: (56) Received HTTP code 407 from proxy after CONNECT"; libcurl's "Could not resolve proxy: NAME").
  it.each([
    ['Could not resolve proxy: proxy.corp.example', 'proxy'],
    ['Received HTTP code 403 from proxy after CONNECT', 'proxy'],
    ['Received HTTP code 502 from proxy after CONNECT', 'proxy'],
    ['Received HTTP code 407 from proxy after CONNECT', 'proxyAuth'],
    ['HTTP Status: 407 - Proxy Authentication Required', 'proxyAuth'],
  ] as const)("the agent's proxy failing (%s) blames the proxy, not the manager's name or path", (line, reason) => {
    const o = r(`${line}\n`, 1);
    expect(o).toMatchObject({ reason, retryable: false, detail: line });
    expect(o.doctorChecks).toContain('proxy');
  });

  it.each(['HTTP Status: 500 - Internal Server Error', 'HTTP Status: 503 - Service Unavailable'])(
    '%s: the manager answered and is failing; retried later, not "unknown"',
    (line) => {
      const o = r(`${line}\nResponse:\n`, 1);
      expect(o).toMatchObject({ reason: 'managerError', retryable: true, detail: line });
    },
  );

  it('"certificate or clock": the doctor\'s checks name which one, in the remedy', () => {
    const o = r('SSL certificate problem: certificate is not yet valid\n', 1);
    const clock = explainWithDoctor(o, {
      checks: [
        { id: 'time.skew', status: 'fail', class: 'clock' },
        { id: 'tls.manager', status: 'blocked' },
      ],
    });
    expect(clock.remedy.key).toBe('agent.activate.remedy.tlsOrClockClock');
    const inspected = explainWithDoctor(o, {
      checks: [
        { id: 'time.skew', status: 'pass' },
        { id: 'tls.manager', status: 'fail', class: 'proxy' },
      ],
    });
    expect(inspected.remedy.key).toBe('agent.activate.remedy.tlsOrClockInspected');
    const en = translator('en');
    expect(
      renderMessage(en, activationRemedy(inspected, { platform: 'el', flavour: 'on-premises', manager: 'dsm01:4120' })),
    ).toContain('inspects TLS to dsm01:4120');
    // Nothing found: the remedy stays the one that names both.
    expect(explainWithDoctor(o, { checks: [{ id: 'tls.manager', status: 'pass' }] }).remedy.key).toBe(
      'agent.activate.remedy.tlsOrClock',
    );
  });

  it('no output at all is "the agent said nothing", not "failed (exit 0)"', () => {
    expect(r('', 0)).toMatchObject({ reason: 'noAnswer', detail: 'exit 0', retryable: true });
  });
});

describe('activation remedies worded for the platform and the manager', () => {
  const en = translator('en');
  const text = (reason: ActivationReason, c: Partial<RemedyContext> = {}): string =>
    renderMessage(
      en,
      activationRemedy(activationOutcome(reason), {
        platform: 'el',
        flavour: 'on-premises',
        manager: 'dsm01:4120',
        ...c,
      }),
    );

  it('starting the agent: service on RHEL 6, systemctl on RHEL 8 and Ubuntu, Start-Service in PowerShell on Windows', () => {
    expect(text('agentNotRunning', { platform: 'el6' })).toContain('(sudo service ds_agent start)');
    expect(text('agentNotRunning', { platform: 'el' })).toContain('(sudo systemctl start ds_agent)');
    expect(text('agentNotRunning', { platform: 'debian' })).toContain('(sudo systemctl start ds_agent)');
    const win = text('agentNotRunning', { platform: 'windows' });
    expect(win).toContain('Start-Service ds_agent (in an administrator PowerShell)');
    expect(win).not.toContain('sudo');
  });

  it("the proxy's user and password, and the reset of an untrusted peer: the platform's dsa_control, sudo only off Windows", () => {
    expect(text('proxyAuth', { platform: 'el' })).toContain('sudo /opt/ds_agent/dsa_control -u USER:PASSWORD');
    expect(text('proxyAuth')).toContain('dsm01:4120');
    expect(text('proxy', { platform: 'debian' })).toContain(
      'sudo /opt/ds_agent/dsa_control -x dsm_proxy://PROXY:PORT/',
    );
    expect(text('untrustedPeer', { platform: 'el' })).toContain('sudo /opt/ds_agent/dsa_control -r');
    for (const reason of ['proxyAuth', 'untrustedPeer'] as const) {
      const win = text(reason, { platform: 'windows' });
      expect(win).toContain('dsa_control.cmd');
      expect(win).not.toContain('sudo');
    }
  });

  it("a manager's server error: its administrator on premises, the service status page for Cloud One", () => {
    expect(text('managerError')).toContain("ask the manager's administrator");
    expect(text('managerError', { flavour: 'cloud-one' })).toContain('Cloud One service status page');
  });

  it('the support bundle command: sudo and .tar.gz on Linux, an administrator PowerShell and .zip on Windows', () => {
    expect(text('unknown', { platform: 'el6' })).toContain('sudo dsa-setup doctor --bundle dsa-setup-bundle.tar.gz');
    const win = text('unknown', { platform: 'windows' });
    expect(win).toContain('dsa-setup doctor --bundle dsa-setup-bundle.zip (in an administrator PowerShell)');
    expect(win).not.toContain('sudo');
  });

  it("Cloudn words only for Cloudn: no portal hosts file or order's host name on Cloud One", () => {
    expect(text('nameNotResolvable')).toContain('VMSecurity_hosts_cln.txt');
    expect(text('nameNotResolvable', { flavour: 'cloud-one' })).not.toContain('VMSecurity_hosts_cln.txt');
    expect(text('nameNotResolvable', { flavour: 'cloud-one' })).toContain('DNS');
    expect(text('alreadyActivated')).toContain('the Cloudn manual');
    expect(text('alreadyActivated', { flavour: 'cloud-one' })).not.toMatch(/Cloudn|registered host name/);
  });

  it('an empty answer on Windows says why dsa_control.cmd may say nothing', () => {
    expect(text('noAnswer', { platform: 'windows' })).toContain('administrator PowerShell');
    expect(text('noAnswer', { platform: 'el' })).toContain('sudo dsa-setup status');
  });
});

describe('the activation message and the checks agree', () => {
  const en = translator('en');
  const checks = (net: string, tls: string) => ({
    checks: [
      { id: 'net.manager', status: net },
      { id: 'tls.manager', status: tls },
    ],
  });
  it('"cannot reach" does not blame the firewall when the doctor connected and completed TLS', () => {
    const o = activationOutcome('unreachable', 'connection reset');
    expect(explainWithDoctor(o, checks('pass', 'pass')).remedy.key).toBe('agent.activate.remedy.unreachablePathOpen');
    expect(explainWithDoctor(o, checks('fail', 'blocked')).remedy.key).toBe('agent.activate.remedy.unreachable');
    const said = en('agent.activate.remedy.unreachablePathOpen', { manager: 'dsm01:4120' });
    expect(said).toContain('not the cause');
    expect(said).not.toMatch(/allow outbound/i);
  });
});

const req: ActivationRequest = {
  manager: { host: 'agents.workload.jp-1.cloudone.trendmicro.com', port: 443 },
  args: [
    { key: 'token', value: 'TOKEN-1234-5678-ABCD', secret: true },
    { key: 'tenantID', value: 'TENANT-ABCD-EF01-2345', secret: true },
    { key: 'policyid', value: '12', secret: false },
    { key: 'groupid', value: '3', secret: false },
  ],
  hostname: { value: 'web01', source: 'flag' },
};

describe('dsa_control argument arrays', () => {
  it('builds -a with hostname, tenant, token, policy, group in that order', () => {
    expect(buildActivationArgs(req)).toEqual([
      '-a',
      'dsm://agents.workload.jp-1.cloudone.trendmicro.com:443/',
      'hostname:web01',
      'tenantID:TENANT-ABCD-EF01-2345',
      'token:TOKEN-1234-5678-ABCD',
      'policyid:12',
      'groupid:3',
    ]);
  });

  it('puts the proxy, its credentials and the self-protection password first', () => {
    const args = buildActivationArgs({
      ...req,
      args: [],
      hostname: null,
      proxy: 'proxy.local:3128',
      proxyAuth: 'alice:s3cret-pw',
      password: 'pw-Prot3ct',
    });
    expect(args).toEqual([
      '-x',
      'dsm_proxy://proxy.local:3128/',
      '-u',
      'alice:s3cret-pw',
      '-p',
      'pw-Prot3ct',
      '-a',
      'dsm://agents.workload.jp-1.cloudone.trendmicro.com:443/',
    ]);
    expect(buildResetArgs({ password: 'pw' })).toEqual(['-p', 'pw', '-r']);
    expect(buildResetArgs({})).toEqual(['-r']);
    const masked = maskArgs(args, ['s3cret-pw', 'pw-Prot3ct']).join(' ');
    expect(masked).not.toContain('s3cret-pw');
    expect(masked).not.toContain('pw-Prot3ct');
    expect(masked).toContain('alice:[masked]');
  });

  it('masks token and tenant ID in journaled arguments', () => {
    const masked = maskArgs(buildActivationArgs(req), requestSecrets(req));
    expect(masked.join(' ')).not.toMatch(/TOKEN-1234-5678-ABCD|TENANT-ABCD-EF01-2345/);
    expect(masked).toContain('policyid:12');
  });
});

describe('agent state from dsa_query', () => {
  const out =
    'AgentStatus.agentState: green\nAgentStatus.dsmUrl: https://dsm.example.jp:4120/\nAgentStatus.agentCertHash: 12AB\nAgentStatus.bootstrapCertHash: 00FF\nAgentStatus.hostname: web01\nAgentStatus.lastHeartbeat: 2026-11-23T10:00:00Z\n';
  it('activated with a manager URL and a cert hash other than the bootstrap one', () => {
    expect(activationFromStatus(parseDsaQuery(out))).toEqual({
      activated: true,
      dsmUrl: 'https://dsm.example.jp:4120/',
      agentState: 'green',
      inContact: true,
      registeredHostname: 'web01',
      lastContact: '2026-11-23T10:00:00Z',
    });
    const boot = parseDsaQuery(out.replace('agentCertHash: 12AB', 'agentCertHash: 00FF'));
    expect(activationFromStatus(boot).activated).toBe(false);
  });

  it('real GetAgentStatus: the index lines are skipped, last contact from epoch seconds, activation by cert hash', () => {
    const rec = parseDsaQuery(fixture('agent/dsa_query/status-activated.txt'));
    expect(Object.keys(rec).some((k) => /\.\d+$/.test(k))).toBe(false);
    expect(activationFromStatus(rec)).toEqual({
      activated: true,
      dsmUrl: 'https://agents-004.workload.us-1.cloudone.trendmicro.com:443/',
      agentState: 'green',
      inContact: true,
      lastContact: new Date(1786541835 * 1000).toISOString(),
      lastContactAgeSec: 6083,
    });
    // Never activated: the agent certificate is still the bootstrap one, with no bootstrapCertHash line to compare.
    const boot = activationFromStatus(parseDsaQuery(fixture('agent/dsa_query/status-bootstrap.txt')));
    expect(boot).toMatchObject({ activated: false, inContact: false });
    expect(boot.lastContact).toBeUndefined();
    expect(BOOTSTRAP_CERT_HASH).toBe('D0:68:DE:48:1B:DC:4D:00:89:07:7F:85:15:20:C5:90:11:EB:56:6A');
  });

  it('nested GetComponentInfo: engine and pattern versions; mode driver-offline is a module that does not protect', () => {
    const mods = parseComponentInfo(parseDsaQuery(fixture('agent/dsa_query/components-driver-offline.txt')));
    expect(mods.find((m) => m.module === 'AM')).toEqual({
      module: 'AM',
      mode: 'driver-offline',
      version: '24.580.1013',
      engines: { ATSE: '24.580.1013' },
      patterns: [
        { name: 'Platform Configuration Pattern', version: '5.5.1000' },
        { name: 'Trusted Certificate Authorities Pattern', version: '1.00007.00' },
      ],
      protecting: false,
    });
    expect(mods.find((m) => m.module === 'IPS')).toMatchObject({ protecting: true, version: '20.0.1.8438' });
    expect(offlineModules(mods).map((m) => m.module)).toEqual(['AM']);
    const state = {
      installed: true,
      service: 'running' as const,
      activated: true,
      inContact: true,
      raw: {},
    };
    const st = { state, modules: mods, plugins: {} };
    expect(isProtecting(st)).toBe(false);
    expect(statusVerdictKey(st)).toBe('agent.status.verdict.driverOffline');
  });

  it('groups modules and plug-in versions', () => {
    const rec = parseDsaQuery(
      'Component.AM.mode: on\nComponent.AM.version: 20.0.0-2395\nComponent.FW.mode: off\nPluginVersion.core: 20.0.0.2395\n',
    );
    expect(parseComponentInfo(rec)).toEqual([
      { module: 'AM', mode: 'on', version: '20.0.0-2395', protecting: true },
      { module: 'FW', mode: 'off', protecting: false },
    ]);
    expect(parsePluginVersions(rec)).toEqual({ core: '20.0.0.2395' });
  });

  it('identity: already activated, another manager, a cloned image', () => {
    const base: AgentState = {
      installed: true,
      service: 'running',
      activated: true,
      inContact: true,
      raw: {},
      dsmUrl: 'https://agents.workload.jp-1.cloudone.trendmicro.com:443/',
      registeredHostname: 'web01',
    };
    expect(identityProblems(base, req, 'web01').map((p) => p.kind)).toEqual(['alreadyActivated']);
    expect(identityProblems({ ...base, dsmUrl: 'https://old:4120/' }, req, 'web02').map((p) => p.kind)).toEqual([
      'otherManager',
      'clonedImage',
    ]);
    expect(identityProblems({ ...base, activated: false }, req, 'web02')).toEqual([]);
  });
});

describe('is the agent bound to the manager we activate with? (one predicate)', () => {
  const saas = { host: 'agents.deepsecurity.trendmicro.com', port: 443 };
  it('SaaS: the endpoint the agent reports is the same service as the activation URL', () => {
    // The agent reports the endpoint it talks to (live dsa_query output), not the activation URL's name.
    const reported = 'https://agents-004.workload.us-1.cloudone.trendmicro.com:443/';
    expect(isSameManager(reported, saas)).toBe(true);
    expect(isSameManager(reported, { host: 'agents.workload.us-1.cloudone.trendmicro.com', port: 443 })).toBe(true);
    expect(isSameManager(reported, { host: 'agents.workload.jp-1.cloudone.trendmicro.com', port: 443 })).toBe(false);
    expect(isSameManager(reported, saas, { reportedTenant: 'A', wantedTenant: 'B' })).toBe(false);
    expect(isSameManager(reported, { host: 'dsm01.example.jp', port: 4120 })).toBe(false);
  });

  it('on-premises: the same name, or a name resolving to the address the agent reports', () => {
    const dsm = { host: 'dsm01.example.jp', port: 4120 };
    expect(isSameManager('https://DSM01.example.jp.:4120/', dsm)).toBe(true);
    const resolved = new Map([['dsm01.example.jp', ['203.0.113.10']]]);
    expect(isSameManager('https://203.0.113.10:4120/', dsm, { resolved })).toBe(true);
    expect(isSameManager('https://203.0.113.99:4120/', dsm, { resolved })).toBe(false);
    // Not resolved: it cannot tell, and never claims "another manager".
    expect(isSameManager('https://203.0.113.10:4120/', dsm)).toBeNull();
    expect(isSameManager('not a url', dsm)).toBeNull();
  });

  it('identityProblems never pushes --reset for the SaaS endpoint or a resolving address', () => {
    const state: AgentState = {
      installed: true,
      service: 'running',
      activated: true,
      inContact: true,
      raw: {},
      dsmUrl: 'https://agents-004.workload.us-1.cloudone.trendmicro.com:443/',
    };
    const saasReq = { ...req, manager: saas };
    expect(identityProblems(state, saasReq, null).map((p) => p.kind)).toEqual(['alreadyActivated']);
    const onPrem = { ...req, manager: { host: 'dsm01.example.jp', port: 4120 } };
    const ip = { ...state, dsmUrl: 'https://203.0.113.10:4120/' };
    expect(identityProblems(ip, onPrem, null).map((p) => p.kind)).toEqual(['alreadyActivated']);
    expect(
      identityProblems(ip, onPrem, null, new Map([['dsm01.example.jp', ['198.51.100.1']]])).map((p) => p.kind),
    ).toEqual(['otherManager']);
  });
});

describe('activation requests from Trend deployment scripts', () => {
  const FIX = join(import.meta.dirname, '../fixtures/inputs');
  const sys = createSystemContext({ root: makeRoot({ ...OS_RELEASE.el8, kernel: { hostname: 'web01' } }) });
  afterAll(cleanupRoots);

  it('passes the script’s proxy lines on to dsa_control (-x, -u, -y), with the proxy password masked', async () => {
    const req = await activationRequest(sys, { activationFile: join(FIX, 'AgentDeploymentScript-proxy.sh') });
    const args = buildActivationArgs(req);
    expect(args.slice(0, 6)).toEqual([
      '-x',
      'dsm_proxy://proxy.corp.example:3128/',
      '-u',
      'dsauser:Pr0xy-S3cret',
      '-y',
      'relay_proxy://proxy.corp.example:3128/',
    ]);
    expect(args).toContain('policyname:Base Policy');
    const shown = maskArgs(args, requestSecrets(req)).join(' ');
    expect(shown).not.toContain('Pr0xy-S3cret');
    expect(shown).not.toContain('8F2E4D6C-1A3B-4C5D-9E7F-0A1B2C3D4E5F');
    expect(shown).toContain('dsauser:');
  });

  it('stops with exit 2 naming each value the script takes from outside and its option; the options complete it', async () => {
    const file = join(FIX, 'AgentDeploymentScript-params.ps1');
    const err = await activationRequest(sys, { activationFile: file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DsaError);
    const e = err as DsaError;
    expect(e.exitCode).toBe(2);
    const t = translator('en');
    expect(e.info.issues!.map((i) => `${i.line}: ${renderMessage(t, i.message)}`)).toEqual([
      '26: the script takes tenantID from outside (param $TenantID); give it with --tenant-id',
      '26: the script takes token from outside (param $Token); give it with --token',
    ]);
    const req = await activationRequest(sys, { activationFile: file, tenantId: 'T-1', token: 'K-2' });
    expect(buildActivationArgs(req)).toEqual([
      '-x',
      'dsm_proxy://161.27.180.180:8080/',
      '-y',
      'relay_proxy://161.27.180.180:8080/',
      '-a',
      'dsm://agents.workload.de-1.cloudone.trendmicro.com:443/',
      'hostname:web01',
      'tenantID:T-1',
      'token:K-2',
      'policyid:14',
    ]);
  });
});
