// Doyensec's Electronegativity over the desktop shell (main/app), the preload and the built out/, with our
// Electron version; every finding is either fixed or listed with its reason in docs/electronegativity-allowlist.json.
// Its CLI breaks on our commander version, so its programmatic API (dist/runner.js) runs here. The scanner
// fetches translations from the internet when it loads: that request is answered "offline" in this process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROJECT } from '../helpers/cli.js';

interface Finding {
  id: string;
  file: string;
  sample?: string;
  severity: { name: string };
  location: { line: number; column: number };
}
interface ScanResult {
  atomicChecks: number;
  globalChecks: number;
  errors: { file: string; message: string; tolerable: boolean }[];
  issues: Finding[];
}
interface Allowed {
  check: string;
  file: string;
  code: string;
  reason: string;
}

const require = createRequire(import.meta.url);
const SCANNER_DIR = dirname(require.resolve('@doyensec/electronegativity/package.json'));
const ELECTRON_VERSION = (
  JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }
).version;
const ALLOWLIST = join(PROJECT, 'docs/electronegativity-allowlist.json');

/** How often the scanner asked the network for something (each answered "offline"). */
let offlineAnswers = 0;

/** Loads the scanner with its `got` (used only for translations and the online check) answering "offline". */
function loadScanner(): (options: Record<string, unknown>) => Promise<ScanResult> {
  const gotPath = createRequire(join(SCANNER_DIR, 'dist/locales/i18n.js')).resolve('got');
  const offline = new Module(gotPath);
  offline.filename = gotPath;
  offline.loaded = true;
  offline.exports = () => {
    offlineAnswers++;
    return Promise.reject(new Error('offline: the scan makes no network request'));
  };
  require.cache[gotPath] = offline;
  return require(join(SCANNER_DIR, 'dist/runner.js')) as (options: Record<string, unknown>) => Promise<ScanResult>;
}

const scan = (input: string) =>
  loadScanner()({
    input,
    electronVersionOverride: ELECTRON_VERSION,
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
    isRelative: true,
  });

const work = mkdtempSync(join(tmpdir(), `dsa-scan-${process.pid}-`));
let result: ScanResult;

beforeAll(async () => {
  // One input with the three parts at their project paths, so the global checks see the whole shell at once
  // and a finding names main/app/…, preload/… or out/….
  const staged = join(work, 'project');
  for (const part of ['main/app', 'preload', 'out/main', 'out/preload', 'out/renderer'])
    cpSync(join(PROJECT, part), join(staged, part), { recursive: true });
  result = await scan(staged);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('Electronegativity over the shell, the preload and the build', () => {
  it('finds a known weakness, so a silent scanner cannot pass', async () => {
    const bad = join(work, 'bad');
    mkdirSync(bad);
    writeFileSync(
      join(bad, 'main.js'),
      "const { BrowserWindow } = require('electron');\nnew BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } });\n",
    );
    const ids = (await scan(bad)).issues.map((i) => i.id);
    expect(ids).toEqual(expect.arrayContaining(['NODE_INTEGRATION_JS_CHECK', 'CONTEXT_ISOLATION_JS_CHECK']));
  });

  it('reads every file and runs its checks but the online one', () => {
    expect(result.errors.filter((e) => !e.tolerable)).toEqual([]);
    // Its translation download went to the stand-in above, not to the internet.
    expect(offlineAnswers).toBeGreaterThan(0);
    expect(result.atomicChecks).toBeGreaterThan(30);
    expect(result.globalChecks).toBeGreaterThan(3);
  });

  it('reports nothing beyond the allow-list, and every allow-list entry still matches a finding', () => {
    const { allowed } = JSON.parse(readFileSync(ALLOWLIST, 'utf8')) as { allowed: Allowed[] };
    const matches = (a: Allowed, f: Finding) =>
      a.check === f.id && a.file === f.file && (f.sample ?? '').includes(a.code);
    const unexplained = result.issues
      .filter((f) => !allowed.some((a) => matches(a, f)))
      .map((f) => `${f.id} (${f.severity.name}) ${f.file}:${f.location.line}:${f.location.column} ${f.sample ?? ''}`);
    expect(unexplained, `fix these or explain them in ${ALLOWLIST}`).toEqual([]);
    const stale = allowed.filter((a) => !result.issues.some((f) => matches(a, f))).map((a) => `${a.check} ${a.file}`);
    expect(stale, 'allow-list entries that no longer match a finding').toEqual([]);
    // Each allowed finding is explained where the team reads it too: the 'Security scan' table of docs/desktop.md.
    const docs = readFileSync(join(PROJECT, 'docs/desktop.md'), 'utf8');
    for (const a of allowed) {
      expect(a.reason.length, `${a.check} ${a.file}`).toBeGreaterThan(40);
      expect(docs, `docs/desktop.md names ${a.check} in ${a.file}`).toMatch(
        new RegExp(`\\| \`${a.check}\`[^\\n]*\`${a.file.replaceAll('.', '\\.')}\``),
      );
    }
    // The shell's guards are seen: no "no navigation limit", "no permission handler" or "no CSP" finding.
    for (const id of ['LIMIT_NAVIGATION_GLOBAL_CHECK', 'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK', 'AUXCLICK_JS_CHECK'])
      expect(result.issues.map((f) => f.id)).not.toContain(id);
  });
});
