import { describe, expect, it } from 'vitest';
import { analyzeHosts, applyManagedBlock, readHostsDocument } from '../../main/core/hosts/hostsDocument.js';
import { DsaError } from '../../main/core/errors.js';
import type { HostsEntry } from '../../main/core/inputs/managerHosts.js';

const ENTRIES: HostsEntry[] = [
  { address: '203.0.113.10', names: ['dsm.example.jp', 'dsm'], line: 1 },
  { address: '203.0.113.11', names: ['relay.example.jp'], line: 2 },
];
const apply = (text: string | Buffer, eol = '\n'): string =>
  applyManagedBlock(
    readHostsDocument(Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1')),
    ENTRIES,
    '/etc/hosts',
    eol,
  ).bytes.toString('latin1');
const BLOCK = (eol: string): string =>
  [
    '# >>> dsa-setup: Deep Security manager (managed block, do not edit) >>>',
    '203.0.113.10\tdsm.example.jp dsm',
    '203.0.113.11\trelay.example.jp',
    '# <<< dsa-setup <<<',
  ].join(eol) + eol;

describe('managed block in a hosts file', () => {
  it('an empty file gets just the block, with the platform line ending', () => {
    expect(apply('', '\r\n')).toBe(BLOCK('\r\n'));
  });

  it('a file with mixed line endings keeps each line ending as it was', () => {
    const before = '127.0.0.1 localhost\r\n::1 localhost\n# comment\r\n';
    expect(apply(before)).toBe(before + BLOCK('\r\n'));
  });

  it('a Shift_JIS comment survives byte for byte', () => {
    const sjis = Buffer.from([0x23, 0x20, 0x90, 0xda, 0x91, 0xb1, 0x0d, 0x0a]); // "# 接続\r\n" in Shift_JIS
    const out = Buffer.from(apply(sjis), 'latin1');
    expect(out.subarray(0, sjis.length).equals(sjis)).toBe(true);
  });

  it('one line shadowing two manager names is commented out once, its other names kept', () => {
    const out = apply('10.0.0.1 dsm.example.jp DSM intranet\n');
    expect(out.split('\n').slice(0, 2)).toEqual([
      '#dsa-setup-shadowed# 10.0.0.1 dsm.example.jp DSM intranet',
      '10.0.0.1\tintranet\t# dsa-setup: names kept from the line above',
    ]);
  });

  it('a line mapping a manager name to the same address is left alone', () => {
    const before = '203.0.113.10 dsm.example.jp\n';
    expect(apply(before)).toBe(before + BLOCK('\n'));
  });

  it('a name that only contains a manager name is not mistaken for it', () => {
    const before = '10.0.0.1 old-dsm.example.jp dsm.example.jp.internal\n';
    expect(apply(before)).toBe(before + BLOCK('\n'));
  });

  it('the resolver order: an earlier line wins, and analyze names it', () => {
    const doc = readHostsDocument(Buffer.from('127.0.0.1 localhost\n10.0.0.1 relay.example.jp\n' + BLOCK('\n')));
    const { names, shadowing } = analyzeHosts(doc, ENTRIES, '/etc/hosts');
    expect(names.find((n) => n.name === 'relay.example.jp')).toMatchObject({
      firstLine: 2,
      firstAddress: '10.0.0.1',
      inBlock: false,
    });
    expect(names.find((n) => n.name === 'dsm.example.jp')).toMatchObject({ firstLine: 4, inBlock: true });
    expect(shadowing.map((s) => s.line)).toEqual([2]);
  });

  it('a block start without an end is an error naming the line, never a silent rewrite', () => {
    const doc = readHostsDocument(
      Buffer.from('127.0.0.1 localhost\n# >>> dsa-setup: Deep Security manager\n203.0.113.10 dsm.example.jp\n'),
    );
    try {
      applyManagedBlock(doc, ENTRIES, '/etc/hosts', '\n');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DsaError);
      expect((e as DsaError).info.message.params).toEqual({ file: '/etc/hosts', line: 2 });
    }
  });

  it('applying to its own result changes nothing', () => {
    const once = apply('127.0.0.1 localhost\n10.0.0.1 dsm\n');
    const doc = readHostsDocument(Buffer.from(once, 'latin1'));
    const twice = applyManagedBlock(doc, ENTRIES, '/etc/hosts', '\n');
    expect(twice.changed).toBe(false);
    expect(twice.bytes.toString('latin1')).toBe(once);
  });
});
