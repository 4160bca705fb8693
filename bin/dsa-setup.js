#!/usr/bin/env node
// Launcher of the `dsa-setup` command: runs the CLI built by `npm run build` (npm ci runs it in `prepare`).
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22 && !process.versions.electron) {
  process.stderr.write(`dsa-setup needs Node.js 22 or newer (this is ${process.version}).\n`);
  process.exit(2);
}
const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('dsa-setup is not built: run `npm run build` in the project directory.\n');
  process.exit(2);
}
// Node's on-disk compile cache makes every start after the first much faster (zod and execa are large).
module.enableCompileCache?.();
await import(pathToFileURL(cli).href);
