// The single-file CLI (Node's single executable application) on a machine without Node.js: built once by
// `scripts/build-cli-binary.mjs` into a temp dir, then run with `env -i PATH=DIR` where DIR holds links to the
// system's tools minus every Node.js (the machine has /usr/bin/node v20, which the binary must not need).
import { execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  existsSync,
  mkdirSync,
} from 'node:fs';
import { arch, hostname, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT, runCli } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';

const PORTAL = join(PROJECT, 'test/fixtures/inputs/VMSecurity_hosts_cln.txt');
const NODE_NAMES = new Set(['node', 'nodejs', 'npm', 'npx', 'corepack']);
const VERSION = (JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as { version: string }).version;

let work: string;
let binary: string;
let pathDir: string;

/** A PATH directory with links to every system tool except Node.js and its launchers. */
function pathWithoutNode(dir: string): void {
  mkdirSync(dir);
  for (const d of ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    if (!existsSync(d)) continue;
    for (const name of readdirSync(d)) {
      if (NODE_NAMES.has(name) || existsSync(join(dir, name))) continue;
      symlinkSync(join(d, name), join(dir, name));
    }
  }
}

/** Runs the binary as an administrator would on a bare VM: empty environment, PATH without node, cwd `/`. */
async function runBinary(args: string[], env: Record<string, string> = {}) {
  const vars = Object.entries({ LANG: 'C', ...env }).map(([k, v]) => `${k}=${v}`);
  const r = await execa('env', ['-i', `PATH=${pathDir}`, ...vars, binary, ...args], {
    reject: false,
    cwd: '/',
    stdin: 'ignore',
    timeout: 60_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'dsa-cli-binary-'));
  binary = join(work, 'dsa-setup-linux-x64');
  // The build needs Node 22 (this vitest process runs on it); the binary it makes needs nothing.
  execFileSync(process.execPath, [join(PROJECT, 'scripts/build-cli-binary.mjs'), '--out', binary], {
    cwd: PROJECT,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 280_000,
  });
  pathDir = join(work, 'path');
  pathWithoutNode(pathDir);
}, 300_000);

afterAll(() => {
  cleanupRoots();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('single-file CLI with no node on PATH', () => {
  it('the test environment really has no node (and still has the ordinary tools)', async () => {
    const node = await execa('env', ['-i', `PATH=${pathDir}`, 'sh', '-c', 'command -v node'], { reject: false });
    expect(node.exitCode).not.toBe(0);
    expect(String(node.stdout)).toBe('');
    const nodejs = await execa('env', ['-i', `PATH=${pathDir}`, 'sh', '-c', 'command -v nodejs'], { reject: false });
    expect(nodejs.exitCode).not.toBe(0);
    const uname = await execa('env', ['-i', `PATH=${pathDir}`, 'sh', '-c', 'command -v uname'], { reject: false });
    expect(uname.exitCode).toBe(0);
  });

  it('--version prints the package version', async () => {
    const r = await runBinary(['--version']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
    expect(r.stderr).not.toMatch(/ExperimentalWarning|single executable/i);
  });

  it('inspect --json describes this machine', async () => {
    const r = await runBinary(['inspect', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { live: boolean; kernel: string; hostname: string; arch: string };
    expect(json.live).toBe(true);
    expect(json.kernel).toBe(release());
    expect(json.hostname).toBe(hostname());
    expect(json.arch).toBe(arch() === 'x64' ? 'x86_64' : json.arch);
  });

  it('inspect --json --root answers exactly as the dev CLI does', async () => {
    const root = makeRoot({
      ...OS_RELEASE.el8,
      hosts: '127.0.0.1 localhost\n',
      kernel: { osrelease: '4.18.0-553.el8_10.x86_64', arch: 'x86_64', hostname: 'web01' },
    });
    const bin = await runBinary(['inspect', '--json', '--root', root]);
    const dev = await runCli(['inspect', '--json', '--root', root]);
    expect(bin.exitCode, bin.stderr).toBe(0);
    expect(JSON.parse(bin.stdout)).toEqual(JSON.parse(dev.stdout));
    expect(JSON.parse(bin.stdout)).toMatchObject({ kernel: '4.18.0-553.el8_10.x86_64', hostname: 'web01' });
  });

  it('plans the hosts step under --root and changes nothing', async () => {
    const before = '127.0.0.1\tlocalhost\n';
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: before });
    const r = await runBinary(['plan', '--root', root, '--hosts-file', PORTAL, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { steps: { id: string; upToDate: boolean; changes: { diff: string[] }[] }[] };
    const hosts = plan.steps.find((s) => s.id === 'hosts')!;
    expect(hosts.upToDate).toBe(false);
    expect(hosts.changes[0]!.diff).toContain('+ 203.0.113.10\tdsm01.vmsecurity.example.jp dsm01');
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe(before);
    // The same plan as the dev CLI's, apart from when it was made.
    const dev = await runCli(['plan', '--root', root, '--hosts-file', PORTAL, '--json']);
    const strip = (s: string) => ({ ...(JSON.parse(s) as object), createdAt: '' });
    expect(strip(r.stdout)).toEqual(strip(dev.stdout));
  });

  it('carries both languages: a bad hosts file is refused in Japanese with file and line (exit 2)', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: '127.0.0.1 localhost\n' });
    const bad = join(work, 'bad-hosts.txt');
    writeFileSync(bad, '# portal file\r\nnot-an-address dsm01.example.jp\r\n');
    const r = await runBinary(['plan', '--root', root, '--hosts-file', bad], { LANG: 'ja_JP.UTF-8' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${bad}:2:1`);
    expect(r.stderr).toContain('IP アドレスではありません');
    const dev = await runCli(['plan', '--root', root, '--hosts-file', bad], { env: { LANG: 'ja_JP.UTF-8' } });
    expect(r.stderr).toBe(dev.stderr);
  });
});
