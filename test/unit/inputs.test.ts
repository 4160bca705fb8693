import { readFileSync } from 'node:fs';
import { renderMessage } from '../../main/core/message.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManagerHosts } from '../../main/core/inputs/managerHosts.js';
import { parseActivation, activationUrl } from '../../main/core/inputs/activation.js';
import { translator } from '../../main/core/i18n.js';
import type { ParseIssue, ParseResult } from '../../main/core/inputs/issues.js';

const FIX = join(import.meta.dirname, '../fixtures/inputs');
const fixture = (name: string): Buffer => readFileSync(join(FIX, name));
const en = translator('en');
const ja = translator('ja');

function issuesOf<T>(r: ParseResult<T>): ParseIssue[] {
  if (r.ok) throw new Error(`expected errors, got ${JSON.stringify(r.value)}`);
  return r.issues;
}
function valueOf<T>(r: ParseResult<T>): T {
  if (!r.ok) throw new Error(`expected a value, got ${JSON.stringify(r.issues)}`);
  return r.value;
}
/** The one error, as the CLI prints it: file:line:col: message. */
function oneError<T>(file: string, r: ParseResult<T>, t = en): string {
  const [i, ...rest] = issuesOf(r);
  expect(rest).toEqual([]);
  return `${i!.file}:${i!.line}:${i!.column}: ${renderMessage(t, i!.message)}`;
}

describe('manager hosts file (VMSecurity_hosts_cln.txt)', () => {
  it('reads the portal file with BOM, CRLF, Japanese comments, tabs and trailing spaces', () => {
    const entries = valueOf(parseManagerHosts('VMSecurity_hosts_cln.txt', fixture('VMSecurity_hosts_cln.txt')));
    expect(entries).toEqual([
      { address: '203.0.113.10', names: ['dsm01.vmsecurity.example.jp', 'dsm01'], line: 4 },
      { address: '203.0.113.11', names: ['relay01.vmsecurity.example.jp'], line: 5 },
      { address: '2001:db8:10::20', names: ['dsm01-v6.vmsecurity.example.jp'], line: 6 },
    ]);
  });

  it('reads a UTF-16 file saved by Notepad as "Unicode"', () => {
    const text = '203.0.113.10 dsm01.example.jp\r\n';
    const data = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(valueOf(parseManagerHosts('h.txt', data))).toEqual([
      { address: '203.0.113.10', names: ['dsm01.example.jp'], line: 1 },
    ]);
  });

  const bad: [string, string, string][] = [
    [
      'address with a typo',
      '203.0.113.300 dsm.example.jp\n',
      'h:1:1: "203.0.113.300" is not an IP address; expected an IPv4 (192.0.2.10) or IPv6 (2001:db8::10) address first on the line',
    ],
    [
      'name first',
      'dsm.example.jp 203.0.113.10\n',
      'h:1:1: the name comes before the address; expected the address first, as in a hosts file: "203.0.113.10 dsm.example.jp"',
    ],
    [
      'address without a name',
      '# x\n203.0.113.10   \n',
      'h:2:13: address 203.0.113.10 has no host name; expected "ADDRESS NAME [NAME…]"',
    ],
    [
      'name with an underscore',
      '203.0.113.10 dsm_01.example.jp\n',
      'h:1:14: "dsm_01.example.jp" is not a valid host name; expected letters, digits, hyphens and dots (dsm.example.com)',
    ],
    [
      'name ending in a hyphen',
      '203.0.113.10\tok.example.jp bad-.example.jp\n',
      'h:1:28: "bad-.example.jp" is not a valid host name; expected letters, digits, hyphens and dots (dsm.example.com)',
    ],
    [
      'full-width space from a Japanese IME',
      '203.0.113.10\u3000dsm.example.jp\n',
      'h:1:13: full-width space (U+3000); expected ASCII spaces or tabs between address and names',
    ],
    [
      'one name, two addresses',
      '203.0.113.10 dsm.example.jp\n203.0.113.12 DSM.example.jp\n',
      'h:2:14: DSM.example.jp maps to 203.0.113.12 here but to 203.0.113.10 on line 1; expected one address per name',
    ],
    [
      'only comments',
      '# nothing here\r\n\r\n',
      'h:0:0: no address lines; expected at least one "ADDRESS NAME" line (is this the right file?)',
    ],
    [
      'bytes in no encoding it reads',
      '',
      'h:1:0: this line is not text in an encoding this tool reads; expected the text file as downloaded (UTF-8, UTF-16, Shift_JIS or EUC-JP)',
    ],
    [
      'a binary file',
      '',
      'h:2:3: a NUL byte: this is not a text file; expected the text file from the download portal',
    ],
    [
      'IPv4 with a leading zero',
      '203.0.113.010 dsm.example.jp\n',
      'h:1:1: "203.0.113.010" is not an IP address; expected an IPv4 (192.0.2.10) or IPv6 (2001:db8::10) address first on the line',
    ],
  ];
  for (const [what, text, expected] of bad) {
    it(`rejects ${what} with the exact error`, () => {
      let data = Buffer.from(text, 'utf8');
      if (what === 'bytes in no encoding it reads') data = Buffer.from([0x23, 0x20, 0x80, 0xff, 0x0a]);
      if (what === 'a binary file') data = Buffer.from('203.0.113.10 a.example.jp\nab\0cd\n', 'latin1');
      expect(oneError('h', parseManagerHosts('h', data))).toBe(expected);
    });
  }

  it('reports every bad line, not only the first', () => {
    const issues = issuesOf(parseManagerHosts('h', Buffer.from('x y\n203.0.113.10 ok.example.jp\n1.2.3 z\n')));
    expect(issues.map((i) => i.line)).toEqual([1, 3]);
  });

  it('gives the error in Japanese when asked', () => {
    expect(oneError('h', parseManagerHosts('h', Buffer.from('203.0.113.10\n')), ja)).toBe(
      'h:1:13: アドレス 203.0.113.10 にホスト名がありません。「アドレス 名前 [名前…]」の形式が必要です',
    );
  });
});

describe('activation input', () => {
  it('reads the one-line Linux command of <cln>_Activation_Command.txt', () => {
    const a = valueOf(parseActivation('a.txt', fixture('cln12345_Activation_Command.txt')));
    expect(a).toEqual({
      source: 'command',
      target: 'linux',
      manager: { host: 'dsm01.vmsecurity.example.jp', port: 4120 },
      args: [],
      external: [],
      warnings: [],
      line: 1,
    });
    expect(activationUrl(a.manager)).toBe('dsm://dsm01.vmsecurity.example.jp:4120/');
  });

  it('reads a command with sudo, host name and policy', () => {
    const a = valueOf(parseActivation('a.txt', fixture('cln12345_Activation_Command_sudo.txt')));
    expect(a.args).toEqual([
      { key: 'hostname', value: 'web01', secret: false },
      { key: 'policyid', value: '12', secret: false },
    ]);
  });

  it('reads the Windows form with the quoted Program Files path', () => {
    const a = valueOf(parseActivation('a.txt', fixture('activation_windows.txt')));
    expect(a.target).toBe('windows');
    expect(a.manager).toEqual({ host: 'dsm01.vmsecurity.example.jp', port: 4120 });
    expect(a.args).toEqual([{ key: 'hostname', value: 'WIN-APP01', secret: false }]);
  });

  it('reads a bash deployment script: URL from ACTIVATIONURL, tenant and token marked secret', () => {
    const a = valueOf(parseActivation('AgentDeploymentScript.sh', fixture('AgentDeploymentScript.sh')));
    expect(a).toEqual({
      source: 'bash-script',
      target: 'linux',
      manager: { host: 'agents.workload.jp-1.cloudone.trendmicro.com', port: 443 },
      managerUrl: 'https://workload.jp-1.cloudone.trendmicro.com:443',
      args: [
        { key: 'tenantID', value: '5A1C3E2B-7D4F-4C2A-9B1E-0F3D2C1B4A59', secret: true },
        { key: 'token', value: '8F2E4D6C-1A3B-4C5D-9E7F-0A1B2C3D4E5F', secret: true },
        { key: 'policyid', value: '1', secret: false },
      ],
      external: [],
      warnings: [],
      line: 26,
    });
  });

  it('reads a PowerShell deployment script ($ACTIVATIONURL, & $Env:ProgramFiles"\\…\\dsa_control")', () => {
    const a = valueOf(parseActivation('AgentDeploymentScript.ps1', fixture('AgentDeploymentScript.ps1')));
    expect(a.source).toBe('powershell-script');
    expect(a.target).toBe('windows');
    expect(a.manager).toEqual({ host: 'agents.workload.jp-1.cloudone.trendmicro.com', port: 443 });
    expect(a.managerUrl).toBe('https://workload.jp-1.cloudone.trendmicro.com:443/');
    expect(a.args.map((x) => `${x.key}=${x.secret ? '(secret)' : x.value}`)).toEqual([
      'tenantID=(secret)',
      'token=(secret)',
      'policyid=1',
      'groupid=7',
    ]);
  });

  const bad: [string, string, string][] = [
    [
      'no command at all',
      'hello\n',
      'a:0:0: no activation command found; expected a line "dsa_control -a dsm://HOST:PORT/ …" (the <cln-number>_Activation_Command.txt file or a deployment script)',
    ],
    [
      'an https URL instead of dsm://',
      '/opt/ds_agent/dsa_control -a https://dsm.example.jp:4119/\n',
      'a:1:30: "https://dsm.example.jp:4119/" is not a manager address; expected dsm://HOST:PORT/ (for example dsm://dsm.example.com:4120/)',
    ],
    [
      'a URL without port',
      '/opt/ds_agent/dsa_control -a dsm://dsm.example.jp/\n',
      'a:1:30: "dsm://dsm.example.jp/" is not a manager address; expected dsm://HOST:PORT/ (for example dsm://dsm.example.com:4120/)',
    ],
    [
      'a manager address the script takes from outside',
      '/opt/ds_agent/dsa_control -a $ACTIVATIONURL "token:x"\n',
      'a:1:30: the script takes dsm://HOST:PORT/ from outside ($ACTIVATIONURL); give it with --manager',
    ],
    [
      'a bare value (no key) without showing it',
      '/opt/ds_agent/dsa_control -a dsm://d.example.jp:4120/ "tenantID:5A1C3E2B" token:x 8F2E4D6C-1A3B-4C5D-9E7F-0A1B2C3D4E5F\n',
      'a:1:83: this activation argument is not of the form key:value (its value is not shown)',
    ],
    [
      'a proxy password that is not USER:PASS, without showing it',
      '/opt/ds_agent/dsa_control -u S3cretOnly\n/opt/ds_agent/dsa_control -a dsm://d.example.jp:4120/\n',
      'a:1:30: the value of "-u" is not USER:PASSWORD (it is not shown)',
    ],
    [
      'a policy id that is a name',
      '/opt/ds_agent/dsa_control -a dsm://d.example.jp:4120/ policyid:Base\n',
      'a:1:64: policyid must be a number, not "Base"',
    ],
    [
      'a token without a tenant',
      '/opt/ds_agent/dsa_control -a dsm://d.example.jp:4120/ "token:abc"\n',
      'a:1:1: token is given but tenantID is missing; expected tenantID and token together (both from the same activation command), or neither',
    ],
    [
      'an unterminated quote',
      '/opt/ds_agent/dsa_control -a dsm://d.example.jp:4120/ "hostname:web01\n',
      'a:1:55: a quote is not closed; expected a matching " or \'',
    ],
    [
      'two activation commands',
      '/opt/ds_agent/dsa_control -a dsm://a.example.jp:4120/\n/opt/ds_agent/dsa_control -a dsm://b.example.jp:4120/\n',
      'a:2:1: a second activation command (the first is on line 1); expected exactly one "dsa_control -a"',
    ],
    [
      'an argument given twice',
      '/opt/ds_agent/dsa_control -a dsm://d.example.jp:4120/ hostname:a hostname:b\n',
      'a:1:66: hostname is given twice; expected it once',
    ],
    [
      '-a with nothing after it',
      '/opt/ds_agent/dsa_control -a\n',
      'a:1:29: "-a" has no manager address; expected dsm://HOST:PORT/',
    ],
    [
      'an empty value',
      '/opt/ds_agent/dsa_control -a dsm://d.example.jp:4120/ description:\n',
      'a:1:55: "description:" has no value',
    ],
  ];
  for (const [what, text, expected] of bad) {
    it(`rejects ${what} with the exact error`, () => {
      expect(oneError('a', parseActivation('a', Buffer.from(text)))).toBe(expected);
    });
  }

  it('reads the proxy lines of a deployment script (variables, with and without trailing slash, -u masked as secret)', () => {
    const a = valueOf(parseActivation('AgentDeploymentScript-proxy.sh', fixture('AgentDeploymentScript-proxy.sh')));
    expect(a.manager).toEqual({ host: 'agents.deepsecurity.trendmicro.com', port: 443 });
    expect(a.proxy).toEqual({ host: 'proxy.corp.example', port: 3128, auth: 'dsauser:Pr0xy-S3cret' });
    expect(a.relayProxy).toEqual({ host: 'proxy.corp.example', port: 3128 });
    // The backslash-continued activation line is one command, its line the first one.
    expect(a.line).toBe(24);
    expect(a.args.map((x) => `${x.key}=${x.secret ? '(secret)' : x.value}`)).toEqual([
      'tenantID=(secret)',
      'token=(secret)',
      'policyid=1',
      'policyname=Base Policy',
      'group=Web Servers',
    ]);
    expect(a.external).toEqual([]);
    expect(a.warnings).toEqual([]);
  });

  it('a PowerShell script: param() defaults resolve, parameters without one are named with their option', () => {
    const a = valueOf(parseActivation('AgentDeploymentScript-params.ps1', fixture('AgentDeploymentScript-params.ps1')));
    expect(a.source).toBe('powershell-script');
    expect(a.target).toBe('windows');
    expect(a.manager).toEqual({ host: 'agents.workload.de-1.cloudone.trendmicro.com', port: 443 });
    expect(a.proxy).toEqual({ host: '161.27.180.180', port: 8080 });
    expect(a.relayProxy).toEqual({ host: '161.27.180.180', port: 8080 });
    expect(a.args).toEqual([{ key: 'policyid', value: '14', secret: false }]);
    expect(a.external.map((e) => [e.key, e.from, e.option])).toEqual([
      ['tenantID', 'param $TenantID', '--tenant-id'],
      ['token', 'param $Token', '--token'],
    ]);
  });

  it('"tenantID:$1" and ${DS_TOKEN}: never passed on as values, named with the option that gives them', () => {
    const a = valueOf(parseActivation('activation-positional.sh', fixture('activation-positional.sh')));
    expect(a.args).toEqual([{ key: 'policyid', value: '7', secret: false }]);
    expect(a.external.map((e) => [e.key, e.from, e.option])).toEqual([
      ['tenantID', '$1', '--tenant-id'],
      ['token', '$DS_TOKEN', '--token'],
    ]);
    expect(a.args.some((x) => x.value.includes('$'))).toBe(false);
  });

  it('every activation key the agent accepts; tenantPassword is secret; an unknown key:value goes on with a warning', () => {
    const a = valueOf(parseActivation('a.txt', fixture('activation-tenantPassword.txt')));
    expect(a.source).toBe('command');
    expect(a.args.map((x) => [x.key, x.secret ? '(secret)' : x.value])).toEqual([
      ['tenantID', '(secret)'],
      ['tenantPassword', '(secret)'],
      ['policy', 'Base Policy'],
      ['displayname', 'web 01'],
      ['description', 'Web front end'],
      ['relaygroupid', '3'],
      ['featurex', 'on'],
    ]);
    expect(a.warnings.map((w) => `${w.line}:${w.column}: ${renderMessage(en, w.message)}`)).toEqual([
      expect.stringMatching(/^2:\d+: activation key "featurex" is not one this tool knows/),
    ]);
    for (const k of ['hostname', 'policyid', 'groupid', 'group', 'policyname', 'relaygroup', 'relayid', 'token'])
      expect(
        valueOf(
          parseActivation(
            'a',
            Buffer.from(
              `dsa_control -a dsm://d.example.jp:4120/ tenantID:T token:X ${k === 'token' ? '' : `${k}:${/id$/.test(k) ? '5' : 'web1'}`}\n`,
            ),
          ),
        ).warnings,
      ).toEqual([]);
  });

  it('an error about a tenantPassword never shows any part of it', () => {
    const secret = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    for (const text of [
      `dsa_control -a dsm://d.example.jp:4120/ "tenantPassword:${secret}"\n`,
      `dsa_control -a dsm://d.example.jp:4120/ tenantID:T "tenantPassword:${secret}" "tenantPassword:${secret}"\n`,
      `dsa_control -a dsm://d.example.jp:4120/ tenantID:T ${secret}\n`,
    ]) {
      const shown = issuesOf(parseActivation('a', Buffer.from(text)))
        .map((i) => `${renderMessage(en, i.message)} ${renderMessage(ja, i.message)}`)
        .join('\n');
      expect(shown).not.toContain(secret.slice(0, 4));
    }
  });

  it('joins a PowerShell backtick continuation and a bash backslash continuation as the shell would', () => {
    const ps = valueOf(
      parseActivation(
        'a.ps1',
        Buffer.from(
          '$u = "dsm://m.example.jp:4120/"\r\n& "C:\\Program Files\\Trend Micro\\Deep Security Agent\\dsa_control" `\r\n  -a $u `\r\n  "policyid:3"\r\n',
        ),
      ),
    );
    expect(ps).toMatchObject({
      manager: { host: 'm.example.jp', port: 4120 },
      line: 2,
      args: [{ key: 'policyid', value: '3' }],
    });
    const sh = valueOf(
      parseActivation(
        'a.sh',
        Buffer.from('/opt/ds_agent/dsa_control \\\n  -a dsm://m.example.jp:4120/ \\\n  "groupid:4"\n'),
      ),
    );
    expect(sh.args).toEqual([{ key: 'groupid', value: '4', secret: false }]);
  });

  it('accepts an IPv6 manager address in brackets', () => {
    const a = valueOf(parseActivation('a', Buffer.from('/opt/ds_agent/dsa_control -a dsm://[2001:db8::5]:4120/\n')));
    expect(a.manager).toEqual({ host: '2001:db8::5', port: 4120 });
    expect(activationUrl(a.manager)).toBe('dsm://[2001:db8::5]:4120/');
  });
});
