import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { decodeText } from '../../main/core/textDecode.js';
import { tailText } from '../../main/core/doctor/agentFiles.js';
import { Redactor, MASK } from '../../main/core/secrets.js';
import { shiftJis } from '../fixtures/secrets/corpus.js';

const TOKEN = '8F2E4D6C-1A3B-4C5D-9E7F-0A1B2C3D4E5F';
const LINES = `first line\r\nProxyPassword = p@ss-W0rd\r\ntoken:${TOKEN}\r\n`;
const le = (s: string): Buffer => Buffer.from(s, 'utf16le');

describe('decoding a file or its tail for masking', () => {
  it('reads UTF-16LE and BE with a BOM, and a UTF-16LE tail that lost it (even or odd offset)', () => {
    const whole = Buffer.concat([Buffer.from([0xff, 0xfe]), le(LINES)]);
    expect(decodeText(whole)).toEqual({ text: LINES, encoding: 'utf-16le' });
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), le(LINES).swap16()]);
    expect(decodeText(be)).toEqual({ text: LINES, encoding: 'utf-16be' });
    // The last 100 or 101 bytes of the file: the cut first line is dropped, whichever byte the tail starts on.
    for (const cut of [100, 101]) {
      const tail = whole.subarray(whole.length - cut);
      const r = decodeText(tail, { offset: whole.length - cut, cut: true });
      expect(r.encoding).toBe('utf-16le');
      expect(r.text).toBe(`token:${TOKEN}\r\n`);
    }
  });

  it('reads Shift_JIS (a tail cut inside a character too) and keeps UTF-8 as it is', () => {
    const ja = 'ログ: 自己保護のパスワードが違います\r\n2 行目\r\n';
    expect(decodeText(shiftJis(ja))).toEqual({ text: ja, encoding: 'shift_jis' });
    const sj = shiftJis(ja);
    // Cut after the first byte of a two-byte character.
    expect(decodeText(sj.subarray(6), { offset: 6, cut: true })).toEqual({ text: '2 行目\r\n', encoding: 'shift_jis' });
    expect(decodeText(Buffer.from(`\uFEFF${ja}`, 'utf8'))).toEqual({ text: ja, encoding: 'utf-8' });
    // A UTF-8 tail cut inside a character is UTF-8 still (not taken for Shift_JIS).
    const u8 = Buffer.from(ja, 'utf8');
    expect(decodeText(u8.subarray(7), { offset: 7, cut: true })).toEqual({ text: '2 行目\r\n', encoding: 'utf-8' });
  });

  it('reads EUC-JP as EUC-JP, even where its bytes happen to be valid Shift_JIS', () => {
    const ja = 'プロキシの認証に失敗しました: ヒミツ\n';
    const euc = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'EUC-JP'], { input: ja });
    // Read as Shift_JIS these bytes are half-width katakana: a copy a person could turn back into the secret.
    expect(() => new TextDecoder('shift_jis', { fatal: true }).decode(euc)).not.toThrow();
    expect(decodeText(euc)).toEqual({ text: ja, encoding: 'euc-jp' });
    expect(decodeText(shiftJis(ja))).toEqual({ text: ja, encoding: 'shift_jis' });
  });

  it('a UTF-16 log tail is masked like any text (not one letter per line)', () => {
    const r = new Redactor();
    r.add(TOKEN, 'token');
    const t = tailText(Buffer.concat([Buffer.from([0xff, 0xfe]), le(LINES)]), false);
    expect(t.nulBytes).toBe(0);
    expect(r.text(t.text)).toBe(`first line\r\nProxyPassword = ${MASK}\r\ntoken:${MASK}\r\n`);
  });
});
