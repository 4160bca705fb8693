import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT } from '../helpers/cli.js';
import { Redactor, MASK } from '../../main/core/secrets.js';
import { tailText } from '../../main/core/doctor/agentFiles.js';
import { lastSignature } from '../../main/core/doctor/checks/agentLog.js';
import { configText, findLeaks, GIVEN, logLines, UNKNOWN } from '../fixtures/secrets/corpus.js';

/** A redactor holding what the CLI registers from `--token`, `--tenant-id`, `--proxy-auth`, `--password`, `--manager`. */
function given(): Redactor {
  const r = new Redactor();
  r.add(GIVEN.token, 'token');
  r.add(GIVEN.tenantId, 'tenantID');
  r.addCredentials(`${GIVEN.proxyUser}:${GIVEN.proxyPassword}`);
  r.add(GIVEN.agentPassword, 'password');
  r.addUrl(`dsm://admin:${GIVEN.managerPassword}@dsm.example.jp:4120/`);
  return r;
}

describe('the redactor', () => {
  it('masks every line of the corpus: known values in any case and encoding, and secret-shaped values', () => {
    const r = given();
    for (const line of [...logLines(), configText()]) {
      const out = r.text(line);
      expect(findLeaks(out), `${line}\n→ ${out}`).toEqual([]);
    }
  });

  it('finds the pattern-only secrets without being told them', () => {
    const r = new Redactor();
    const out = r.text([...logLines(), configText()].join('\n'));
    expect(
      findLeaks(
        out,
        Object.values(UNKNOWN).filter((v) => v !== UNKNOWN.misspelledToken),
      ),
    ).toEqual([]);
    // Shapes alone also catch the given secrets where they are keyed (token:, -p, -u, user:pass@).
    expect(
      findLeaks(r.text(logLines().slice(0, 16).join('\n')), [
        GIVEN.token,
        GIVEN.tenantId,
        GIVEN.proxyPassword,
        GIVEN.agentPassword,
        GIVEN.managerPassword,
      ]),
    ).toEqual([]);
  });

  it('keeps a password holding @ whole: the host stays, the password goes', () => {
    const r = new Redactor();
    expect(r.text('http://puser:p@ss@proxy.example:8080/x')).toBe(`http://puser:${MASK}@proxy.example:8080/x`);
    expect(r.text('proxy=puser:p@ss@proxy.example:3128')).toBe(`proxy=puser:${MASK}@proxy.example:3128`);
  });

  it('masks a clipped copy of a known secret (a message cut at 40 characters)', () => {
    const r = given();
    const clipped = `tokn:${GIVEN.token}`.slice(0, 40) + '…';
    expect(r.text(clipped)).toBe(`tokn:${MASK}…`);
  });

  it('shows at most the first 4 characters of a token, never of a password', () => {
    const r = given();
    expect(r.text(`token:${GIVEN.token}`)).toBe(`token:${MASK}`);
    expect(r.text(`pw ${GIVEN.agentPassword}`)).toBe(`pw ${MASK}`);
  });

  it('lists each masking with its line and kind', () => {
    const r = given();
    const { masked } = r.redactWithReport(configText());
    expect(masked).toEqual([
      { line: 2, kind: 'password' },
      { line: 3, kind: 'password' },
      { line: 4, kind: 'token' },
      { line: 7, kind: 'private-key' },
    ]);
  });

  it('masks JSON by field name and argument arrays by option, without touching other commands', () => {
    const r = new Redactor();
    const v = r.json({
      command: '/opt/ds_agent/dsa_control',
      args: ['-p', 'Sp-1', '-u', 'bob:pw-2', '-a', 'dsm://h:4120/', 'token:QQQQQQQQ'],
      password: 'pw-3',
      tenantID: 42,
      arg: { key: 'token', value: 'abcd', secret: true },
      other: { command: 'iptables', args: ['-A', 'INPUT', '-p', 'tcp', '--dport', '4120'] },
      mkdir: { command: 'mkdir', args: ['-p', '/var/opt/ds_agent'] },
    });
    expect(v).toEqual({
      command: '/opt/ds_agent/dsa_control',
      args: ['-p', MASK, '-u', `bob:${MASK}`, '-a', 'dsm://h:4120/', `token:${MASK}`],
      password: MASK,
      tenantID: MASK,
      arg: { key: 'token', value: MASK, secret: true },
      other: { command: 'iptables', args: ['-A', 'INPUT', '-p', 'tcp', '--dport', '4120'] },
      mkdir: { command: 'mkdir', args: ['-p', '/var/opt/ds_agent'] },
    });
  });

  it('leaves every product text alone (all CLI output passes through it)', () => {
    const r = given();
    const strings = (v: unknown): string[] =>
      typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : [];
    for (const lang of ['en', 'ja'])
      for (const s of strings(JSON.parse(readFileSync(join(PROJECT, 'resources/locales', `${lang}.json`), 'utf8'))))
        expect(r.text(s)).toBe(s);
    for (const s of [
      'dsa_control -a dsm://agents.example.jp:443/ "tenantID:…" "token:…" hostname:web01 policyid:12',
      'mkdir -p /var/opt/ds_agent && iptables -A INPUT -p tcp --dport 4120 -j ACCEPT',
      'ssh -p 22 admin@host',
      'sudo -u root dsa-setup doctor --token <token>',
      'https://dsm.example.jp:4119/software/agent/RedHat_EL8/x86_64/agent.rpm?tenantID={{tenant}}',
      'Check the token and tenant ID of the activation command.',
    ])
      expect(r.text(s)).toBe(s);
  });
});

describe('log tails', () => {
  it('keep the last line without a final newline, and leave runs of NUL bytes out', () => {
    const sparse = Buffer.concat([
      Buffer.from('cut first line\nold line\n'),
      Buffer.alloc(4096),
      Buffer.from('BIO_do_handshake() failed'),
    ]);
    const t = tailText(sparse, true);
    expect(t.text).toBe('old line\nBIO_do_handshake() failed');
    expect(t.nulBytes).toBe(4096);
    expect(lastSignature(t.text)?.sig.id).toBe('tlsHandshake');
    // A tail that is one cut line only is kept (it is the last line).
    expect(tailText(Buffer.from('xx BIO_do_handshake() failed'), true).text).toBe('xx BIO_do_handshake() failed');
    // NULs between two pieces of text keep them apart.
    expect(tailText(Buffer.from('a\0\0\0b\n'), false).text).toBe('a\nb\n');
  });
});

describe('Japanese text around a secret', () => {
  it('masks the value and keeps the Japanese punctuation after it', () => {
    expect(new Redactor().text('ログ:「password=abc123」— 原因')).toBe(`ログ:「password=${MASK}」— 原因`);
  });
});

describe('secrets no one told the tool, in the shapes proxies, package managers and Windows keep them', () => {
  // Shapes: yum/dnf `proxy_password=` (dnf.conf(5)); apt `Acquire::http::Proxy "http://user:pass@host:port/";`
  // (apt.conf(5)); curl's `-U`, `--proxy-user`, `.curlrc` `proxy-user = "user:pass"` (curl(1)); `reg query`
  // output `    NAME    REG_SZ    VALUE` and `netsh winhttp show proxy` (`Proxy Server(s) :  …`); .NET
  // `<add key="…" value="…"/>`; PowerShell `-Password`, `ConvertTo-SecureString "…" -AsPlainText`; SAS/S3 signed
  // URLs (`?sig=`, `X-Amz-Signature=`).
  const lines: [string, string][] = [
    ['https_proxy=proxyop:NoPort-Pw1@proxy.example.jp', 'NoPort-Pw1'],
    ['export HTTPS_PROXY="proxyop:NoPort-Pw2@proxy"', 'NoPort-Pw2'],
    ['Current WinHTTP proxy settings:\r\n    Proxy Server(s) :  proxyop:Netsh-Pw3@proxy.example.jp', 'Netsh-Pw3'],
    ['proxy-user = "proxyop:Curlrc-Pw4"', 'Curlrc-Pw4'],
    ['curl --proxy-user proxyop:Curl-Pw5 -x http://proxy.example.jp:8080 https://x', 'Curl-Pw5'],
    ['curl -U proxyop:Curl-Pw6 https://x', 'Curl-Pw6'],
    ['    ProxyPass    REG_SZ    Reg-Pw7', 'Reg-Pw7'],
    ['    DefaultPassword    REG_SZ    Reg Pw 8 with spaces', 'Reg Pw 8 with spaces'],
    ['<add key="ProxyPassword" value="Xml-Pw9"/>', 'Xml-Pw9'],
    ['<ProxyPassword>Xml-Pw10</ProxyPassword>', 'Xml-Pw10'],
    ['Set-DsaProxy -Server proxy.example.jp -ProxyPassword Ps-Pw11', 'Ps-Pw11'],
    ['$p = ConvertTo-SecureString "Ps-Pw12" -AsPlainText -Force', 'Ps-Pw12'],
    ["{'token': 'Py-Token-13'}", 'Py-Token-13'],
    ['secret_key=Ini-Secret-14', 'Ini-Secret-14'],
    ['credentials=proxyop:Cred-Pw15', 'Cred-Pw15'],
    ['proxy_auth = proxyop:Auth-Pw16', 'Auth-Pw16'],
    ['GET /agent.rpm?sv=2024&sig=Sas-Sig-17%3D HTTP/1.1', 'Sas-Sig-17'],
    ['https://b.s3.example/agent.rpm?X-Amz-Signature=Aws-Sig-18&X-Amz-Date=1', 'Aws-Sig-18'],
    ['パスワード：Ja-Pw-19', 'Ja-Pw-19'],
    ['トークン=Ja-Token-20', 'Ja-Token-20'],
    ['password＝Fw-Pw-21', 'Fw-Pw-21'],
    [
      '/opt/ds_agent/dsa_control -y relay_proxy://relay.example:3128/ -w relayop:Relay-Pw22 -a dsm://h:4120/',
      'Relay-Pw22',
    ],
  ];
  it.each(lines)('%j', (line, secret) => {
    const out = new Redactor().text(line);
    expect(out).toContain(MASK);
    expect(out).not.toContain(secret);
  });

  it('masks argument arrays and JSON fields of the same: -w of dsa_control, --proxy-user, a proxy `auth` field', () => {
    const r = new Redactor();
    expect(
      r.argv(['-y', 'relay_proxy://r.example:3128/', '-w', 'relayop:pw9', '-a', 'dsm://h:4120/'], [], 'dsa_control'),
    ).toEqual(['-y', 'relay_proxy://r.example:3128/', '-w', `relayop:${MASK}`, '-a', 'dsm://h:4120/']);
    expect(r.argv(['--proxy-user', 'op:pw8', '-U', 'op:pw7', 'https://x'], [], 'curl')).toEqual([
      '--proxy-user',
      `op:${MASK}`,
      '-U',
      `op:${MASK}`,
      'https://x',
    ]);
    expect(r.argv(['-w', 'a:b', 'file'], [], 'grep')).toEqual(['-w', 'a:b', 'file']);
    expect(r.json({ proxy: { host: 'p.example', port: 8080, auth: 'op:pw6' }, authError: 'x' })).toEqual({
      proxy: { host: 'p.example', port: 8080, auth: MASK },
      authError: 'x',
    });
  });

  it('leaves lines that only look alike: a bypass list, a proxy without credentials, mkdir -p, grep -w', () => {
    const r = new Redactor();
    for (const s of [
      '    ProxyOverride    REG_SZ    *.local;<local>',
      'ProxyBypass = *.local',
      'Current WinHTTP proxy settings:\r\n    Proxy Server(s) :  proxy.example.jp:8080\r\n    Bypass List     :  (none)',
      'proxy=http://proxy.example.jp:8080/',
      'proxy_username=proxyop',
      'token_expiry=3600',
      'curl -U proxyop https://x',
      'grep -w key:value file',
      'git clone git@github.com:org/repo.git',
      'contact: admin@example.com',
      '<add key="Host" value="dsm.example.jp"/>',
      'Get-Item -Path C:\\x -Force',
      '--proxy-auth must be USER:PASS.',
      'パスワードを入力してください',
      '"summary": {"pass": 3, "warn": 1, "fail": 0}',
    ])
      expect(r.text(s)).toBe(s);
    // The doctor's summary counts are numbers still.
    expect(r.json({ summary: { pass: 3, warn: 1 } })).toEqual({ summary: { pass: 3, warn: 1 } });
  });
});

describe('a known secret broken over lines', () => {
  it('is masked whole wherever the line broke: a wrapped copy, a `\\` continuation, an escaped \\n', () => {
    const r = given();
    const t = GIVEN.token;
    for (const text of [
      `"token:${t.slice(0, 8)}\n${t.slice(8)}"`,
      `${t.slice(0, 30)}\n    ${t.slice(30)} more`,
      `"stdout":"${t.slice(0, 5)}\\n${t.slice(5)}"`,
      `-p ${GIVEN.agentPassword.slice(0, 4)}\\\n${GIVEN.agentPassword.slice(4)} -r`,
    ]) {
      const out = r.text(text);
      expect(out, text).toContain(MASK);
      for (const piece of [t.slice(0, 5), t.slice(-5), GIVEN.agentPassword.slice(0, 4), GIVEN.agentPassword.slice(-4)])
        expect(out, text).not.toContain(piece);
    }
  });
});

describe('a known secret URL-encoded by hand', () => {
  it('is masked however much of it was percent-encoded (an @ or : in a proxy password)', () => {
    const r = given();
    const pw = GIVEN.proxyPassword; // p@ss/W0rd!x@9
    for (const form of [
      pw.replace(/@/g, '%40'),
      pw.replace(/@/g, '%40').replace('/', '%2f'),
      pw.replace('@', '%40').replace('!', '%21'),
    ]) {
      const out = r.text(`proxy auth for ${GIVEN.proxyUser} with ${form} failed`);
      expect(out).toBe(`proxy auth for ${GIVEN.proxyUser} with ${MASK} failed`);
    }
  });
});

describe('secrets learned from a deployment script', () => {
  it('the password of PROXY_CREDENTIAL=user:pass is masked alone too (where `-u $PROXY_CREDENTIAL` sends it)', () => {
    const script = readFileSync(join(PROJECT, 'test/fixtures/inputs/AgentDeploymentScript-proxy.sh'), 'utf8');
    const r = new Redactor();
    r.learn(script.replace('Pr0xy-S3cret', 'Pw-2026x'));
    expect(r.text('proxy refused dsauser / Pw-2026x (407)')).toBe(`proxy refused dsauser / ${MASK} (407)`);
    expect(r.text('8F2E4D6C-1A3B-4C5D-9E7F-0A1B2C3D4E5F')).toBe(MASK);
  });
});

describe('a known secret in another Unicode form', () => {
  it('is masked decomposed (NFD, a macOS file name) and in full-width letters (a Japanese input method)', () => {
    const r = new Redactor();
    r.add('パスワードが秘密です2026', 'password');
    r.add(GIVEN.token, 'token');
    const nfd = 'パスワードが秘密です2026'.normalize('NFD');
    expect(nfd).not.toBe('パスワードが秘密です2026');
    expect(r.text(`/Users/a/${nfd}.txt`)).toBe(`/Users/a/${MASK}.txt`);
    const wide = GIVEN.token.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    expect(r.text(`トークン ${wide} を貼り付け`)).toBe(`トークン ${MASK} を貼り付け`);
  });
});

describe('JSON inside JSON', () => {
  it('masks a secret-named field at any depth of escaping (a command printed JSON, kept in a journal, in a bundle)', () => {
    const r = new Redactor();
    let text = JSON.stringify({ password: 'Deep-Pw-9', tenantID: 'Deep-Tenant-8', note: 'a "quoted" word' });
    for (let depth = 0; depth < 4; depth++) {
      const out = r.text(text);
      expect(out, text).not.toContain('Deep-Pw-9');
      expect(out, text).not.toContain('Deep-Tenant-8');
      expect(out).toContain('quoted');
      text = JSON.stringify({ stdout: text });
    }
  });
});

describe('UTF-16 output read as bytes', () => {
  it("masks a secret whose letters stand between NULs (a Windows program's output), kept in JSON too", () => {
    const r = given();
    const raw = Buffer.from(
      `Agent token:${GIVEN.token}\r\nProxyPassword=${UNKNOWN.iniPassword}\r\n`,
      'utf16le',
    ).toString('utf8');
    for (const out of [r.text(raw), JSON.stringify(r.json({ stdout: raw })), r.text(JSON.stringify({ stdout: raw }))]) {
      const squeezed = out.replace(/\0|\\u0000/g, '');
      expect(squeezed).toContain(MASK);
      expect(squeezed).not.toContain(GIVEN.token);
      expect(squeezed).not.toContain(UNKNOWN.iniPassword);
    }
  });
});

describe('a known secret cut where the text ends', () => {
  it('is masked from six characters on: a log written up to mid-value, a message clipped with …', () => {
    const r = given();
    expect(r.text(`activation failed, token ${GIVEN.token.slice(0, 11)}`)).toBe(`activation failed, token ${MASK}`);
    expect(r.text(`self-protection ${GIVEN.agentPassword.slice(0, 7)}…`)).toBe(`self-protection ${MASK}…`);
    // Shorter pieces, or pieces inside a word, are left alone.
    expect(r.text(`in ${GIVEN.token.slice(0, 4)}`)).toBe(`in ${GIVEN.token.slice(0, 4)}`);
    expect(r.text(`x${GIVEN.token.slice(0, 8)}`)).toBe(`x${GIVEN.token.slice(0, 8)}`);
  });
});

describe('masking time', () => {
  // Each shape below made a pattern try every position of a long run (seconds for 100 000 characters, minutes for
  // a 1 MiB log line); masking is linear now. The bound is generous: a slow machine stays far below it.
  it('stays linear on long runs of blanks, Japanese text, unclosed tags and escaped quotes', () => {
    const r = given();
    const n = 100_000;
    const shapes = {
      blanks: `password =${' '.repeat(n)}x`,
      regBlanks: `    ProxyPass${' \t'.repeat(n / 2)}REG`,
      japanese: `${'ログ'.repeat(n / 2)} パスワード=x`,
      tags: '<password '.repeat(n / 10),
      attributes: 'key="password" '.repeat(n / 15),
      escapedJson: 'password\\":\\"'.repeat(n / 13),
    };
    for (const [name, text] of Object.entries(shapes)) {
      const t0 = performance.now();
      r.text(text);
      expect(performance.now() - t0, name).toBeLessThan(3000);
    }
  });
});

describe('credentials given URL-encoded', () => {
  it('--proxy-auth bob:p%40ss… is masked decoded too (as the agent writes it)', () => {
    const r = new Redactor();
    r.addCredentials(`${GIVEN.proxyUser}:${encodeURIComponent('p@ss:W0rd')}`);
    expect(r.text('proxy said 407 to p@ss:W0rd')).toBe(`proxy said 407 to ${MASK}`);
  });
});
