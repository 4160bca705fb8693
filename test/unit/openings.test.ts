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
  resolveOpenings,
} from '../../main/core/openings.js';

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
