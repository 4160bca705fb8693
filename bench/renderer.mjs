/* global window, document, MutationObserver, requestAnimationFrame -- the page callbacks run in Chromium */
// Prints the renderer's initial JavaScript size (gzip) and the time to the first screen in headless Chromium.
//   npm run build && node bench/renderer.mjs [runs]
// "Initial" is what index.html loads before the first paint: its entry script and the modules it preloads
// (the language chunks load lazily and are listed separately). The first screen is the Welcome heading.
import { createServer } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const DIR = join(import.meta.dirname, '..', 'out', 'renderer');
const LIMIT_KB = 250;
const runs = Number(process.argv[2] ?? 7);

const html = readFileSync(join(DIR, 'index.html'), 'utf8');
const initial = [
  ...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\.?\/?([^"]+\.js)"/g),
].map((m) => m[1]);
const gz = (f) => gzipSync(readFileSync(join(DIR, f)), { level: 9 }).length;
const kb = (n) => (n / 1024).toFixed(1);
let total = 0;
console.log('initial JavaScript (gzip):');
for (const f of initial) {
  const n = gz(f);
  total += n;
  console.log(`  ${f.padEnd(40)} ${kb(n).padStart(7)} KB`);
}
console.log(
  `  ${'total'.padEnd(40)} ${kb(total).padStart(7)} KB   (limit ${LIMIT_KB} KB: ${total / 1024 <= LIMIT_KB ? 'ok' : 'OVER'})`,
);
const lazy = readdirSync(join(DIR, 'assets')).filter((f) => f.endsWith('.js') && !initial.includes(`assets/${f}`));
for (const f of lazy) console.log(`  lazy: ${f.padEnd(34)} ${kb(gz(`assets/${f}`)).padStart(7)} KB`);

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };
const server = createServer((req, res) => {
  const p = normalize(new URL(req.url ?? '/', 'http://x').pathname).replace(/^(\.\.[/\\])+/, '');
  try {
    const data = readFileSync(join(DIR, p === '/' ? 'index.html' : p));
    res.writeHead(200, { 'content-type': MIME[extname(p) || '.html'] ?? 'application/octet-stream' }).end(data);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
const times = [];
try {
  for (let i = 0; i < runs; i++) {
    for (const locale of ['en-US', 'ja-JP']) {
      const context = await browser.newContext({ locale });
      const page = await context.newPage();
      // A stand-in API answering the first screen's two calls, and a marker for the heading's first paint.
      await page.addInitScript(() => {
        const reply = (value) => Promise.resolve({ ok: true, value });
        window.dsaSetup = {
          appInfo: () =>
            reply({
              version: 'bench',
              lang: 'en',
              platform: 'linux',
              root: '/',
              live: true,
              admin: false,
              features: {},
            }),
          inspect: () =>
            reply({
              os: { family: 'rhel', name: 'RHEL 8' },
              kernel: null,
              arch: null,
              hostname: null,
              agent: { installed: false },
            }),
          onApplyProgress: () => () => {},
        };
        new MutationObserver((_m, obs) => {
          if (document.querySelector('h2.screen-title')) {
            requestAnimationFrame(() => (window.__firstScreen = performance.now()));
            obs.disconnect();
          }
        }).observe(document, { childList: true, subtree: true });
      });
      await page.goto(url);
      await page.waitForFunction(() => window.__firstScreen !== undefined);
      times.push({ locale, ms: await page.evaluate(() => window.__firstScreen) });
      await context.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const locale of ['en-US', 'ja-JP']) {
  const xs = times.filter((t) => t.locale === locale).map((t) => t.ms);
  console.log(
    `time to first screen (${locale}, ${xs.length} runs): median ${median(xs).toFixed(0)} ms, min ${Math.min(...xs).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`,
  );
}
