import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeHosts, applyManagedBlock, readHostsDocument } from '../../main/core/hosts/hostsDocument.js';
import { parseHostConf, type ResolverOptions } from '../../main/core/hosts/hostConf.js';
import { canonicalAddress } from '../../main/core/hosts/inetAddress.js';
import { parseGetent } from '../../main/core/hosts/readBack.js';
import type { HostsEntry } from '../../main/core/inputs/managerHosts.js';

// Differential test: our reading of a hosts file against glibc's own answer. Each seeded generated file (and
// the file apply makes of it) is bind-mounted over /etc/hosts in a private mount and network namespace, with a
// host.conf saying `multi on` or `multi off` and an nsswitch.conf of `hosts: files`; `getent hosts` and
// `getent ahosts` answer for each manager name. Our parser must give the same addresses, and so the same
// answer to "does NAME resolve to the portal's address (and nothing else)".

const SEED = 20261130;
const CASES = 200;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DSM = 'dsm01.vmsecurity.example.jp';
const RELAY = 'relay01.vmsecurity.example.jp';

function generate(r: () => number): { hosts: Buffer; multi: boolean; entries: HostsEntry[] } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const v6portal = r() < 0.2;
  const portal = v6portal ? '2001:db8::10' : '203.0.113.10';
  const entries: HostsEntry[] = [
    { address: portal, names: [DSM, 'dsm01'], line: 1 },
    { address: '203.0.113.11', names: [RELAY], line: 2 },
  ];
  const addresses = [
    portal,
    '10.0.0.9',
    '203.0.113.11',
    '2001:db8:0::10',
    '2001:DB8::10',
    '2001:db8::99',
    '::ffff:203.0.113.10',
    '::ffff:10.0.0.9',
    '::1',
    '127.0.0.1',
    'fe80::1%lo',
    '010.0.0.9',
    '203.0.113.010',
    '0.0.0.0',
    '::ffff:203.0.113.10x',
  ];
  const names = [DSM, DSM.toUpperCase(), `${DSM}.`, 'dsm01', 'DSM01', 'dsm01.', RELAY, 'other', `x${DSM}`, `${DSM}x`];
  const seps = [' ', '\t', '  ', ' \t', '\v', '\f', '\r', ' \r '];
  const eols = ['\n', '\n', '\n', '\r\n', '\r\n', '\r'];
  const lines: string[] = [];
  const count = 1 + Math.floor(r() * 6);
  for (let i = 0; i < count; i++) {
    const kind = r();
    let line: string;
    if (kind < 0.1) line = pick(['# comment', '#' + pick(addresses) + ' ' + DSM, '', '   ', '# 社内']);
    else {
      const parts = [pick(addresses)];
      const n = 1 + Math.floor(r() * 3);
      for (let j = 0; j < n; j++) parts.push(pick(names));
      if (r() < 0.15) parts.splice(1 + Math.floor(r() * (parts.length - 1)), 0, '#' + pick(names));
      line = parts.map((p, j) => (j ? pick(seps) : '') + p).join('');
      if (r() < 0.15) line += ' # trailing comment';
    }
    if (r() < 0.15) line = pick([' ', '\t', '   ', '\r']) + line;
    if (r() < 0.06) {
      const at = Math.floor(r() * (line.length + 1));
      line = line.slice(0, at) + '\0' + line.slice(at);
    }
    lines.push(line);
  }
  let text = '';
  lines.forEach((l, i) => (text += l + (i < lines.length - 1 || r() < 0.7 ? pick(eols) : '')));
  let hosts = Buffer.from(text, 'utf8');
  if (r() < 0.1) hosts = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), hosts]);
  return { hosts, multi: r() < 0.6, entries };
}

interface Case {
  id: string;
  hosts: Buffer;
  multi: boolean;
  entries: HostsEntry[];
}

const dir = mkdtempSync(join(tmpdir(), `dsa-hosts-diff-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Asks glibc: every case's files bind-mounted in turn in one private mount + network namespace. */
async function askGlibc(cases: Case[], names: string[]): Promise<Map<string, string[]>> {
  writeFileSync(join(dir, 'nsswitch.conf'), 'hosts: files\n');
  const script: string[] = ['set -e', `mount --bind ${dir}/nsswitch.conf /etc/nsswitch.conf`];
  for (const c of cases) {
    writeFileSync(join(dir, `${c.id}.hosts`), c.hosts);
    writeFileSync(join(dir, `${c.id}.conf`), c.multi ? 'multi on\n' : 'multi off\n');
    script.push(`mount --bind ${dir}/${c.id}.hosts /etc/hosts`, `mount --bind ${dir}/${c.id}.conf /etc/host.conf`);
    for (const n of names) {
      for (const db of ['hosts', 'ahosts']) script.push(`echo "@@ ${c.id} ${n}"`, `getent ${db} ${n} || true`);
    }
    script.push('umount /etc/hosts', 'umount /etc/host.conf');
  }
  writeFileSync(join(dir, 'ask.sh'), script.join('\n') + '\n');
  const r = await execa('unshare', ['-m', '-n', '--propagation', 'private', 'sh', join(dir, 'ask.sh')], {
    reject: false,
    timeout: 240_000,
  });
  expect(r.exitCode, String(r.stderr)).toBe(0);
  const out = new Map<string, string[]>();
  let key = '';
  for (const line of String(r.stdout).split('\n')) {
    const m = /^@@ (\S+) (\S+)$/.exec(line);
    if (m) {
      key = `${m[1]} ${m[2]}`;
      if (!out.has(key)) out.set(key, []);
    } else if (line.trim()) {
      const list = out.get(key)!;
      for (const a of parseGetent(line)) if (!list.includes(a)) list.push(a);
    }
  }
  return out;
}

const canon = (xs: string[]): string[] => [...new Set(xs.map((x) => canonicalAddress(x) ?? `?${x}`))].sort();

describe('the hosts parser agrees with glibc (getent hosts / ahosts, bind-mounted files)', () => {
  it(`${CASES} generated files (a fixed pseudo-random sequence) and the files apply makes of them: zero disagreements`, async () => {
    const r = rng(SEED);
    const cases: Case[] = [];
    for (let i = 0; i < CASES; i++) {
      const g = generate(r);
      cases.push({ id: `c${i}`, ...g });
      const resolver: ResolverOptions = { multi: g.multi, dialect: 'glibc' };
      const applied = applyManagedBlock(readHostsDocument(g.hosts), g.entries, '/etc/hosts', '\n', { resolver });
      cases.push({ id: `c${i}a`, hosts: applied.bytes, multi: g.multi, entries: g.entries });
    }
    const names = [DSM, 'dsm01', RELAY];
    const glibc = await askGlibc(cases, names);
    const disagreements: string[] = [];
    let checked = 0;
    let appliedOk = 0;
    for (const c of cases) {
      const conf = parseHostConf(Buffer.from(c.multi ? 'multi on\n' : 'multi off\n'));
      const analysis = analyzeHosts(readHostsDocument(c.hosts), c.entries, '/etc/hosts', { ...conf, dialect: 'glibc' });
      for (const state of analysis.names) {
        const theirs = canon(glibc.get(`${c.id} ${state.name}`) ?? []);
        const ours = canon(state.answers);
        const want = canonicalAddress(state.expected);
        const glibcSays = theirs.length > 0 && theirs.every((a) => a === want);
        checked++;
        if (glibcSays !== state.resolves || theirs.join() !== ours.join()) {
          disagreements.push(
            `${c.id} multi=${c.multi} ${state.name}: glibc ${theirs.join(',') || '-'} ours ${ours.join(',') || '-'}\n` +
              JSON.stringify(c.hosts.toString('latin1')),
          );
        }
        if (c.id.endsWith('a') && glibcSays) appliedOk++;
      }
    }
    expect(disagreements, disagreements.slice(0, 10).join('\n')).toEqual([]);
    // Every file apply made resolves every manager name to the portal address only, says glibc itself.
    expect(appliedOk).toBe(CASES * 3);
    expect(checked).toBe(CASES * 2 * 3);
  }, 300_000);
});
