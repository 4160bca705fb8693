import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const PROJECT = resolve(import.meta.dirname, '../..');
const read = (p: string): string => readFileSync(resolve(PROJECT, p), 'utf8');

/** Every string value of a locale file, with its dotted key. */
function strings(o: unknown, prefix = ''): [string, string][] {
  if (typeof o === 'string') return [[prefix, o]];
  if (o && typeof o === 'object')
    return Object.entries(o).flatMap(([k, v]) => strings(v, prefix ? `${prefix}.${k}` : k));
  return [];
}

/** The banned variants of docs/glossary.md's last column: plain words or /regular expressions/. */
function bannedVariants(): RegExp[] {
  const out: RegExp[] = [];
  for (const line of read('docs/glossary.md').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 6 || cells[1] === 'concept' || cells[1]?.startsWith('---')) continue;
    for (const v of (cells[4] ?? '').split(/,\s*/).filter(Boolean)) {
      const re = /^`\/(.+)\/`$/.exec(v);
      out.push(re ? new RegExp(re[1]!, 'u') : new RegExp(v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'u'));
    }
  }
  return out;
}

describe('the words of the glossary', () => {
  it('reads a banned variant for each concept the glossary lists one for', () => {
    expect(bannedVariants().length).toBeGreaterThanOrEqual(10);
  });

  it('ja.json uses the glossary term, never a banned variant', () => {
    const ja = strings(JSON.parse(read('resources/locales/ja.json')));
    const hits = ja.flatMap(([k, v]) =>
      bannedVariants()
        .filter((re) => re.test(v))
        .map((re) => `${k}: ${re} in "${v}"`),
    );
    expect(hits).toEqual([]);
  });

  it('no internal word reaches product text (locales, README, docs)', () => {
    const internal = /\b(seed|seed's|stand-in|stand-ins)\b/i;
    const texts: [string, string][] = [
      ...strings(JSON.parse(read('resources/locales/en.json'))),
      ...strings(JSON.parse(read('resources/locales/ja.json'))),
      ['README.md', read('README.md')],
    ];
    const hits = texts.filter(([, v]) => internal.test(v)).map(([k]) => k);
    expect(hits).toEqual([]);
  });
});
