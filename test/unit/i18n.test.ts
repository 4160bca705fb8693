import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectLang, localeResources, translator } from '../../main/core/i18n.js';
import { flatten } from '../helpers/locales.js';

const PROJECT = join(import.meta.dirname, '../..');

const ja = flatten(localeResources.ja);
const en = flatten(localeResources.en);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}
const SOURCES = ['main', 'renderer/src', 'preload'].flatMap((d) => sourceFiles(join(PROJECT, d)));

describe('locales', () => {
  it('ja and en have exactly the same keys', () => {
    expect([...ja.keys()].filter((k) => !en.has(k))).toEqual([]);
    expect([...en.keys()].filter((k) => !ja.has(k))).toEqual([]);
  });

  it('no value is empty, and both languages use the same {{placeholders}}', () => {
    const ph = (s: string): string[] => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!).sort();
    const bad: string[] = [];
    for (const [k, v] of en) {
      const j = ja.get(k) ?? '';
      if (!v.trim() || !j.trim()) bad.push(`${k}: empty`);
      else if (ph(v).join() !== ph(j).join()) bad.push(`${k}: en {${ph(v).join()}} vs ja {${ph(j).join()}}`);
    }
    expect(bad).toEqual([]);
  });

  it('Japanese texts are Japanese (not copies of the English)', () => {
    // A sentence in English (three lowercase words in a row) left untranslated in ja.json.
    const copied = [...en].filter(([k, v]) => ja.get(k) === v && /\b[a-z]{3,}\s+[a-z]{2,}\s+[a-z]{3,}\b/.test(v));
    expect(copied.map(([k]) => k)).toEqual([]);
  });

  it('every translation key written in the source exists in both languages', () => {
    const missing: string[] = [];
    const keyPattern =
      /(?:\bt\(|\bmsg\(|\bk\(|titleKey:\s*|\bkey:\s*|i18nKey=)\s*['"`]([a-zA-Z][\w-]*(?:\.[\w-]+)+)['"`]/g;
    for (const file of SOURCES) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(keyPattern)) {
        if (!en.has(m[1]!) || !ja.has(m[1]!)) missing.push(`${relative(PROJECT, file)}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('no user-facing text is written as a literal instead of a key', () => {
    const offenders: string[] = [];
    const outputCall =
      /(?:\.(?:say|warn|log|error|description|option|requiredOption|question|alert)\(|new Option\()\s*(?=['"`])/g;
    for (const file of SOURCES) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(outputCall)) {
        const literal = staticText(text, m.index + m[0].length);
        if (!/[A-Za-z\u3040-\u30ff\u4e00-\u9fff]{3,}/.test(literal)) continue;
        if (/^--?[\w-]+(?:[ ,<[]|$)/.test(literal.trim()) || /^[\w.:-]+$/.test(literal.trim())) continue; // flags, keys
        offenders.push(`${relative(PROJECT, file)}: ${literal}`);
      }
      if (file.endsWith('.tsx')) {
        for (const m of text.matchAll(/>\s*([^<>{}\n]*[A-Za-z\u3040-\u30ff\u4e00-\u9fff]{2,}[^<>{}\n]*)\s*</g)) {
          if (/=>|&&|\|\||\)\s*$|^\s*\w+\s*$/.test(m[1]!) && !/\s\w+\s/.test(m[1]!)) continue; // code, not text
          offenders.push(`${relative(PROJECT, file)}: JSX text "${m[1]!.trim()}"`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});

/** The static text of the string or template literal starting at `i` (the `${…}` parts left out). */
function staticText(src: string, i: number): string {
  const q = src[i]!;
  let out = '';
  for (let k = i + 1; k < src.length; k++) {
    const c = src[k]!;
    if (c === '\\') {
      k++;
      continue;
    }
    if (c === q) return out;
    if (q === '`' && c === '$' && src[k + 1] === '{') {
      let depth = 0;
      for (k = k + 1; k < src.length; k++) {
        if (src[k] === '{') depth++;
        else if (src[k] === '}' && --depth === 0) break;
        else if (src[k] === '`') k = skipTemplate(src, k);
      }
      continue;
    }
    out += c;
  }
  return out;
}

function skipTemplate(src: string, i: number): number {
  for (let k = i + 1; k < src.length; k++) {
    if (src[k] === '\\') k++;
    else if (src[k] === '`') return k;
  }
  return src.length;
}

describe('language choice', () => {
  it('follows LC_ALL, then LANG, then the OS locale; Japanese when it starts with ja', () => {
    expect(detectLang({ LC_ALL: 'ja_JP.UTF-8' }, 'en-US')).toBe('ja');
    expect(detectLang({ LANG: 'en_US.UTF-8' }, 'ja-JP')).toBe('en');
    expect(detectLang({ LC_ALL: '', LANG: 'C' }, 'ja-JP')).toBe('ja');
    expect(detectLang({}, 'en-GB')).toBe('en');
  });

  it('translates with parameters in both languages', () => {
    expect(translator('en')('revert.done', { run: 'R1' })).toBe('Run R1 reverted.');
    expect(translator('ja')('revert.done', { run: 'R1' })).toBe('実行 R1 を元に戻しました。');
  });
});
