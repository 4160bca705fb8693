import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CLI, runCli } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { configText, findLeaks, GIVEN, logLines, UNKNOWN } from '../fixtures/secrets/corpus.js';

interface Manifest {
  files: { path: string; bytes: number; truncated: boolean; nulBytes?: number }[];
  masked: { file: string; line: number; kind: string }[];
  omitted: { source: string; reason: string; note: string; target?: string }[];
}

const out = mkdtempSync(join(tmpdir(), `dsa-secrets-${process.pid}-`));
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  cleanupRoots();
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** Every file of an archive, unpacked (tar.gz or zip), by path. */
async function unpack(file: string): Promise<Map<string, Buffer>> {
  const x = mkdtempSync(join(out, 'x-'));
  if (file.endsWith('.zip')) await execa('unzip', ['-q', file, '-d', x]);
  else await execa('tar', ['-xzf', file, '-C', x]);
  return new Map(walk(x).map((f) => [relative(x, f), readFileSync(f)]));
}

const RUN = 'var/lib/dsa-setup/runs/20261123T100000Z-abcdef';

/** An agent tree whose log, configuration and journal carry the corpus; the activation file gives token and tenant. */
function secretRoot(extra: Record<string, string | Buffer> = {}): { root: string; activation: string } {
  const root = makeRoot({
    ...OS_RELEASE.el9,
    hosts: '127.0.0.1 localhost\n203.0.113.10 dsm.example.jp\n',
    files: {
      // The last line names the token and has no final newline: the doctor quotes it.
      'var/opt/ds_agent/diag/ds_agent.log': `${logLines().join('\n')}\n2026-11-23 10:01:00.000000: [Error/1] | Activation failed: invalid token ${GIVEN.token}`,
      'var/opt/ds_agent/diag/ds_agent-err.log': configText(),
      'var/opt/ds_agent/dsa_core/ds_agent.ini': configText(),
      [`${RUN}/events.jsonl`]:
        JSON.stringify({
          t: '2026-11-23T10:00:00Z',
          type: 'command',
          step: 'activate',
          command: '/opt/ds_agent/dsa_control',
          args: ['-p', GIVEN.agentPassword, '-a', 'dsm://agents.example.jp:443/', `tenantID:${GIVEN.tenantId}`],
          stdout: logLines().join('\n'),
        }) + '\n',
      [`${RUN}/plan.json`]: JSON.stringify({ steps: [{ id: 'activate', token: GIVEN.token }] }),
      ...extra,
    },
  });
  const activation = join(root, 'AgentDeploymentScript.sh');
  writeFileSync(
    activation,
    `#!/bin/bash\nACTIVATIONURL='dsm://agents.example.jp:443/'\n/opt/ds_agent/dsa_control -a $ACTIVATIONURL "tenantID:${GIVEN.tenantId}" "token:${GIVEN.token}" "policyid:1"\n`,
  );
  return { root, activation };
}

/** `doctor --root ROOT --activation-file FILE --only agent.log …more`. */
const doctorLog = (r: { root: string; activation: string }, ...more: string[]): string[] => [
  'doctor',
  '--root',
  r.root,
  '--activation-file',
  r.activation,
  '--only',
  'agent.log',
  ...more,
];

/** What the CLI is given besides the activation file: the agent's password and a proxy with credentials. */
const ENV = {
  DSA_SETUP_AGENT_PASSWORD: GIVEN.agentPassword,
  HTTPS_PROXY: `http://${GIVEN.proxyUser}:${encodeURIComponent(GIVEN.proxyPassword)}@proxy.example.jp:8080`,
  NO_PROXY: '*',
};

describe('no secret leaves through any output path', () => {
  it('doctor text and --json, the bundle (every file, both formats), report html and md', async () => {
    const base = doctorLog(secretRoot(), '--timeout', '2000');
    const outputs: { where: string; data: string | Buffer }[] = [];

    const text = await runCli([...base, '--bundle', join(out, 'a.tar.gz')], { env: ENV });
    expect(text.exitCode, text.stderr).toBe(1);
    // The doctor found the failure on the last, unterminated line, and quotes it masked.
    expect(text.stdout).toContain('Activation failed: invalid token [masked]');
    outputs.push({ where: 'doctor stdout', data: text.stdout }, { where: 'doctor stderr', data: text.stderr });

    const json = await runCli([...base, '--json', '--bundle', join(out, 'a.zip')], { env: ENV });
    expect(json.exitCode, json.stderr).toBe(1);
    outputs.push({ where: 'doctor --json', data: json.stdout }, { where: 'doctor --json stderr', data: json.stderr });

    for (const archive of ['a.tar.gz', 'a.zip']) {
      const file = join(out, archive);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      outputs.push({ where: archive, data: readFileSync(file) });
      const files = await unpack(file);
      for (const want of [
        'doctor.json',
        'report.html',
        'report.md',
        'agent/logs/ds_agent.log',
        'agent/config/ds_agent.ini',
      ])
        expect([...files.keys()]).toContain(want);
      for (const [name, data] of files) outputs.push({ where: `${archive}:${name}`, data });
      const manifest = JSON.parse(files.get('MANIFEST.json')!.toString('utf8')) as Manifest;
      // Each masking is listed by file, line and kind.
      expect(manifest.masked).toContainEqual({ file: 'agent/logs/ds_agent.log', line: 1, kind: 'tenantID' });
      expect(manifest.masked).toContainEqual({ file: 'agent/config/ds_agent.ini', line: 3, kind: 'password' });
      expect(manifest.masked).toContainEqual({ file: 'agent/config/ds_agent.ini', line: 7, kind: 'private-key' });
      expect(manifest.masked.some((m) => m.file === `journal/20261123T100000Z-abcdef/events.jsonl`)).toBe(true);
    }
    // The summary came before the archive was written.
    const summary = text.stdout.indexOf('Support bundle');
    expect(summary).toBeGreaterThan(0);
    expect(text.stdout.indexOf('Masked: ')).toBeGreaterThan(summary);
    expect(text.stdout.indexOf('Written: ')).toBeGreaterThan(text.stdout.indexOf('Masked: '));

    // A doctor.json from elsewhere, with raw secret-shaped lines in it: the report masks them (html and md).
    const raw = JSON.parse(json.stdout) as { checks: { detail: string; detailRef: { params: { line: string } } }[] };
    raw.checks[0]!.detail = raw.checks[0]!.detailRef.params.line = [...logLines().slice(0, 16), configText()].join(
      '\n',
    );
    const rawFile = join(out, 'raw-doctor.json');
    writeFileSync(rawFile, JSON.stringify(raw));
    for (const format of ['html', 'md']) {
      const r = await runCli(['report', '--from', rawFile, '--format', format]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/\\?\[masked\\?\]/);
      expect(findLeaks(r.stdout, [...Object.values(UNKNOWN), GIVEN.proxyPassword, GIVEN.managerPassword])).toEqual([]);
      const f = join(out, `report.${format}`);
      const w = await runCli(['report', '--from', rawFile, '--format', format, '--out', f]);
      expect(w.exitCode, w.stderr).toBe(0);
      expect(findLeaks(readFileSync(f), [...Object.values(UNKNOWN), GIVEN.proxyPassword])).toEqual([]);
    }

    for (const o of outputs) expect(findLeaks(o.data), o.where).toEqual([]);
  });

  it('error messages on stderr and in --json: a manager URL with a password, a proxy URL, a misspelled activation file', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: '127.0.0.1 localhost\n' });
    const bad = join(root, 'activation.txt');
    writeFileSync(
      bad,
      `/opt/ds_agent/dsa_control -a dsm://agents.example.jp:443/ "tokn:${UNKNOWN.misspelledToken}" "tenantId=${GIVEN.tenantId}"\r\n`,
    );
    const runs = [
      ['doctor', '--manager', `dsm://admin:${GIVEN.managerPassword}@dsm.example.jp:4120/`],
      ['activate', '--manager', `dsm://admin:${GIVEN.managerPassword}@dsm.example.jp:4120/`, '--no-doctor'],
      [
        'activate',
        '--manager',
        'dsm://dsm.example.jp:4120/',
        '--proxy',
        `http://${GIVEN.proxyUser}:${GIVEN.proxyPassword}@proxy.example.jp:8080`,
        '--no-doctor',
      ],
      ['doctor', '--activation-file', bad],
      ['activate', '--activation-file', bad, '--no-doctor'],
    ];
    for (const args of runs)
      for (const json of [false, true]) {
        const r = await runCli(['--root', root, ...(json ? ['--json'] : []), ...args]);
        expect(r.exitCode, r.stderr).toBe(2);
        // Masked, or (an activation argument that is not key:value) not shown at all.
        expect(r.stderr + r.stdout).toMatch(/masked|not shown/);
        if (json) expect(JSON.parse(r.stdout).ok).toBe(false);
        expect(findLeaks(r.stdout + '\n' + r.stderr), args.join(' ')).toEqual([]);
      }
  });
});

describe('a command line typed wrong', () => {
  it('a misspelled secret option is refused (exit 2) without echoing its value; pasted activation arguments too', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: '127.0.0.1 localhost\n' });
    const runs = [
      ['doctor', `--tokn=${GIVEN.token}`],
      ['doctor', `--tennant-id=${GIVEN.tenantId}`],
      ['activate', `--pasword=${GIVEN.agentPassword}`, '--no-doctor'],
      ['activate', `--proxy-pass=${GIVEN.proxyUser}:${GIVEN.proxyPassword}`, '--no-doctor'],
      ['activate', `--Token=${GIVEN.token}`, '--no-doctor'],
      ['doctor', '--manager', 'dsm://dsm.example.jp:4120/', `"token:${GIVEN.token}"`],
      // The token pasted where a file or a URL goes: the error names the value.
      ['doctor', '--activation-file', GIVEN.token],
      ['doctor', `--manager=${GIVEN.tenantId}`],
    ];
    // --json changes nothing for these (commander refuses before any command runs): two are enough.
    const all = [...runs, ['--json', ...runs[0]!], ['--json', ...runs[6]!]];
    const results = await Promise.all(all.map((args) => runCli(['--root', root, ...args])));
    results.forEach((r, i) => {
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/error: (unknown option|too many arguments|.*\[masked\])/);
      expect(findLeaks(r.stdout + '\n' + r.stderr), all[i]!.join(' ')).toEqual([]);
    });
  });
});

describe("the doctor's details", () => {
  it("never take the agent's proxy password for its proxy's address (shown, and looked up in DNS)", async () => {
    // Credentials and the port before the address; as UTF-8, and UTF-16 as Notepad saves it.
    const ini = `[proxy]\r\nProxyPassword=${UNKNOWN.logPassword}\r\nProxyUser=${GIVEN.proxyUser}\r\nProxyPort=1\r\nProxyServer=proxy.example.jp:1\r\n`;
    for (const data of [Buffer.from(ini), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ini, 'utf16le')])]) {
      const root = makeRoot({
        ...OS_RELEASE.el9,
        hosts: '127.0.0.1 localhost\n127.0.0.1 proxy.example.jp\n',
        files: { 'var/opt/ds_agent/dsa_core/ds_agent.ini': data },
      });
      const r = await runCli([
        'doctor',
        '--root',
        root,
        '--manager',
        'dsm://dsm.example.jp:4120/',
        '--only',
        'proxy',
        '--timeout',
        '500',
        '--json',
      ]);
      const proxy = (JSON.parse(r.stdout) as { checks: { id: string; detail: string }[] }).checks.find(
        (c) => c.id === 'proxy',
      )!;
      expect(findLeaks(r.stdout + r.stderr, [UNKNOWN.logPassword])).toEqual([]);
      expect(proxy.detail).toContain("The agent's proxy proxy.example.jp:1 (/var/opt/ds_agent/dsa_core/ds_agent.ini)");
    }
  });
});

describe('the bundle reads only what it should', () => {
  it('does not follow a link out of the agent folder (the shadow file), and says so in the manifest', async () => {
    const { root, activation } = secretRoot();
    const diag = join(root, 'var/opt/ds_agent/diag');
    rmSync(join(diag, 'ds_agent.log'));
    symlinkSync('/etc/shadow', join(diag, 'ds_agent.log'));
    // A linked folder too.
    mkdirSync(join(root, 'var/log'), { recursive: true });
    symlinkSync('/etc', join(root, 'var/log/ds_agent'));
    const file = join(out, 'links.tar.gz');
    const r = await runCli(doctorLog({ root, activation }, '--bundle', file));
    expect(r.stdout).toContain('skipped: link to /etc/shadow');
    const files = await unpack(file);
    const manifest = JSON.parse(files.get('MANIFEST.json')!.toString('utf8')) as Manifest;
    expect(manifest.omitted).toContainEqual({
      source: '/var/opt/ds_agent/diag/ds_agent.log',
      reason: 'link',
      note: 'skipped: link to /etc/shadow',
      target: '/etc/shadow',
    });
    expect(manifest.omitted.some((o) => o.source === '/var/log/ds_agent' && o.note === 'skipped: link to /etc')).toBe(
      true,
    );
    expect(files.has('agent/logs/ds_agent.log')).toBe(false);
    const shadow = readFileSync('/etc/shadow', 'utf8').split('\n')[0]!;
    for (const data of files.values()) expect(data.toString('utf8')).not.toContain(shadow);
  });

  it('as an ordinary user: an unreadable log folder is "left out: permission denied" and the doctor says why', async () => {
    const { root, activation } = secretRoot();
    chmodSync(join(root, 'var/opt/ds_agent/diag'), 0o700);
    chmodSync(join(root, 'var/lib/dsa-setup/runs'), 0o700);
    chmodSync(root, 0o755);
    chmodSync(activation, 0o644);
    mkdirSync(join(root, '.sandbox'), { mode: 0o777 });
    chmodSync(join(root, '.sandbox'), 0o777);
    const dir = mkdtempSync(join(tmpdir(), `dsa-nobody-${process.pid}-`));
    chmodSync(dir, 0o777);
    const file = join(dir, 'nobody.tar.gz');
    const r = await runCli(
      ['doctor', '--root', root, '--activation-file', activation, '--only', 'agent.log', '--json', '--bundle', file],
      { asUser: 'nobody', plainUser: true },
    );
    const check = (JSON.parse(r.stdout) as { checks: { id: string; status: string; detail: string }[] }).checks.find(
      (c) => c.id === 'agent.log',
    )!;
    expect(check.status).toBe('warn');
    expect(check.detail).toContain("Cannot read the agent's log (/var/opt/ds_agent/diag): permission denied");
    expect(check.detail).not.toContain('not installed');
    expect(r.stderr).toContain('/var/opt/ds_agent/diag (left out: permission denied)');
    const manifest = JSON.parse((await unpack(file)).get('MANIFEST.json')!.toString('utf8')) as Manifest;
    expect(manifest.omitted).toContainEqual({
      source: '/var/opt/ds_agent/diag',
      reason: 'permission',
      note: 'left out: permission denied',
    });
    expect(manifest.omitted).toContainEqual({
      source: '/var/lib/dsa-setup/runs',
      reason: 'permission',
      note: 'left out: permission denied',
    });
    rmSync(dir, { recursive: true, force: true });
  });

  it('a 300 MB sparse log with a final unterminated line: the doctor finds it, the copy keeps it, NULs stay out', async () => {
    const { root, activation } = secretRoot();
    const log = join(root, 'var/opt/ds_agent/diag/ds_agent.log');
    writeFileSync(log, '2026-11-23 09:00:00.000000: [Info/2] | started\n');
    truncateSync(log, 300 * 1024 * 1024);
    appendFileSync(
      log,
      '2026-11-23 10:00:00.000000: [Error/1] | CHTTPServer::AcceptSSL(203.0.113.10:4118) - BIO_do_handshake() failed',
    );
    const file = join(out, 'sparse.tar.gz');
    const r = await runCli(doctorLog({ root, activation }, '--json', '--bundle', file));
    const check = (JSON.parse(r.stdout) as { checks: { id: string; status: string; detail: string }[] }).checks[0]!;
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('BIO_do_handshake() failed');
    const files = await unpack(file);
    const copy = files.get('agent/logs/ds_agent.log')!.toString('utf8');
    expect(copy).toContain('BIO_do_handshake() failed');
    expect(copy).not.toContain('\0');
    const manifest = JSON.parse(files.get('MANIFEST.json')!.toString('utf8')) as Manifest;
    const entry = manifest.files.find((f) => f.path === 'agent/logs/ds_agent.log')!;
    expect(entry.truncated).toBe(true);
    expect(entry.nulBytes).toBeGreaterThan(1000 * 1000);
    expect(statSync(file).size).toBeLessThan(1024 * 1024);
  });

  it('--bundle never overwrites: an existing file, a folder, a missing parent are exit 2 naming them; --force replaces', async () => {
    const { root, activation } = secretRoot();
    const base = doctorLog({ root, activation });
    const existing = join(out, 'hosts-copy');
    writeFileSync(existing, '127.0.0.1 localhost\n');
    const before = readFileSync(existing);
    for (const json of [false, true]) {
      const r = await runCli([...base, ...(json ? ['--json'] : []), '--bundle', existing]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`The file ${existing} already exists`);
      expect(readFileSync(existing)).toEqual(before);
    }
    const folder = await runCli([...base, '--bundle', out]);
    expect(folder.exitCode).toBe(2);
    expect(folder.stderr).toContain(`${out} is a folder`);
    const missing = join(out, 'no-such-folder', 'b.tar.gz');
    const m = await runCli([...base, '--bundle', missing]);
    expect(m.exitCode).toBe(2);
    expect(m.stderr).toContain(`The folder ${join(out, 'no-such-folder')} does not exist`);
    expect(existsSync(join(out, 'no-such-folder'))).toBe(false);

    const forced = await runCli([...base, '--bundle', existing, '--force']);
    expect(forced.exitCode, forced.stderr).toBe(1);
    expect(readFileSync(existing).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip
    expect(statSync(existing).mode & 0o777).toBe(0o600);
    // No temporary file is left next to it.
    expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

/** `dsa-setup doctor --root ROOT --token … --manager dsm://127.0.0.1:9/ …more` with `code` loaded before the CLI. */
function doctorWith(code: string, root: string, more: string[], env: Record<string, string>) {
  return execa(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(code)}`,
      CLI,
      'doctor',
      '--root',
      root,
      '--token',
      GIVEN.token,
      '--manager',
      'dsm://127.0.0.1:9/',
      ...more,
    ],
    { reject: false, env: { LANG: 'C', ...env } },
  );
}

describe('an error no command caught', () => {
  it('a callback that throws or a promise nobody awaited: masked "Internal error", logged masked, never the raw stack', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: '127.0.0.1 localhost\n' });
    const logDir = mkdtempSync(join(out, 'log-'));
    // A bug stands in for itself: code loaded before the CLI fails 30 ms into the run, naming the token.
    const faults = [
      `setTimeout(() => { throw new Error("stray failure near token ${GIVEN.token}") }, 30)`,
      `setTimeout(() => { Promise.reject(new Error("stray rejection, proxy password ${GIVEN.proxyPassword}")) }, 30)`,
    ];
    for (const fault of faults) {
      const r = await doctorWith(fault, root, ['--timeout', '3000'], { ...ENV, DSA_SETUP_LOG_DIR: logDir });
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).not.toContain('unknown option');
      expect(r.stderr).toContain('Internal error: stray');
      expect(r.stderr).toContain(join(logDir, 'errors.log'));
      expect(findLeaks(r.stdout + r.stderr), r.stderr).toEqual([]);
    }
    const log = readFileSync(join(logDir, 'errors.log'), 'utf8');
    expect(log).toContain('stray failure near token [masked]');
    expect(log).toContain('stray rejection, proxy password [masked]');
    expect(findLeaks(log)).toEqual([]);
  });
});

describe('the command line other users see', () => {
  it('is the masked one while the CLI runs (ps, /proc/PID/cmdline)', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: '127.0.0.1 localhost\n' });
    const seen = join(mkdtempSync(join(out, 'cmdline-')), 'cmdline');
    // What `ps` would show, read by the process itself as it exits.
    const probe = `import { readFileSync, writeFileSync } from 'node:fs'; process.on('exit', () => writeFileSync(${JSON.stringify(seen)}, readFileSync('/proc/self/cmdline')));`;
    const r = await doctorWith(probe, root, [`--tenant-id=${GIVEN.tenantId}`, '--timeout', '500'], {});
    expect(r.exitCode, r.stderr).toBe(1);
    const cmdline = readFileSync(seen).toString('utf8').replace(/\0/g, ' ').trim();
    expect(cmdline).toMatch(
      /^dsa-setup doctor --root \S+ --token \[masked\] --manager dsm:\/\/127\.0\.0\.1:9\/ --tenant-id=\[masked\]/,
    );
    expect(findLeaks(cmdline)).toEqual([]);
  });
});
