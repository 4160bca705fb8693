// The CLI launcher the desktop package ships (build/cli-launcher/dsa-setup), in the layout electron-builder gives:
// <install>/dsa-setup (the Electron binary), <install>/resources/app.asar (the app), <install>/resources/cli/ (the
// launcher, from extraResources). Electron itself cannot be downloaded here, so <install>/dsa-setup is a stand-in
// that insists on ELECTRON_RUN_AS_NODE=1 (as Electron must get it to act as Node) and then runs Node 22; the app
// is this project's built tree. What is under test is the launcher's part: finding both from wherever it is
// linked, node mode, arguments, output and exit codes passed through.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT, runCli } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';

const PORTAL = join(PROJECT, 'test/fixtures/inputs/VMSecurity_hosts_cln.txt');
const VERSION = (JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as { version: string }).version;

let work: string;
let binDir: string;

/** Runs `dsa-setup` as a user with the launcher linked into PATH (no node there: /usr/bin is after it, no .tools). */
async function runLinked(args: string[]) {
  const r = await execa('env', ['-i', `PATH=${binDir}:/usr/bin:/bin`, 'LANG=C', 'dsa-setup', ...args], {
    reject: false,
    cwd: '/',
    stdin: 'ignore',
    timeout: 60_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'dsa-launcher-'));
  const install = join(work, 'opt/dsa-setup');
  mkdirSync(join(install, 'resources/cli'), { recursive: true });
  writeFileSync(
    join(install, 'dsa-setup-gui'),
    `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo "stand-in Electron: not in node mode" >&2; exit 99; }\nexec ${process.execPath} "$@"\n`,
    { mode: 0o755 },
  );
  symlinkSync(PROJECT, join(install, 'resources/app.asar.unpacked'));
  copyFileSync(join(PROJECT, 'build/cli-launcher/dsa-setup'), join(install, 'resources/cli/dsa-setup'));
  copyFileSync(join(PROJECT, 'build/cli-launcher/dsa-setup.cmd'), join(install, 'resources/cli/dsa-setup.cmd'));
  binDir = join(work, 'bin');
  mkdirSync(binDir);
  symlinkSync(join(install, 'resources/cli/dsa-setup'), join(binDir, 'dsa-setup'));
});

afterAll(() => {
  cleanupRoots();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the desktop package’s CLI launcher', () => {
  it('runs the CLI through the app’s binary in node mode: --version', async () => {
    const r = await runLinked(['--version']);
    expect(r.stderr).not.toContain('not in node mode');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
  });

  it('passes arguments and output through: a hosts plan under --root, the same as the dev CLI', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: '127.0.0.1 localhost\n' });
    const r = await runLinked(['plan', '--root', root, '--hosts-file', PORTAL, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const dev = await runCli(['plan', '--root', root, '--hosts-file', PORTAL, '--json']);
    const strip = (s: string) => ({ ...(JSON.parse(s) as object), createdAt: '' });
    expect(strip(r.stdout)).toEqual(strip(dev.stdout));
  });

  it('passes the exit code through (2 for a missing input file)', async () => {
    const r = await runLinked(['plan', '--hosts-file', join(work, 'no-such-file.txt')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('no-such-file.txt');
  });

  it('says so when the app’s binary is not where it should be', async () => {
    const r = await execa(
      'env',
      [
        '-i',
        'PATH=/usr/bin:/bin',
        `DSA_SETUP_ELECTRON=${join(work, 'nowhere')}`,
        join(binDir, 'dsa-setup'),
        '--version',
      ],
      {
        reject: false,
      },
    );
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toContain(`the desktop app's binary is missing: ${join(work, 'nowhere')}`);
  });

  it('the Windows launcher has CRLF line ends and runs the same script in node mode', () => {
    const cmd = readFileSync(join(PROJECT, 'build/cli-launcher/dsa-setup.cmd'), 'utf8');
    expect(cmd.split('\r\n').length).toBeGreaterThan(10);
    expect(cmd).not.toMatch(/[^\r]\n/);
    expect(cmd).toContain('set "ELECTRON_RUN_AS_NODE=1"');
    expect(cmd).toContain('"%DSA_EXE%" "%DSA_APP%\\out\\main\\cli.js" %*');
  });
});
