import { describe, expect, it } from 'vitest';
import { applyEdit, byteEdit } from '../../main/core/steps/fileAction.js';

/** A hosts-like file of `n` lines. */
function lines(n: number, tag = 'a'): Buffer {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`0.0.0.0 ${tag}${i}.example.com`);
  return Buffer.from(out.join('\n') + '\n');
}

describe('the edit a plan records for a file', () => {
  it('gives back exactly the new bytes, whatever byte (around the 64 KiB compare chunks) first differs', () => {
    const before = lines(20_000); // ~600 KB: several compare chunks
    for (const at of [0, 1, 65_535, 65_536, 65_537, 131_072, before.length - 1]) {
      const after = Buffer.from(before);
      after[at] = after[at] === 0x41 ? 0x42 : 0x41;
      const e = byteEdit(before, after);
      expect(applyEdit(before, e).equals(after)).toBe(true);
      // Whole lines only: the edit starts at a line start.
      expect(e.at === 0 || before[e.at - 1] === 0x0a).toBe(true);
      expect(e.at).toBeLessThanOrEqual(at);
    }
  });

  it('records a block appended to a large file as that block alone, at the old end', () => {
    const before = lines(200_000);
    const block = '# BEGIN dsa-setup\n203.0.113.10 dsm01.example.jp\n# END dsa-setup\n';
    const after = Buffer.concat([before, Buffer.from(block)]);
    const e = byteEdit(before, after);
    expect(e).toEqual({ at: before.length, remove: 0, text: block });
    expect(applyEdit(before, e).equals(after)).toBe(true);
  });

  it('keeps bytes that are not UTF-8 exact (base64) and shrinking or emptied files', () => {
    const before = Buffer.concat([lines(3000), Buffer.from([0xff, 0xfe, 0x0a])]);
    const after = Buffer.concat([lines(3000), Buffer.from([0xfe, 0xff, 0x0a])]);
    const e = byteEdit(before, after);
    expect(e.base64).toBeDefined();
    expect(applyEdit(before, e).equals(after)).toBe(true);
    const shorter = lines(1000);
    expect(applyEdit(before, byteEdit(before, shorter)).equals(shorter)).toBe(true);
    expect(applyEdit(before, byteEdit(before, Buffer.alloc(0))).length).toBe(0);
  });
});
