import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeHosts, applyManagedBlock, readHostsDocument } from '../../main/core/hosts/hostsDocument.js';
import { parseHostConf } from '../../main/core/hosts/hostConf.js';
import { canonicalAddress, sameAddress } from '../../main/core/hosts/inetAddress.js';
import { effectiveLine } from '../../main/core/hosts/hostsResolver.js';
import { parseManagerHosts, type HostsEntry } from '../../main/core/inputs/managerHosts.js';
import { verifyHosts } from '../../main/core/steps/hostsStep.js';
import { createSystemContext } from '../../main/core/system.js';
import { atomicWrite, fileSystemError } from '../../main/core/fsx.js';
import { DsaError } from '../../main/core/errors.js';

const DSM: HostsEntry = { address: '203.0.113.10', names: ['dsm.example.jp'], line: 1 };
const answer = (text: string, multi = true, entries: HostsEntry[] = [DSM]) =>
  analyzeHosts(readHostsDocument(Buffer.from(text, 'latin1')), entries, '/etc/hosts', { multi, dialect: 'glibc' })
    .names[0]!;

describe('addresses as glibc inet_pton reads them', () => {
  it('compares addresses as addresses, not as text', () => {
    expect(sameAddress('2001:db8:0::10', '2001:db8::10')).toBe(true);
    expect(sameAddress('2001:DB8::10', '2001:db8:0:0:0:0:0:10')).toBe(true);
    expect(sameAddress('::ffff:203.0.113.10', '203.0.113.10')).toBe(true);
    expect(sameAddress('203.0.113.10', '203.0.113.11')).toBe(false);
  });

  it('rejects what glibc rejects: zone ids, leading zeros, short or overlong forms', () => {
    for (const bad of [
      'fe80::1%eth0',
      '010.0.0.1',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      '1::2:',
      '12345::1',
    ])
      expect(canonicalAddress(bad), bad).toBeNull();
    for (const good of ['::', '::1', '1::', '::ffff:1.2.3.4', '64:ff9b::192.0.2.1', '0.0.0.0'])
      expect(canonicalAddress(good), good).not.toBeNull();
  });
});

describe('hosts lines as glibc reads them', () => {
  it('splits fields on any whitespace: a CR-only file is one line, its later "lines" are aliases', () => {
    const s = answer('127.0.0.1 localhost\r203.0.113.10 dsm.example.jp\r');
    expect(s.answers).toEqual(['127.0.0.1']);
    expect(s.resolves).toBe(false);
  });

  it('a stray CR, \\v or \\f separates fields like a space', () => {
    expect(answer('203.0.113.10\vdsm.example.jp\r\n').resolves).toBe(true);
    expect(answer('203.0.113.10\fdsm.example.jp\n').resolves).toBe(true);
  });

  it('a NUL ends the line', () => {
    expect(answer('203.0.113.10 other\0 dsm.example.jp\n').answers).toEqual([]);
  });

  it('a UTF-8 BOM belongs to the first address, so line 1 is ignored', () => {
    expect(answer('\xef\xbb\xbf203.0.113.10 dsm.example.jp\n').answers).toEqual([]);
    expect(answer('\xef\xbb\xbf# comment\n203.0.113.10 dsm.example.jp\n').resolves).toBe(true);
  });

  it('names compare exactly ignoring ASCII case: "name." is not "name"', () => {
    expect(answer('203.0.113.10 DSM.Example.JP\n').resolves).toBe(true);
    expect(answer('203.0.113.10 dsm.example.jp.\n').answers).toEqual([]);
  });

  it('a zone id makes glibc ignore the line', () => {
    expect(answer('fe80::1%eth0 dsm.example.jp\n').answers).toEqual([]);
  });

  it('leading whitespace on an unterminated last line repeats its last bytes (nss_readline)', () => {
    expect(effectiveLine('   1.2.3.4 foo', 'glibc')).toBe('1.2.3.4 foofoo');
    expect(effectiveLine('  1.2.3.4 dsm\0xx\n', 'glibc')).toBe('1.2.3.4 dsmsm');
    expect(effectiveLine('  1.2.3.4 foo\n', 'glibc')).toBe('1.2.3.4 foo');
    expect(effectiveLine('   1.2.3.4 foo', 'windows')).toBe('1.2.3.4 foo');
  });

  it('multi on: a later line mapping the name elsewhere answers too; multi off: the first line wins', () => {
    const text = '203.0.113.10 dsm.example.jp\n10.0.0.9 dsm.example.jp\n';
    expect(answer(text, true).answers.sort()).toEqual(['10.0.0.9', '203.0.113.10']);
    expect(answer(text, true).resolves).toBe(false);
    expect(answer(text, false).answers).toEqual(['203.0.113.10']);
    expect(answer(text, false).resolves).toBe(true);
  });

  it('getent hosts asks for IPv6 first: an IPv6 line for the name answers even after the IPv4 one', () => {
    expect(answer('203.0.113.10 dsm.example.jp\n::1 dsm.example.jp\n', false).answers.sort()).toEqual([
      '0:0:0:0:0:0:0:1',
      '203.0.113.10',
    ]);
  });
});

describe('host.conf as glibc reads it', () => {
  it('multi on/off, case-insensitive, comments, the last line wins, no file is off', () => {
    expect(parseHostConf(null).multi).toBe(false);
    expect(
      parseHostConf(
        Buffer.from('# The "order" line is only used by old versions of the C library.\norder hosts,bind\nmulti on\n'),
      ).multi,
    ).toBe(true);
    expect(parseHostConf(Buffer.from('MULTI On\n')).multi).toBe(true);
    expect(parseHostConf(Buffer.from('multi on\nmulti off\n')).multi).toBe(false);
    expect(parseHostConf(Buffer.from('# multi on\n')).multi).toBe(false);
  });
});

describe('apply comments out every line the resolver would answer with', () => {
  const entries = [DSM];
  const apply = (text: string): string =>
    applyManagedBlock(readHostsDocument(Buffer.from(text, 'latin1')), entries, '/etc/hosts', '\n').bytes.toString(
      'latin1',
    );

  it('a later line (multi on) is commented out too', () => {
    const out = apply('203.0.113.10 dsm.example.jp\n10.0.0.9 dsm.example.jp\n');
    expect(out).toContain('#dsa-setup-shadowed# 10.0.0.9 dsm.example.jp\n');
    expect(answer(out).resolves).toBe(true);
  });

  it('a last line that only maps the name once the block follows it is commented out as well', () => {
    const out = apply('  10.0.0.9 dsm.example.jp');
    expect(out.startsWith('#dsa-setup-shadowed#   10.0.0.9 dsm.example.jp\n')).toBe(true);
    expect(answer(out).resolves).toBe(true);
  });

  it('the same address in another spelling is not a conflict', () => {
    const v6 = { address: '2001:db8::10', names: ['dsm.example.jp'], line: 1 };
    const before = '2001:db8:0::10 dsm.example.jp\n';
    const out = applyManagedBlock(readHostsDocument(Buffer.from(before)), [v6], '/etc/hosts', '\n');
    expect(out.shadowing).toEqual([]);
    expect(out.bytes.toString().startsWith(before)).toBe(true);
  });
});

describe('the portal file', () => {
  it('a trailing dot is dropped from a name; a zone id is bad input with file and line', () => {
    const ok = parseManagerHosts('p.txt', Buffer.from('203.0.113.10 dsm.example.jp.\n'));
    expect(ok.ok && ok.value[0]!.names).toEqual(['dsm.example.jp']);
    const bad = parseManagerHosts('p.txt', Buffer.from('# x\nfe80::1%eth0 dsm.example.jp\n'));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues[0]).toMatchObject({ file: 'p.txt', line: 2, message: { key: 'inputs.hosts.zoneId' } });
  });
});

const tmp = mkdtempSync(join(tmpdir(), `dsa-hosts-unit-${process.pid}-`));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("apply's read-back under --root", () => {
  it('a wrong line that is the only mapping: "line N maps it to X; the managed block adds Y"', async () => {
    const root = join(tmp, 'root1');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/hosts'), '127.0.0.1 localhost\n10.0.0.9 dsm.example.jp\n');
    writeFileSync(join(root, 'etc/host.conf'), 'multi on\n');
    const v = await verifyHosts(createSystemContext({ root }), [DSM], '/etc/hosts');
    expect(v).toEqual({
      ok: false,
      detail: {
        key: 'steps.hosts.wrongLine',
        params: expect.objectContaining({
          name: 'dsm.example.jp',
          line: 2,
          address: '10.0.0.9',
          expected: '203.0.113.10',
        }),
      },
    });
  });

  it('without multi on, a later wrong line does not change the answer', async () => {
    const root = join(tmp, 'root2');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/hosts'), '203.0.113.10 dsm.example.jp\n10.0.0.9 dsm.example.jp\n');
    expect((await verifyHosts(createSystemContext({ root }), [DSM], '/etc/hosts')).ok).toBe(true);
    writeFileSync(join(root, 'etc/host.conf'), 'multi on\n');
    expect((await verifyHosts(createSystemContext({ root }), [DSM], '/etc/hosts')).ok).toBe(false);
  });
});

describe("OS errors are the user's to fix, not internal errors", () => {
  it('every errno a user can cause maps to exit 2 with a remedy; a bug stays a bug', async () => {
    const cases: [string, string][] = [
      ['EROFS', 'fsx.readOnly'],
      ['EISDIR', 'fsx.isDirectory'],
      ['ENOSPC', 'fsx.noSpace'],
      ['EDQUOT', 'fsx.noSpace'],
      ['ENOTDIR', 'fsx.notDirectory'],
      ['ELOOP', 'fsx.loop'],
      ['EBUSY', 'fsx.busy'],
      ['EIO', 'fsx.osError'],
      ['ENAMETOOLONG', 'fsx.osError'],
    ];
    for (const [code, key] of cases) {
      const e = (await fileSystemError(
        Object.assign(new Error(`${code}: x`), { code, syscall: 'open' }),
        join(tmp, 'no-such-file'),
        'write',
      )) as DsaError;
      expect(e, code).toBeInstanceOf(DsaError);
      expect(e.info.message.key, code).toBe(key);
      expect(e.exitCode).toBe(2);
      expect(e.info.remedy).toBeTruthy();
    }
    const bug = new TypeError('x is undefined');
    expect(await fileSystemError(bug, '/etc/hosts', 'write')).toBe(bug);
  });

  it('atomicWrite into a missing directory is exit 2 naming the path', async () => {
    const path = join(tmp, 'missing-dir', 'hosts');
    await expect(atomicWrite(path, 'x')).rejects.toMatchObject({
      exitCode: 2,
      info: { message: { params: { path, code: 'ENOENT' } } },
    });
  });
});
