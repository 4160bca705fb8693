import { describe, expect, it } from 'vitest';
import { parseNtpServer } from '../../main/core/doctor/probes/sntp.js';
import { bypassesProxy, proxyApplies, readProxyEnv } from '../../main/core/doctor/probes/proxyEnv.js';
import { classifyConnectError } from '../../main/core/doctor/probes/tcp.js';
import { lastSignature } from '../../main/core/doctor/checks/agentLog.js';
import { interceptorNamedBy } from '../../main/core/doctor/interceptors.js';
import { selected } from '../../main/core/doctor/runDoctor.js';
import { hostPortOption, loadDoctorInputs } from '../../main/core/doctor/inputs.js';
import { managerFlavour } from '../../main/core/openings.js';
import { resolve } from 'node:path';
import { DsaError } from '../../main/core/errors.js';
import { parseFindNetRoute, parseIpRouteGet } from '../../main/core/doctor/probes/route.js';
import { classifyDnsError } from '../../main/core/doctor/probes/dns.js';
import { parseProxySetting } from '../../main/core/doctor/checks/proxy.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/inputs');

describe('doctor inputs', () => {
  it('reads the manager, SaaS-ness, secrets and relays from the provider files', async () => {
    const i = await loadDoctorInputs(
      {
        activationFile: `${FIXTURES}/AgentDeploymentScript.sh`,
        hostsFile: `${FIXTURES}/VMSecurity_hosts_cln.txt`,
      },
      'en',
    );
    expect(i.manager).toMatchObject({ host: 'agents.workload.jp-1.cloudone.trendmicro.com', port: 443, saas: true });
    expect(i.secretFields!.map((s) => s.kind).sort()).toEqual(['tenantID', 'token']);
    expect(i.relays).toEqual([{ host: 'relay01.vmsecurity.example.jp', port: 4122 }]);
  });

  it('the proxy a deployment script gives the agent (dsa_control -x) is the path the doctor tests; --proxy overrides it', async () => {
    const file = `${FIXTURES}/AgentDeploymentScript-proxy.sh`;
    const i = await loadDoctorInputs({ activationFile: file }, 'en');
    expect(i.agentProxy).toEqual({ host: 'proxy.corp.example', port: 3128, source: file });
    const o = await loadDoctorInputs({ activationFile: file, proxy: 'other.example:8080' }, 'en');
    expect(o.agentProxy).toMatchObject({ host: 'other.example', port: 8080, source: '--proxy' });
  });

  it('an on-premises activation command is not SaaS; a bad --manager or --target is exit 2 naming the form', async () => {
    const i = await loadDoctorInputs({ activationFile: `${FIXTURES}/cln12345_Activation_Command.txt` }, 'en');
    expect(i.manager).toMatchObject({ host: 'dsm01.vmsecurity.example.jp', port: 4120, saas: false });
    await expect(loadDoctorInputs({ manager: 'https://x:1/' }, 'en')).rejects.toMatchObject({
      exitCode: 2,
      info: { message: { key: 'doctor.input.badManager' } },
    });
    expect(() => hostPortOption('host.example', null, '--target')).toThrow(DsaError);
    expect(hostPortOption('[2001:db8::1]:443', null, '--target')).toEqual({ host: '2001:db8::1', port: 443 });
    expect(managerFlavour({ host: 'dsm01.example.jp', port: 4120 }, false)).toBe('on-premises');
  });
});

describe('doctor probes and matchers', () => {
  it('classifies connect errors: refused, filtered (timeout), unreachable', () => {
    expect(classifyConnectError('ECONNREFUSED')).toBe('refused');
    expect(classifyConnectError('ETIMEDOUT')).toBe('timeout');
    expect(classifyConnectError('ENETUNREACH')).toBe('unreachable');
    expect(classifyConnectError('EHOSTUNREACH')).toBe('unreachable');
    expect(classifyConnectError('EPROTO')).toBe('error');
  });

  it('parses NTP servers with and without a port', () => {
    expect(parseNtpServer('ntp.nict.jp')).toEqual({ host: 'ntp.nict.jp', port: 123 });
    expect(parseNtpServer('127.0.0.5:11123')).toEqual({ host: '127.0.0.5', port: 11123 });
    expect(parseNtpServer('[::1]:1123')).toEqual({ host: '::1', port: 1123 });
  });

  it('reads HTTPS_PROXY / NO_PROXY the way curl does: suffixes, leading dots, ports, *', () => {
    const p = readProxyEnv({
      https_proxy: 'proxy.corp:3128',
      NO_PROXY: 'localhost, .example.jp,10.0.0.1,dsm.corp:4120',
    });
    expect(p).toMatchObject({ scheme: 'http', host: 'proxy.corp', port: 3128, variable: 'https_proxy' });
    expect(bypassesProxy(p, 'dsm01.example.jp', 4120)).toBe(true);
    expect(bypassesProxy(p, 'example.jp', 4120)).toBe(true);
    expect(bypassesProxy(p, 'notexample.jp', 4120)).toBe(false);
    expect(bypassesProxy(p, 'dsm.corp', 4120)).toBe(true);
    expect(bypassesProxy(p, 'dsm.corp', 443)).toBe(false);
    expect(proxyApplies(p, 'agents.cloudone.trendmicro.com', 443)).toBe(true);
    expect(proxyApplies(readProxyEnv({ HTTPS_PROXY: 'socks5://s:1080', NO_PROXY: '*' }), 'x', 1)).toBe(false);
    expect(readProxyEnv({ HTTPS_PROXY: 'socks5://s:1080' }).scheme).toBe('socks5');
  });

  it('maps the newest known line of an agent log to its cause', () => {
    const log = [
      '2026-11-20 [warn] Unable to reach a manager',
      '2026-11-21 [info] heartbeat ok',
      '2026-11-22 [error] SSL: BIO_do_handshake() failed',
      '2026-11-22 [info] retrying',
    ].join('\n');
    expect(lastSignature(log)).toMatchObject({ sig: { id: 'tlsHandshake', class: 'tls' }, lineNo: 3 });
    expect(lastSignature('Event ID: 4012 Heartbeat Server Failed')?.sig.id).toBe('unreachable');
    expect(lastSignature('HTTP Status: 409 already registered')?.sig.id).toBe('alreadyRegistered');
    expect(lastSignature('Agent-initiated activation is not allowed')?.sig.id).toBe('activationRefused');
    // An untrusted identity is not a refused token; the agent's proxy is not the manager.
    expect(lastSignature('HTTP Status: 403 - Forbidden - untrusted peer')?.sig).toMatchObject({
      id: 'untrustedPeer',
      class: 'agent',
    });
    expect(lastSignature('curl: (56) Received HTTP code 407 from proxy after CONNECT')?.sig).toMatchObject({
      id: 'proxy',
      class: 'proxy',
    });
    expect(lastSignature('Could not resolve proxy: proxy.corp.example')?.sig.id).toBe('proxy');
    expect(lastSignature('all good\nstill good')).toBeNull();
    // Shape: Trend's "Agent activation failed" help page, "Blocked port" (ds_agent.log of a failed manager → agent connection).
    expect(
      lastSignature(
        '2018-06-25 17:52:14.000000: [Error/1] | CHTTPServer::AcceptSSL(198.51.100.7:4118) - BIO_do_handshake() failed | http_server.cpp:1130:CHTTPServer::AcceptSSL | 1D64:0:CHTTPServer',
      )?.sig,
    ).toMatchObject({ id: 'inboundBlocked', class: 'tcp' });
  });

  it('names interception products from an issuer, but not the manager vendor itself', () => {
    expect(interceptorNamedBy('CN=Zscaler Intermediate Root CA, O=Zscaler Inc.')).toBe('Zscaler');
    expect(interceptorNamedBy('CN=FortiGate CA')).toBe('Fortinet FortiGate');
    expect(interceptorNamedBy('CN=Trend Micro Deep Security Manager')).toBeNull();
    expect(interceptorNamedBy("CN=Let's Encrypt R3")).toBeNull();
  });

  it('--only selects exact ids and families', () => {
    expect(selected('net.manager', ['net.'])).toBe(true);
    expect(selected('net.relay.r:4122', ['net.*'])).toBe(true);
    expect(selected('tls.manager', ['net.'])).toBe(false);
    expect(selected('time.skew', ['time.skew'])).toBe(true);
    expect(selected('time.skew', undefined)).toBe(true);
  });
});

describe('routes, DNS failures, the agent proxy setting', () => {
  it('ip route get: the RTNETLINK error names prohibit, blackhole, unreachable and a missing route', () => {
    // Shapes as iproute2 prints them (checked with `ip route get` against such routes in a namespace).
    expect(parseIpRouteGet('', 'RTNETLINK answers: Permission denied\n').kind).toBe('prohibit');
    expect(parseIpRouteGet('', 'RTNETLINK answers: Invalid argument\n').kind).toBe('blackhole');
    expect(parseIpRouteGet('', 'RTNETLINK answers: No route to host\n').kind).toBe('unreachable');
    expect(parseIpRouteGet('', 'RTNETLINK answers: Network is unreachable\n').kind).toBe('none');
    expect(parseIpRouteGet('10.77.0.9 dev veth0 src 10.77.0.1 uid 0 \n    cache \n', '')).toEqual({
      kind: 'route',
      dev: 'veth0',
    });
    expect(parseIpRouteGet('203.0.113.5 via 10.0.0.1 dev eth0 src 10.0.0.7 uid 0 \n', '')).toEqual({
      kind: 'route',
      dev: 'eth0',
      via: '10.0.0.1',
    });
    expect(parseFindNetRoute('{"NextHop":"10.0.0.1","InterfaceAlias":"Ethernet"}', 0)).toEqual({
      kind: 'route',
      dev: 'Ethernet',
      via: '10.0.0.1',
    });
    expect(parseFindNetRoute('', 1).kind).toBe('none');
  });

  it('c-ares codes: a silent server, NXDOMAIN, SERVFAIL and REFUSED are told apart', () => {
    expect(classifyDnsError('ETIMEOUT')).toBe('timeout');
    expect(classifyDnsError('ECANCELLED')).toBe('timeout');
    expect(classifyDnsError('ENOTFOUND')).toBe('nxdomain');
    expect(classifyDnsError('ESERVFAIL')).toBe('servfail');
    expect(classifyDnsError('EREFUSED')).toBe('refused');
    expect(classifyDnsError('ENODATA')).toBe('nodata');
  });

  it("the agent's proxy setting: dsm_proxy://, http:// and HOST:PORT", () => {
    expect(parseProxySetting('dsm_proxy://squid.corp:3128/', 'f')).toEqual({
      host: 'squid.corp',
      port: 3128,
      source: 'f',
    });
    expect(parseProxySetting('http://10.0.0.8:8080', 'f')).toEqual({ host: '10.0.0.8', port: 8080, source: 'f' });
    expect(parseProxySetting('socks5://x:1080', 'f')).toBeNull();
  });
});
