// Merges a fragment {"en": {...}, "ja": {...}} into resources/locales/{en,ja}.json (deep merge, existing keys
// overwritten by the fragment), writing each file atomically. Usage: node scripts/locale-merge.mjs FRAGMENT.json
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'locales');
const fragment = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const merge = (a, b) => {
  for (const [k, v] of Object.entries(b)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) a[k] = merge(a[k] && typeof a[k] === 'object' ? a[k] : {}, v);
    else a[k] = v;
  }
  return a;
};
for (const lang of ['en', 'ja']) {
  if (!fragment[lang]) throw new Error(`fragment has no "${lang}" part`);
  const file = join(dir, `${lang}.json`);
  const merged = merge(JSON.parse(readFileSync(file, 'utf8')), fragment[lang]);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(merged, null, 2) + '\n');
  renameSync(tmp, file);
}
console.log('merged into en.json and ja.json');
