import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { cleanupRoots, makeRoot } from '../helpers/sandbox.js';
import { configText, findLeaksAnyEncoding, GIVEN, logLines, shiftJis } from '../fixtures/secrets/corpus.js';

// The files a Windows server keeps in other encodings than UTF-8: Notepad's "Unicode" and msiexec's `/l*v` logs
// are UTF-16LE with a BOM; a tail of such a log has lost its BOM; Japanese Windows programs write CP932.

const out = mkdtempSync(join(tmpdir(), `dsa-secrets-enc-${process.pid}-`));
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  cleanupRoots();
});

const WIN_AGENT = 'ProgramData/Trend Micro/Deep Security Agent';
/** The agent's self-protection password, Japanese letters included (given through the environment). */
const JA_PASSWORD = '秘密のパスワード2026';
const utf16le = (text: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
const utf16be = (text: string): Buffer =>
  Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

async function untar(file: string): Promise<Map<string, Buffer>> {
  const x = mkdtempSync(join(out, 'x-'));
  await execa('tar', ['-xzf', file, '-C', x]);
  return new Map(walk(x).map((f) => [relative(x, f), readFileSync(f)]));
}

describe('the support bundle masks secrets in files of any encoding', () => {
  it('UTF-16LE (whole and tailed past its BOM), UTF-16BE and Shift_JIS files are copied as masked UTF-8', async () => {
    // More than the 1 MiB tail kept of a log, so the copy starts past the BOM.
    const padding = Array.from(
      { length: 12_000 },
      (_, i) => `2026-11-23 09:00:00.000000: [Info/2] | heartbeat ${i} ok`,
    ).join('\r\n');
    const jaLine = `2026-11-23 10:00:20.000000: [Error/1] | 自己保護のパスワードが違います: ${JA_PASSWORD}`;
    const root = makeRoot({
      windows: true,
      hosts: '127.0.0.1 localhost\r\n',
      files: {
        [`${WIN_AGENT}/diag/ds_agent.log`]: utf16le(`${padding}\r\n${logLines().join('\r\n')}\r\n`),
        [`${WIN_AGENT}/diag/ds_agent-err.log`]: utf16be(configText()),
        [`${WIN_AGENT}/diag/ds_am.log`]: shiftJis(`${jaLine}\r\n${logLines().slice(0, 4).join('\r\n')}\r\n`),
        [`${WIN_AGENT}/dsa_core/ds_agent.ini`]: utf16le(configText()),
      },
    });
    const activation = join(root, 'AgentDeploymentScript.ps1');
    writeFileSync(
      activation,
      `& $Env:ProgramFiles"\\Trend Micro\\Deep Security Agent\\dsa_control" -a dsm://agents.example.jp:443/ "tenantID:${GIVEN.tenantId}" "token:${GIVEN.token}"\r\n`,
    );
    const file = join(out, 'windows.tar.gz');
    const r = await runCli(
      ['doctor', '--root', root, '--activation-file', activation, '--only', 'agent.log', '--bundle', file],
      { env: { DSA_SETUP_AGENT_PASSWORD: JA_PASSWORD } },
    );
    expect(r.stderr).not.toContain('Internal error');
    const files = await untar(file);
    const secrets = [GIVEN.token, GIVEN.tenantId, GIVEN.proxyPassword, GIVEN.managerPassword, JA_PASSWORD];
    for (const [name, data] of files) expect(findLeaksAnyEncoding(data, secrets), name).toEqual([]);
    expect(findLeaksAnyEncoding(readFileSync(file), secrets)).toEqual([]);
    expect(findLeaksAnyEncoding(Buffer.from(r.stdout + r.stderr), secrets)).toEqual([]);

    // Each copy reads as the text it was, masked: one line per line, not one letter per line.
    const log = files.get('agent/logs/ds_agent.log')!.toString('utf8');
    expect(log).toContain('Activation failed: invalid token [masked]');
    expect(log).toContain('heartbeat 11999 ok');
    expect(log).not.toContain('\0');
    expect(files.get('agent/logs/ds_agent-err.log')!.toString('utf8')).toContain('ProxyPassword = [masked]');
    expect(files.get('agent/logs/ds_am.log')!.toString('utf8')).toContain('自己保護のパスワードが違います: [masked]');
    expect(files.get('agent/config/ds_agent.ini')!.toString('utf8')).toMatch(
      /^\[agent\]\r\nproxy = http:\/\/proxyop:\[masked\]@/,
    );

    // The manifest says what each copy was converted from, and the summary tells the admin.
    const manifest = JSON.parse(files.get('MANIFEST.json')!.toString('utf8')) as {
      files: { path: string; encoding?: string; truncated: boolean }[];
      masked: { file: string; kind: string }[];
    };
    const entry = (p: string) => manifest.files.find((f) => f.path === p);
    expect(entry('agent/logs/ds_agent.log')).toMatchObject({ encoding: 'utf-16le', truncated: true });
    expect(entry('agent/logs/ds_agent-err.log')).toMatchObject({ encoding: 'utf-16be', truncated: false });
    expect(entry('agent/logs/ds_am.log')).toMatchObject({ encoding: 'shift_jis' });
    expect(entry('agent/config/ds_agent.ini')).toMatchObject({ encoding: 'utf-16le' });
    expect(entry('doctor.json')!.encoding).toBeUndefined();
    expect(manifest.masked).toContainEqual({ file: 'agent/config/ds_agent.ini', line: 3, kind: 'password' });
    expect(r.stdout).toMatch(/agent\/logs\/ds_agent\.log .*\(converted from UTF-16LE to UTF-8\)/);
    expect(r.stdout).toMatch(/agent\/logs\/ds_am\.log .*\(converted from Shift_JIS to UTF-8\)/);
  });
});
