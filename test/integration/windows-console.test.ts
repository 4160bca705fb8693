import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execCommand, type ExecOptions, type Executor } from '../../main/core/exec.js';
import { createSystemContext } from '../../main/core/system.js';
import { detectFirewall, parseNetshProfiles } from '../../main/core/prep/firewall.js';
import { detectAntivirus } from '../../main/core/prep/antivirus.js';
import { detectOs } from '../../main/core/platform/inspect.js';
import { CODEPAGE_KEY } from '../../main/core/platform/consoleEncoding.js';
import { cleanupRoots, makeRoot } from '../helpers/sandbox.js';
import { fixtureBytes } from '../helpers/fixtures.js';

const bin = mkdtempSync(join(tmpdir(), `dsa-wincon-${process.pid}-`));
afterAll(() => {
  rmSync(bin, { recursive: true, force: true });
  cleanupRoots();
});

/** The file a stand-in console program prints for these arguments. */
const outFile = (tool: string, args: string[]): string =>
  join(bin, 'out', `${tool}${args.map((a) => '_' + a.replace(/[^A-Za-z0-9=.-]/g, '-')).join('')}`);

/**
 * Windows console programs on PATH, as Japanese Windows runs them: they print bytes in the OEM code page
 * (CP932), read from files the test writes; an unknown call fails as netsh does.
 */
function consoleProgram(tool: string): void {
  const p = join(bin, tool);
  writeFileSync(
    p,
    [
      '#!/bin/sh',
      `f="${join(bin, 'out', tool)}$(for a in "$@"; do printf '_%s' "$(printf '%s' "$a" | tr -c 'A-Za-z0-9=.-' '-')"; done)"`,
      '[ -f "$f" ] || { echo "unexpected call: $0 $*" >&2; exit 1; }',
      'cat "$f"',
      '[ -f "$f.exit" ] && exit "$(cat "$f.exit")"',
      'exit 0',
      '',
    ].join('\n'),
  );
  chmodSync(p, 0o755);
}

/** Writes what a console program prints, converted to CP932 bytes by iconv as Japanese Windows prints them. */
function prints(tool: string, args: string[], utf8: Buffer | string, exit = 0): void {
  execFileSync('mkdir', ['-p', join(bin, 'out')]);
  const cp932 = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: utf8 });
  writeFileSync(outFile(tool, args), cp932);
  if (exit) writeFileSync(outFile(tool, args) + '.exit', String(exit));
}

for (const tool of ['netsh', 'reg', 'sc', 'chcp']) consoleProgram(tool);

/** The real executor, with the stand-in programs first on PATH. */
const onPath: Executor = {
  run: (c, a, o?: ExecOptions) =>
    execCommand(c, a, { ...o, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } }),
  runReal: execCommand,
};

const OEMCP = `\r\nHKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Nls\\CodePage\r\n    OEMCP    REG_SZ    932\r\n\r\n`;

describe('Japanese Windows console output (CP932) through the real executor', () => {
  it('netsh in CP932: the firewall is on (オン), our rule is found; decoded as UTF-8 it would read as off', async () => {
    prints('reg', ['query', CODEPAGE_KEY, '/v', 'OEMCP'], OEMCP);
    prints('netsh', ['advfirewall', 'show', 'allprofiles'], fixtureBytes('windows/netsh-allprofiles.ja.txt'));
    prints(
      'netsh',
      ['advfirewall', 'firewall', 'show', 'rule', 'name=all'],
      fixtureBytes('windows/netsh-show-rule.ja.txt'),
    );
    const raw = await onPath.run('netsh', ['advfirewall', 'show', 'allprofiles']);
    // The bytes really are CP932: read as UTF-8, オン is lost and every profile reads as off.
    expect(raw.stdout).not.toContain('オン');
    expect(parseNetshProfiles(raw.stdout).some((p) => p.on)).toBe(false);

    const sys = createSystemContext({ root: makeRoot({ windows: true }), exec: onPath });
    const fw = await detectFirewall(sys);
    expect(fw.active).toBe(true);
    expect(fw.windowsProfiles.map((p) => [p.name, p.on])).toEqual([
      ['domain', true],
      ['private', true],
      ['public', false],
    ]);
    expect(fw.filtersInbound).toBe(true);
    expect(fw.dsaRules).toEqual([{ tag: 'dsa-setup/in/tcp/203.0.113.10/4118', where: 'windows' }]);
  });

  it('no OEMCP in the registry: the code page comes from chcp (「現在のコード ページ: 932」)', async () => {
    rmSync(outFile('reg', ['query', CODEPAGE_KEY, '/v', 'OEMCP']));
    prints('chcp', [], '現在のコード ページ: 932\r\n');
    prints(
      'netsh',
      ['advfirewall', 'show', 'allprofiles'],
      fixtureBytes('windows/netsh-allprofiles-public-only.ja.txt'),
    );
    prints(
      'netsh',
      ['advfirewall', 'firewall', 'show', 'rule', 'name=all'],
      fixtureBytes('windows/netsh-no-rules.ja.txt'),
      1,
    );
    const sys = createSystemContext({ root: makeRoot({ windows: true }), exec: onPath });
    const fw = await detectFirewall(sys);
    expect(fw.windowsProfiles.filter((p) => p.on).map((p) => p.name)).toEqual(['public']);
    expect(fw.dsaRules).toEqual([]);
  });

  it('sc and reg in CP932: the SCEP entry, its stopped service and a running Defender are read', async () => {
    prints('reg', ['query', CODEPAGE_KEY, '/v', 'OEMCP'], OEMCP);
    prints(
      'reg',
      ['query', 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Microsoft Security Client'],
      fixtureBytes('windows/reg-query-scep-uninstall.txt'),
    );
    prints('sc', ['query', 'MsMpSvc'], fixtureBytes('windows/sc-query-missing.ja.txt'), 1060);
    prints(
      'sc',
      ['query', 'WinDefend'],
      fixtureBytes('windows/sc-query-msmpsvc-running.ja.txt').toString().replace('MsMpSvc', 'WinDefend'),
    );
    const sys = createSystemContext({ root: makeRoot({ windows: true }), exec: onPath });
    const av = await detectAntivirus(sys);
    expect(av.scep.service.exists).toBe(false);
    expect(av.defender.service).toEqual({ exists: true, stateCode: 4, running: true });
  });

  it('Windows Server 2012 R2 Standard stays 2012 R2', async () => {
    prints('reg', ['query', CODEPAGE_KEY, '/v', 'OEMCP'], OEMCP);
    prints(
      'reg',
      ['query', 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion'],
      '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\r\n    CurrentBuild    REG_SZ    9600\r\n    CurrentVersion    REG_SZ    6.3\r\n    EditionID    REG_SZ    ServerStandard\r\n    ProductName    REG_SZ    Windows Server 2012 R2 Standard\r\n    RegisteredOwner    REG_SZ    管理者\r\n\r\n',
    );
    const sys = createSystemContext({ root: makeRoot({ windows: true }), exec: onPath });
    const os = await detectOs(sys);
    expect(os).toMatchObject({ versionId: '2012 R2', major: 2012, name: 'Windows Server 2012 R2 Standard' });
  });
});
