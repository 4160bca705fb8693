import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { displayWidth, keyValueLines, painter } from '../../main/commands/textLayout.js';

describe('terminal text layout', () => {
  it('counts the columns a terminal gives CJK, emoji and combining marks', () => {
    expect(displayWidth('hosts')).toBe(5);
    expect(displayWidth('エージェント')).toBe(12);
    expect(displayWidth('ﾏﾈｰｼﾞｬｰ')).toBe(7); // half-width katakana: one column each
    expect(displayWidth('✅ OK')).toBe(5);
    expect(displayWidth('e\u0301')).toBe(1); // é as e + combining acute accent
    expect(displayWidth('👨‍👩‍👧')).toBe(2); // one family emoji (a ZWJ sequence)
  });

  it('aligns values after Japanese, emoji and combined labels', () => {
    const lines = keyValueLines([
      ['OS', 'RHEL8'],
      ['ホスト名', 'web01'],
      ['Cafe\u0301', 'x'],
      ['🔒 TLS', 'ok'],
    ]);
    const valueColumn = lines.map((l) => displayWidth(l.slice(0, l.lastIndexOf(' ') + 1)));
    expect(new Set(valueColumn).size).toBe(1);
  });

  it('colours only where the stream has colours', () => {
    const plain = painter(Object.assign(new PassThrough(), { hasColors: () => false }) as never);
    expect(plain('red', 'fail')).toBe('fail');
    const tty = painter(Object.assign(new PassThrough(), { hasColors: () => true }) as never);
    expect(tty('red', 'fail')).toBe('\x1b[31mfail\x1b[39m');
    const pipe = painter(new PassThrough() as never); // a pipe has no hasColors: never coloured
    expect(pipe('green', 'ok')).toBe('ok');
  });
});
