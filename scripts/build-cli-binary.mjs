#!/usr/bin/env node
// Builds the single-file `dsa-setup` CLI for servers without Node.js (Node's single executable application):
//   1. bundles main/cli.ts with every dependency and both locale files into ONE CommonJS script (rolldown),
//   2. turns it into a preparation blob (`node --experimental-sea-config`),
//   3. injects the blob into a copy of this Node 22 binary (postject), then runs the result once (`--version`).
// Output: dist/dsa-setup-<platform>-<arch> (dist/dsa-setup-linux-x64 on Linux x64; .exe on Windows). The dev CLI
// is unchanged.
// Usage: npm run build:cli-binary [-- --out FILE] [--node NODE22_BINARY] [--keep]
//   --node  the Node.js 22 binary to build from (default: this one), e.g. an unofficial glibc-2.17 build of the
//           same version for RHEL/CentOS 7; it makes the blob itself, so it must run here.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { rolldown } from 'rolldown';

const PROJECT = resolve(import.meta.dirname, '..');
const ENTRY = join(PROJECT, 'build/cli-binary/entry.ts');
const CLI_SOURCE = join(PROJECT, 'main/cli.ts');
// The fuse Node looks for to know a blob was injected (Node's documentation, same on every platform).
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const TOP_LEVEL_CALL = /^await main\(\);[ \t]*$/m;

/** The value after a `--name` argument, if given. */
function argValue(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const windows = process.platform === 'win32';
const platform = windows ? 'win' : process.platform;
const OUT = resolve(
  argValue('--out') ?? join(PROJECT, 'dist', `dsa-setup-${platform}-${process.arch}${windows ? '.exe' : ''}`),
);
const NODE = resolve(argValue('--node') ?? process.execPath);
if (process.versions.electron || Number(process.versions.node.split('.')[0]) < 22)
  bail(
    `needs Node.js 22 or newer to build (this is ${process.version}); export PATH="$PWD/.tools/node_modules/.bin:$PATH"`,
  );
const nodeVersion = execFileSync(NODE, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
if (Number(nodeVersion.replace(/^v/, '').split('.')[0]) < 22)
  bail(`${NODE} is ${nodeVersion}; the binary needs Node 22`);

// Intermediate files (the one-script bundle, the SEA config and blob) next to the output, removed at the end;
// `--keep` keeps them (to read the bundle).
mkdirSync(dirname(OUT), { recursive: true });
const WORK = mkdtempSync(join(dirname(OUT), '.dsa-setup-sea-'));
const BUNDLE = join(WORK, 'dsa-setup.cjs');
const BLOB = join(WORK, 'dsa-setup.blob');
const SEA_CONFIG = join(WORK, 'sea-config.json');
const EXE = join(WORK, windows ? 'dsa-setup.exe' : 'dsa-setup'); // renamed to OUT once it has run

function bail(message) {
  process.stderr.write(`build-cli-binary: ${message}\n`);
  process.exit(1);
}

function fail(message) {
  process.stderr.write(`build-cli-binary: ${message}\n`);
  if (!process.argv.includes('--keep')) rmSync(WORK, { recursive: true, force: true });
  process.exit(1);
}

function step(message) {
  process.stderr.write(`build-cli-binary: ${message}\n`);
}

// Project modules that use import.meta: rolldown turns it into __dirname / __filename, which in the binary
// name the executable, not the source tree (a file looked up next to the sources is not in the binary).
const usesImportMeta = new Set();

/** Drops the one top-level `await main();` of main/cli.ts (the entry calls main instead); fails if it moved. */
const dropTopLevelCall = {
  name: 'dsa-setup:drop-top-level-await',
  transform(code, id) {
    if (!id.includes('/node_modules/') && /\bimport\.meta\b/.test(code))
      usesImportMeta.add(id.slice(PROJECT.length + 1));
    if (id !== CLI_SOURCE) return null;
    const matches = code.match(new RegExp(TOP_LEVEL_CALL.source, 'gm')) ?? [];
    if (matches.length !== 1)
      throw new Error(`main/cli.ts must end with exactly one top-level "await main();" line (found ${matches.length})`);
    return { code: code.replace(TOP_LEVEL_CALL, ''), map: null };
  },
};

async function bundle() {
  const build = await rolldown({
    input: ENTRY,
    platform: 'node',
    plugins: [dropTopLevelCall],
    logLevel: 'warn',
  });
  await build.write({ file: BUNDLE, format: 'cjs', codeSplitting: false, sourcemap: false });
  await build.close();
  for (const id of usesImportMeta)
    step(`warning: ${id} uses import.meta; in the binary it names the executable's directory, not the sources`);
  // A SEA runs one CommonJS script that can require nothing but Node's own modules.
  const code = readFileSync(BUNDLE, 'utf8');
  const requires = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  const foreign = [...new Set(requires.filter((r) => !r.startsWith('node:') && !isBuiltin(r)))];
  if (foreign.length > 0) fail(`the bundle still requires packages from node_modules: ${foreign.join(', ')}`);
}

const BUILTINS = new Set((await import('node:module')).builtinModules);
function isBuiltin(name) {
  return BUILTINS.has(name) || BUILTINS.has(name.split('/')[0]);
}

function makeBlob() {
  writeFileSync(
    SEA_CONFIG,
    JSON.stringify(
      { main: BUNDLE, output: BLOB, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: true },
      null,
      2,
    ),
  );
  // The blob is made by the very binary it goes into (a blob only loads in the Node version that made it).
  execFileSync(NODE, ['--experimental-sea-config', SEA_CONFIG], { stdio: 'inherit', timeout: 120_000 });
}

function inject() {
  copyFileSync(NODE, EXE);
  chmodSync(EXE, 0o755);
  const postject = join(PROJECT, 'node_modules/postject/dist/cli.js');
  const args = [postject, EXE, 'NODE_SEA_BLOB', BLOB, '--sentinel-fuse', SEA_FUSE];
  if (process.platform === 'darwin') args.push('--macho-segment-name', 'NODE_SEA');
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 300_000 });
  // LIEF (inside postject) complains about Node's unnamed .note sections; that is harmless noise.
  const errors = r.stderr
    .split('\n')
    .filter((l) => l && !/^warning: Can't find string offset for section name/.test(l));
  if (r.status !== 0) fail(`postject failed (exit ${r.status ?? r.signal}):\n${errors.join('\n')}`);
  if (errors.length > 0) process.stderr.write(errors.join('\n') + '\n');
}

function smokeTest() {
  const expected = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')).version;
  const got = execFileSync(EXE, ['--version'], { encoding: 'utf8', timeout: 60_000 }).trim();
  if (got !== expected) fail(`the binary's --version printed "${got}", expected "${expected}"`);
}

try {
  step('bundling main/cli.ts and its dependencies into one CommonJS script');
  await bundle();
  step(`making the preparation blob with Node ${nodeVersion} (${NODE})`);
  makeBlob();
  step(`injecting it into a copy of ${NODE}`);
  // Windows: a signed node.exe should lose its signature first (`signtool remove /s`), and the result be signed
  // again; see docs/issue-7.md.
  inject();
  smokeTest();
  renameSync(EXE, OUT);
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
if (process.argv.includes('--keep')) step(`intermediate files kept in ${WORK}`);
else rmSync(WORK, { recursive: true, force: true });
step(`done: ${OUT} (${Math.round(statSync(OUT).size / 1048576)} MiB)`);
