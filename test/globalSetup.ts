import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds the app and CLI once before the suites when the sources are newer than the build. */
export default function setup(): void {
  const cli = join(root, 'out/main/cli.js');
  const src = Math.max(...['main', 'preload', 'renderer', 'resources'].map((d) => newest(join(root, d))));
  if (existsSync(cli) && statSync(cli).mtimeMs >= src) return;
  execFileSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
}
