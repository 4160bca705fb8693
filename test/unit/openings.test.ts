import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManagerHosts } from '../../main/core/inputs/managerHosts.js';
import { parseActivation } from '../../main/core/inputs/activation.js';
import { translator } from '../../main/core/i18n.js';
import { renderMessage } from '../../main/core/message.js';
import {
  managerFlavour,
  networkOpenings,
  openingNotes,
  openingRows,
  openingsReport,
  resolveOpenings,
} from '../../main/core/openings.js';
import { openingsText } from '../../main/commands/openingsText.js';

const FIX = join(import.meta.dirname, '../fixtures/inputs');
const hostsFile = 'VMSecurity_hosts_cln.txt';
const entries = (() => {
  const r = parseManagerHosts(hostsFile, readFileSync(join(FIX, hostsFile)));
  if (!r.ok) throw new Error('portal file did not parse');
  return r.value;
})();
const activation = (() => {
  const r = parseActivation(
    'cln12345_Activation_Command.txt',
    readFileSync(join(FIX, 'cln12345_Activation_Command.txt')),
  );
  if (!r.ok) throw new Error('activation file did not parse');
  return r.value;
})();

/** The table as the admin reads it: direction, remote, port, when — in English. */
function table(rows: ReturnType<typeof openingRows>): string[] {
  const t = translator('en');
  return rows.map((r) => [renderMessage(t, r.direction), r.remote, r.port, renderMessage(t, r.when)].join(' | '));
}

describe('security group / ACL openings', () => {
  it('on premises (the Cloudn portal file and activation command): 4120 and 4122 out to each address, 4118 in from the manager only', () => {
    const openings = networkOpenings({
      hostsFile: { path: hostsFile, entries },
      manager: { ...activation.manager, saas: false, source: 'cln12345_Activation_Command.txt' },
    });
    expect(table(openingRows(openings))).toEqual([
      'outbound (this VM → remote) | 203.0.113.10/32 | TCP 4120 | always',
      'outbound (this VM → remote) | 203.0.113.10/32 | TCP 4122 | always',
      'outbound (this VM → remote) | 203.0.113.11/32 | TCP 4120 | always',
      'outbound (this VM → remote) | 203.0.113.11/32 | TCP 4122 | always',
      'outbound (this VM → remote) | 2001:db8:10::20/128 | TCP 4120 | always',
      'outbound (this VM → remote) | 2001:db8:10::20/128 | TCP 4122 | always',
      'inbound (remote → this VM) | 203.0.113.10/32 | TCP 4118 | when the manager initiates communication (bidirectional or manager-initiated)',
    ]);
    // Each row says where it came from, so the admin can check it against the file.
    expect(openings[0]!.source).toBe(`${hostsFile}:4`);
  });

  it('Cloud One: only 443 out to the manager, nothing inbound, and the note points at the Cloud One documentation', async () => {
    const m = { host: 'agents.deepsecurity.trendmicro.com', port: 443 };
    expect(managerFlavour(m, true)).toBe('cloud-one');
    const openings = networkOpenings({ manager: { ...m, saas: true, source: 'AgentDeploymentScript.sh' } });
    const resolved = await resolveOpenings(openings, { lookup: async () => ['198.51.100.7', '198.51.100.8'] });
    expect(table(openingRows(resolved))).toEqual([
      'outbound (this VM → remote) | 198.51.100.7/32, 198.51.100.8/32 | TCP 443 | always',
    ]);
    const notes = openingNotes(resolved, 'cloud-one').map((n) => renderMessage(translator('ja'), n));
    expect(notes.join('\n')).toContain('Cloud One のドキュメント');
  });

  it('a name that cannot be resolved stays a name, and the note says to look it up', async () => {
    const openings = networkOpenings({
      manager: { host: 'dsm.unknown.example', port: 4120, saas: false, source: '--manager' },
    });
    const resolved = await resolveOpenings(openings, {
      lookup: () => Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' })),
    });
    expect(openingRows(resolved).map((r) => r.remote)).toEqual([
      'dsm.unknown.example',
      'dsm.unknown.example',
      'dsm.unknown.example',
    ]);
    expect(renderMessage(translator('en'), openingNotes(resolved, 'on-premises')[0]!)).toContain('dsm.unknown.example');
  });

  it('resolves a real name through the system resolver (localhost)', async () => {
    const [o] = await resolveOpenings(
      networkOpenings({ manager: { host: 'localhost', port: 443, saas: true, source: '--manager' } }),
    );
    expect(o!.addresses.some((a) => a === '127.0.0.1' || a === '::1')).toBe(true);
  });

  it('the flavour: port 4120 and no tenant is on premises; a tenant or port 443 is Cloud One', () => {
    expect(managerFlavour({ host: 'dsm01.vmsecurity.example.jp', port: 4120 }, false)).toBe('on-premises');
    expect(managerFlavour({ host: 'workload.jp-1.cloudone.trendmicro.com', port: 443 }, false)).toBe('cloud-one');
    expect(managerFlavour(undefined, true)).toBe('cloud-one');
  });
});

describe('the openings table as plan, inspect and the doctor print it', () => {
  const onPrem = (): Parameters<typeof openingsReport>[0] => ({
    hostsFile: { path: hostsFile, entries },
    manager: { ...activation.manager, saas: false, source: 'cln12345_Activation_Command.txt' },
  });

  it('on premises, text: a header, one row per opening with the CIDR, port and host, then the Cloudn note', async () => {
    const r = await openingsReport(onPrem(), translator('en'), { lookup: async () => [] });
    expect(r.flavour).toBe('on-premises');
    const text = openingsText(translator('en'), r);
    expect(text[0]).toBe('Openings the security group / ACL must allow (copy them into the cloud console)');
    expect(text[2]).toMatch(/^ {2}Direction +Remote \(CIDR\) +Port +Host +Needed$/);
    expect(text).toContain(
      '  outbound (this VM → remote)  203.0.113.10/32      TCP 4120  dsm01.vmsecurity.example.jp     always',
    );
    expect(
      text.some((l) => /inbound \(remote → this VM\) +203\.0\.113\.10\/32 +TCP 4118 +dsm01\.vmsecurity/.test(l)),
    ).toBe(true);
    expect(text).toContain(
      '  outbound (this VM → remote)  203.0.113.10/32      TCP 4120  dsm01.vmsecurity.example.jp     always',
    );
    expect(text.at(-1)).toContain('The Cloudn manual');
  });

  it('on premises, JSON: the console values of each rule and where it came from', async () => {
    const r = await openingsReport(onPrem(), translator('en'), { lookup: async () => [] });
    expect(JSON.parse(JSON.stringify(r)).items[0]).toEqual({
      direction: 'out',
      remote: ['203.0.113.10/32'],
      host: 'dsm01.vmsecurity.example.jp',
      protocol: 'tcp',
      port: 4120,
      role: 'manager',
      when: 'always',
      source: `${hostsFile}:4`,
    });
    expect(r.items.filter((i) => i.direction === 'in').map((i) => `${i.remote.join()} ${i.port}`)).toEqual([
      '203.0.113.10/32 4118',
    ]);
  });

  it('Cloud One, text and JSON: one row, 443 out to the resolved addresses, nothing inbound; in Japanese too', async () => {
    const inp = {
      manager: { host: 'agents.workload.jp-1.cloudone.trendmicro.com', port: 443, saas: false, source: 'script' },
    };
    const r = await openingsReport(inp, translator('ja'), {
      lookup: async () => ['198.51.100.7'],
      hasTenant: true,
    });
    expect(r.flavour).toBe('cloud-one');
    expect(r.items.map((i) => [i.direction, i.remote, i.port])).toEqual([['out', ['198.51.100.7/32'], 443]]);
    const text = openingsText(translator('ja'), r);
    expect(text[0]).toContain('セキュリティグループ / ACL');
    expect(text[3]).toMatch(/送信\(この VM → 相手\) +198\.51\.100\.7\/32 +TCP 443 +agents\.workload/);
    expect(text.join('\n')).toContain('Cloud One のドキュメント');
    expect(text.join('\n')).not.toContain('4118');
  });
});
