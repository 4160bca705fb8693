// Input files as users really hand them over: every encoding Windows and Linux editors save in, every OS error a
// path can give, and the look-alike characters a web page or an input method leaves in a pasted command.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { activationRequest } from '../../main/core/agent/activationRequest.js';
import { DsaError } from '../../main/core/errors.js';
import { SessionInputs } from '../../main/core/application/inputs.js';
import { createSystemContext } from '../../main/core/system.js';
import { translator } from '../../main/core/i18n.js';
import { renderMessage } from '../../main/core/message.js';
import { parseActivation } from '../../main/core/inputs/activation.js';
import { parseManagerHosts } from '../../main/core/inputs/managerHosts.js';
import { parseJsonInput } from '../../main/core/inputs/json.js';
import { loadActivation, loadManagerHosts } from '../../main/core/inputs/load.js';
import { readBoundedSync } from '../../main/core/inputs/readFile.js';
import { READ_MAJOR, readFleet } from '../../main/core/fleet/read.js';
import { readBundleDoctorJson } from '../../main/core/fleet/archive.js';
import type { ParseResult } from '../../main/core/inputs/issues.js';

const en = translator('en');
const ja = translator('ja');
const dir = mkdtempSync(join(tmpdir(), `dsa-inputs-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COMMAND =
  '/opt/ds_agent/dsa_control -a dsm://agents.example.com:443/ "tenantID:1A2B3C4D-0000-1111-2222-333344445555" "policyid:5" token:7F8E9D0C-AAAA-BBBB-CCCC-DDDDEEEEFFFF';
const ARGS = [
  { key: 'tenantID', value: '1A2B3C4D-0000-1111-2222-333344445555', secret: true },
  { key: 'policyid', value: '5', secret: false },
  { key: 'token', value: '7F8E9D0C-AAAA-BBBB-CCCC-DDDDEEEEFFFF', secret: true },
];

/** The text in an encoding, as the editor named saves it. */
function encode(text: string, how: string): Buffer {
  const utf16le = Buffer.from(text, 'utf16le');
  switch (how) {
    case 'UTF-8':
      return Buffer.from(text, 'utf8');
    case 'UTF-8 with BOM':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'UTF-16LE with BOM':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le]);
    case 'UTF-16LE without BOM':
      return utf16le;
    case 'UTF-16BE with BOM':
      return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(utf16le).swap16()]);
    case 'UTF-16BE without BOM':
      return Buffer.from(utf16le).swap16();
    case 'Shift_JIS':
      return execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: text });
    default:
      throw new Error(how);
  }
}
const ENCODINGS = [
  'UTF-8',
  'UTF-8 with BOM',
  'UTF-16LE with BOM',
  'UTF-16LE without BOM',
  'UTF-16BE with BOM',
  'UTF-16BE without BOM',
  'Shift_JIS',
];
/** Line ends: between lines, and after the last one. */
const LINE_ENDS: [string, string, string][] = [
  ['CRLF', '\r\n', '\r\n'],
  ['LF', '\n', '\n'],
  ['CR only', '\r', '\r'],
  ['CRLF and a trailing Ctrl-Z', '\r\n', '\r\n\u001a'],
  ['Ctrl-Z right after the last value', '\r\n', '\u001a'],
];

function valueOf<T>(r: ParseResult<T>): T {
  if (!r.ok) throw new Error(`expected a value, got ${JSON.stringify(r.issues)}`);
  return r.value;
}
/** Every problem as the CLI prints it: file:line:col: message. */
function errors<T>(file: string, r: ParseResult<T>, t = en): string[] {
  if (r.ok) throw new Error(`expected errors, got ${JSON.stringify(r.value)}`);
  return r.issues.map((i) => `${i.file}:${i.line}:${i.column}: ${renderMessage(t, i.message)}`);
}
/** The bad-input error a loader throws, as the CLI prints its problems; and its exit code. */
async function loadError(load: () => Promise<unknown>, t = en): Promise<{ exit: number; lines: string[] }> {
  const e = await load().then(
    () => null,
    (x: unknown) => x,
  );
  if (!(e instanceof DsaError)) throw new Error(`expected a bad-input error, got ${String(e)}`);
  return {
    exit: e.exitCode,
    lines: [
      renderMessage(t, e.info.message),
      ...(e.info.issues ?? []).map((i) => `${i.file}:${i.line}: ${renderMessage(t, i.message)}`),
    ],
  };
}

describe('activation file: every encoding and line end gives the same command', () => {
  for (const enc of ENCODINGS)
    for (const [ends, eol, last] of LINE_ENDS)
      it(`${enc}, ${ends}, with a Japanese comment`, () => {
        const text = `# 本番環境の有効化コマンド(東京)${eol}${COMMAND}${last}`;
        const a = valueOf(parseActivation('cln12345_Activation_Command.txt', encode(text, enc)));
        // The token is exactly the token: no Ctrl-Z, no line end, no BOM in it.
        expect(a.args).toEqual(ARGS);
        expect(a.manager).toEqual({ host: 'agents.example.com', port: 443 });
        expect(a.line).toBe(2);
      });
});

describe('manager hosts file: every encoding and line end gives the same entries', () => {
  for (const enc of ENCODINGS)
    for (const [ends, eol, last] of LINE_ENDS)
      it(`${enc}, ${ends}`, () => {
        const text = `# マネージャー${eol}203.0.113.10 dsm01.example.jp${eol}2001:db8::10\tdsm01-v6.example.jp${last}`;
        expect(valueOf(parseManagerHosts('VMSecurity_hosts_cln.txt', encode(text, enc)))).toEqual([
          { address: '203.0.113.10', names: ['dsm01.example.jp'], line: 2 },
          { address: '2001:db8::10', names: ['dsm01-v6.example.jp'], line: 3 },
        ]);
      });

  it('bytes in no encoding it reads are an error at their line, in both languages', () => {
    const data = Buffer.concat([Buffer.from('203.0.113.10 a.example.jp\n# '), Buffer.from([0x80, 0xff, 0x0a])]);
    expect(errors('h', parseManagerHosts('h', data))).toEqual([
      'h:2:0: this line is not text in an encoding this tool reads; expected the text file as downloaded (UTF-8, UTF-16, Shift_JIS or EUC-JP)',
    ]);
    expect(errors('h', parseManagerHosts('h', data), ja)).toEqual([
      'h:2:0: この行はこのツールが読める文字コードのテキストではありません。ダウンロードしたままのテキストファイル(UTF-8、UTF-16、Shift_JIS または EUC-JP)が必要です',
    ]);
  });

  it('a control character inside a line (a damaged file) is named, not taken into a host name', () => {
    expect(errors('h', parseManagerHosts('h', Buffer.from('203.0.113.10 dsm01.example.jp\u001b[0m\n')))).toEqual([
      'h:1:30: a control character (U+001B) that text does not contain: this is not a text file, or it was damaged; expected the text file as downloaded',
    ]);
  });
});

describe('characters pasted from a web page or typed with the input method on', () => {
  const act = (text: string, t = en): string[] => errors('a.txt', parseActivation('a.txt', Buffer.from(text)), t);

  it('typographic quotes around the arguments: each named with the plain quote expected', () => {
    const text = '/opt/ds_agent/dsa_control -a dsm://agents.example.com:443/ “tenantID:T1” “token:SECRETTOKEN1”\n';
    expect(act(text)).toEqual([
      'a.txt:1:60: typographic quote “ (U+201C), as a web page or a document shows quotes; expected the plain quote " (retype it, or copy the text from the downloaded file)',
      'a.txt:1:74: typographic quote “ (U+201C), as a web page or a document shows quotes; expected the plain quote " (retype it, or copy the text from the downloaded file)',
    ]);
    expect(act(text, ja)[0]).toBe(
      'a.txt:1:60: Web ページや文書で表示される引用符 “ (U+201C) があります。半角の引用符 " が必要です(入力し直すか、ダウンロードしたファイルからコピーしてください)',
    );
  });

  it('a typographic quote in a script variable the command uses is found on the line that sets it', () => {
    const script = `#!/bin/bash\nTOKEN=‘SECRETTOKEN2’\n/opt/ds_agent/dsa_control -a dsm://agents.example.com:443/ "tenantID:T1" "token:$TOKEN"\n`;
    expect(act(script)).toEqual([
      "a.txt:2:7: typographic quote ‘ (U+2018), as a web page or a document shows quotes; expected the plain quote ' (retype it, or copy the text from the downloaded file)",
    ]);
  });

  it('a variable the command does not use may hold Japanese full-width text', () => {
    const script = `#!/bin/bash\nMSG="インストール(完了)"\n/opt/ds_agent/dsa_control -a dsm://agents.example.com:443/\n`;
    expect(valueOf(parseActivation('a.sh', Buffer.from(script))).manager.port).toBe(443);
  });

  it('a full-width colon or digit: named with the ASCII character expected', () => {
    expect(act('/opt/ds_agent/dsa_control -a dsm://agents.example.com:443/ policyid:５\n')).toEqual([
      'a.txt:1:69: full-width character ５ (U+FF15); expected the ASCII character 5 (turn the input method off and retype it)',
    ]);
    expect(act('/opt/ds_agent/dsa_control -a dsm://agents.example.com：443/\n')).toEqual([
      'a.txt:1:54: full-width character ： (U+FF1A); expected the ASCII character : (turn the input method off and retype it)',
    ]);
  });

  it('a zero-width space inside the token: an error at its column that does not show the token', () => {
    const lines = act(
      '/opt/ds_agent/dsa_control -a dsm://agents.example.com:443/ tenantID:T1 token:SECRET\u200bTOKEN3\n',
    );
    expect(lines).toEqual([
      'a.txt:1:84: an invisible character (U+200B, such as a zero-width or no-break space pasted from a web page); expected plain ASCII text (retype this part, or copy it from the downloaded file)',
    ]);
    expect(lines.join()).not.toContain('SECRET');
  });

  it('a hosts line with a full-width dot or a no-break space is named, not "not a valid host name"', () => {
    expect(errors('h', parseManagerHosts('h', Buffer.from('203.0.113.10 dsm01．example.jp\n')))).toEqual([
      'h:1:19: full-width character ． (U+FF0E); expected the ASCII character . (turn the input method off and retype it)',
    ]);
    expect(errors('h', parseManagerHosts('h', Buffer.from('203.0.113.10\u00a0dsm01.example.jp\n')))).toEqual([
      'h:1:13: an invisible character (U+00A0, such as a zero-width or no-break space pasted from a web page); expected plain ASCII text (retype this part, or copy it from the downloaded file)',
    ]);
  });
});

describe('input files that are not files, or cannot be read', () => {
  it('a named pipe with no writer is refused at once (no hang), naming the file, exit 2', async () => {
    const fifo = join(dir, 'cln12345_Activation_Command.txt');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const r = await loadError(() => loadActivation(fifo));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r).toEqual({
      exit: 2,
      lines: [
        `${fifo} cannot be used (1 problem(s)):`,
        `${fifo}:0: this is a named pipe (FIFO), not a file: it is not read (it could block or never end); expected the text file itself`,
      ],
    });
    expect((await loadError(() => loadManagerHosts(fifo), ja)).lines[1]).toBe(
      `${fifo}:0: これはファイルではなく名前付きパイプ（FIFO）です。読み取りが止まったり終わらなかったりするため読み取りません。テキストファイルそのものを指定してください`,
    );
  });

  it('/dev/zero (a device that never ends) is refused without reading it', async () => {
    expect((await loadError(() => loadManagerHosts('/dev/zero'))).lines[1]).toBe(
      '/dev/zero:0: this is a device, not a file: it is not read (it could block or never end); expected the text file itself',
    );
  });

  it('a file whose size says 0 but that goes on (/proc) is read only up to the bound', () => {
    const r = readBoundedSync('/proc/self/maps', 64);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.key).toBe('inputs.tooLarge');
    const all = readBoundedSync('/proc/self/maps');
    expect(all.ok && all.data.length > 64).toBe(true);
  });

  it('a symbolic link loop and a path through a file say so', async () => {
    symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
    symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
    writeFileSync(join(dir, 'plain'), 'x');
    expect((await loadError(() => loadActivation(join(dir, 'loop-a')))).lines[1]).toBe(
      `${join(dir, 'loop-a')}:0: the symbolic links on this path lead back to themselves (ELOOP); expected a path that ends at the file`,
    );
    expect((await loadError(() => loadActivation(join(dir, 'plain', 'x.txt')))).lines[1]).toBe(
      `${join(dir, 'plain', 'x.txt')}:0: a part of this path is a file, not a folder (ENOTDIR); expected a path to the file`,
    );
  });
});

describe('JSON input files (plans, doctor results)', () => {
  const doctor = {
    version: `${READ_MAJOR}.0.0`,
    lang: 'en',
    generatedAt: '2026-11-30T10:00:00.000Z',
    host: { hostname: 'web01', os: 'Rocky Linux 9.4', kernel: '5.14.0', arch: 'x86_64' },
    checks: [{ id: 'proxy', status: 'pass', title: 'Proxy', detail: 'no proxy', remedy: '', ms: 1 }],
  };

  it('a result PowerShell 5 wrote with `>` (UTF-16LE with BOM) or Notepad saved with a BOM is read', () => {
    const json = JSON.stringify(doctor, null, 2).replace(/\n/g, '\r\n');
    expect(parseJsonInput('d.json', encode(json, 'UTF-16LE with BOM'))).toEqual({ ok: true, value: doctor });
    expect(parseJsonInput('d.json', encode(json, 'UTF-8 with BOM'))).toEqual({ ok: true, value: doctor });
  });

  it('a cut-off or malformed file names the line and column, never its text', () => {
    expect(
      errors('plan.json', parseJsonInput('plan.json', Buffer.from('{\n  "token": "SECRET4",\n  "a": 1,\n}\n'))),
    ).toEqual([
      'plan.json:4:1: the JSON breaks off or is malformed here; expected the file as dsa-setup wrote it (make it again rather than editing it)',
    ]);
    expect(errors('plan.json', parseJsonInput('plan.json', Buffer.from('{\n  "steps": [\n')))).toEqual([
      'plan.json:2:13: the JSON breaks off or is malformed here; expected the file as dsa-setup wrote it (make it again rather than editing it)',
    ]);
  });

  it('the fleet report reads UTF-16 results and sets a named pipe apart without waiting on it', async () => {
    const fleet = join(dir, 'fleet');
    mkdirSync(fleet);
    writeFileSync(join(fleet, 'web01.json'), encode(JSON.stringify(doctor), 'UTF-16LE with BOM'));
    execFileSync('mkfifo', [join(fleet, 'web02.json')]);
    const started = Date.now();
    const r = await readFleet([fleet]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.hosts.map((h) => h.source)).toEqual(['web01.json']);
    expect(r.apart.map((a) => [a.source, renderMessage(en, a.reason)])).toEqual([
      [
        'web02.json',
        'this is a named pipe (FIFO), not a file: it is not read (it could block or never end); expected the text file itself',
      ],
    ]);
  });
});

describe('values given for the activation (options and the app fields)', () => {
  const sys = createSystemContext({ root: dir });
  const refusal = async (o: Parameters<typeof activationRequest>[1], t = en): Promise<[number, string]> => {
    const e = await activationRequest(sys, { manager: 'dsm://agents.example.com:443/', ...o }).then(
      () => null,
      (x: unknown) => x,
    );
    if (!(e instanceof DsaError)) throw new Error(`expected a bad-input error, got ${String(e)}`);
    return [e.exitCode, renderMessage(t, e.info.message)];
  };

  it('a token with a zero-width space or a typographic quote pasted in: exit 2 naming the character, not the token', async () => {
    const zw = await refusal({ tenantId: 'T-1', token: 'SECRET\u200bTOKEN5' });
    expect(zw).toEqual([
      2,
      'The value given for token, at character 7: an invisible character (U+200B, such as a zero-width or no-break space pasted from a web page); expected plain ASCII text (retype this part, or copy it from the downloaded file).',
    ]);
    expect(await refusal({ tenantId: '“T-1”', token: 'SECRETTOKEN5' }, ja)).toEqual([
      2,
      'tenantID に指定された値の 1 文字目: Web ページや文書で表示される引用符 “ (U+201C) があります。半角の引用符 " が必要です(入力し直すか、ダウンロードしたファイルからコピーしてください)。',
    ]);
  });

  it('an empty token or one with a space copied around it: exit 2, never "token:" sent to the manager', async () => {
    expect(await refusal({ tenantId: 'T-1', token: '' })).toEqual([
      2,
      'The value given for token is empty: expected the value from the activation file or the console.',
    ]);
    expect(await refusal({ tenantId: 'T-1', token: 'SECRETTOKEN6 ' })).toEqual([
      2,
      'The value given for token, at character 13: a space; expected the value without spaces (copy it again without the spaces around it).',
    ]);
  });
});

describe('a wrong or huge file is answered quickly, with a short error', () => {
  it('1 MiB of continued lines is parsed in linear time (it took minutes when each line re-read the ones before)', () => {
    const data = Buffer.from('a \\\n'.repeat(256 * 1024 - 1));
    const started = Date.now();
    expect(errors('big.sh', parseActivation('big.sh', data))).toEqual([
      'big.sh:0:0: no activation command found; expected a line "dsa_control -a dsm://HOST:PORT/ …" (the <cln-number>_Activation_Command.txt file or a deployment script)',
    ]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('an activation or hosts file over 1 MiB is refused before it is parsed', () => {
    const data = Buffer.alloc(1024 * 1024 + 1, 0x61);
    expect(errors('log.txt', parseActivation('log.txt', data))).toEqual([
      'log.txt:0:0: larger than 1 MiB; expected a small text file',
    ]);
    expect(errors('log.txt', parseManagerHosts('log.txt', data))).toEqual([
      'log.txt:0:0: larger than 1 MiB; expected a small text file',
    ]);
  });

  it('thousands of problems: the first 20 are listed, the rest counted', async () => {
    const file = join(dir, 'many.txt');
    writeFileSync(file, `/opt/ds_agent/dsa_control -a dsm://a.example.com:443/ ${'x:y '.repeat(1000)}\n`);
    const r = await loadError(() => loadActivation(file));
    expect(r.exit).toBe(2);
    expect(r.lines).toHaveLength(1 + 20 + 1);
    expect(r.lines[0]).toBe(`${file} cannot be used (999 problem(s)):`);
    expect(r.lines[21]).toBe(`${file}:0: and 979 more problem(s) not listed: is this the right file?`);
  });
});

describe('the command as shells end it: separators, comments, redirections, continued lines', () => {
  const CMD = '/opt/ds_agent/dsa_control -a dsm://agents.example.com:443/ "tenantID:T-1" "token:K-2"';
  const WANT = [
    { key: 'tenantID', value: 'T-1', secret: true },
    { key: 'token', value: 'K-2', secret: true },
  ];
  const shapes: [string, string][] = [
    ['a semicolon right after the token', `${CMD};\n`],
    ['a background & right after the token', `${CMD}&\n`],
    ['&& and another command', `${CMD} && echo activated\n`],
    ['a redirection with its file descriptor', `${CMD} 2>&1 | tee /var/log/dsa-activate.log\n`],
    ['a redirection written without spaces', `${CMD}>/tmp/out.log\n`],
    ['a trailing comment in Japanese', `${CMD} # 本番(東京リージョン)\n`],
    [
      'a cmd.exe command continued with ^',
      '"C:\\Program Files\\Trend Micro\\Deep Security Agent\\dsa_control" -a dsm://agents.example.com:443/ ^\r\n  "tenantID:T-1" "token:K-2"\r\n',
    ],
    [
      'a script variable set with a trailing semicolon',
      `T='T-1';\nK="K-2";\n${CMD.replace('T-1', '$T').replace('K-2', '$K')}\n`,
    ],
  ];
  for (const [what, text] of shapes)
    it(`${what}: the values are exactly the tenant ID and the token`, () => {
      expect(valueOf(parseActivation('a.txt', Buffer.from(text))).args).toEqual(WANT);
    });

  it('a quoted value that starts with # or holds ; is a value, not a comment or a separator', () => {
    const a = valueOf(parseActivation('a.sh', Buffer.from(`${CMD} "description:#1; web;tier"\n`)));
    expect(a.args.at(-1)).toEqual({ key: 'description', value: '#1; web;tier', secret: false });
  });
});

describe('hosts lines in another order', () => {
  it('a name before its address says to swap them, in Japanese too', () => {
    const data = Buffer.from('dsm01.example.jp 203.0.113.10\n');
    expect(errors('h', parseManagerHosts('h', data), ja)).toEqual([
      'h:1:1: 名前がアドレスより前にあります。hosts ファイルと同じくアドレスを先に書いてください:「203.0.113.10 dsm01.example.jp」',
    ]);
  });
});

describe('a file dropped on the window', () => {
  it('is kept under a name the file system can hold, whatever name came with it', async () => {
    const inputs = new SessionInputs();
    for (const name of ['..', '.', 'a\0b.txt', '..\\..\\hosts.txt'])
      await inputs.fromBytes('hosts', name, Buffer.from('203.0.113.10 dsm01.example.jp\n'));
    expect(readFileSync(inputs.hostsFile!, 'utf8')).toBe('203.0.113.10 dsm01.example.jp\n');
    expect(basename(inputs.hostsFile!)).toBe('.._.._hosts.txt');
  });
});

describe('support bundles in the fleet report: bounded unpacking', () => {
  it('a .tar.gz of zeros (a damaged or hostile bundle) is answered at once, not unpacked for minutes', async () => {
    const file = join(dir, 'zeros.tar.gz');
    writeFileSync(file, gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 1 }));
    const started = Date.now();
    expect(await readBundleDoctorJson(file, 16 * 1024 * 1024)).toEqual({ ok: false, why: 'noDoctorJson' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a bundle that unpacks past the bound before doctor.json is refused as too large', async () => {
    const src = join(dir, 'bundle-src');
    mkdirSync(src);
    writeFileSync(join(src, 'filler.bin'), Buffer.alloc(2 * 1024 * 1024, 0x41));
    writeFileSync(join(src, 'doctor.json'), '{}');
    const file = join(dir, 'big.tar.gz');
    execFileSync('tar', ['-czf', file, '-C', src, 'filler.bin', 'doctor.json']);
    expect(await readBundleDoctorJson(file, 16 * 1024 * 1024, 1024 * 1024)).toEqual({ ok: false, why: 'tooLarge' });
    expect(await readBundleDoctorJson(file, 16 * 1024 * 1024)).toEqual({ ok: true, data: Buffer.from('{}') });
  });
});

describe('fleet results that are not JSON', () => {
  it('say where they break, never a slice of their text', async () => {
    const fleet = join(dir, 'fleet-bad');
    mkdirSync(fleet);
    writeFileSync(join(fleet, 'activation.json'), 'P4ssw0rdXYZ-not-json\n');
    writeFileSync(join(fleet, 'cut.json'), '{\n  "version": "1.0.0",\n  "checks": [\n');
    const r = await readFleet([fleet]);
    const why = r.apart.map((a) => [a.source, renderMessage(en, a.reason)]);
    expect(why).toEqual([
      ['activation.json', 'not JSON: it breaks at line 1, column 1'],
      ['cut.json', 'truncated (the JSON ends early, at line 4, column 1)'],
    ]);
    expect(renderMessage(ja, r.apart[1]!.reason)).toBe('途中で切れています (4 行 1 列目で JSON が終わっています)');
  });
});

describe('a missing token', () => {
  it('names which of the pair is missing, without showing the other', () => {
    const text = '/opt/ds_agent/dsa_control -a dsm://agents.example.com:443/ "tenantID:TENANT-SECRET-7" "policyid:5"\n';
    const lines = errors('a.txt', parseActivation('a.txt', Buffer.from(text)));
    expect(lines).toEqual([
      'a.txt:1:1: tenantID is given but token is missing; expected tenantID and token together (both from the same activation command), or neither',
    ]);
    expect(lines.join()).not.toContain('TENANT-SECRET-7');
  });
});

describe('hand-edited deployment scripts as published', () => {
  const FIX = join(import.meta.dirname, '../fixtures/inputs');

  it('a policy id ending in a typographic quote is named at its column (the agent would get "49808’")', () => {
    const file = 'deploy-pasted-quote.ps1';
    expect(errors(file, parseActivation(file, readFileSync(join(FIX, file))))).toEqual([
      `${file}:5:223: typographic quote ’ (U+2019), as a web page or a document shows quotes; expected the plain quote ' (retype it, or copy the text from the downloaded file)`,
    ]);
  });

  it('user data with "sleep 30 && dsa_control -r" and a backgrounded "dsa_control -m … &" has one activation', () => {
    const a = valueOf(parseActivation('u.sh', readFileSync(join(FIX, 'userdata-sleep-and.sh'))));
    expect(a).toMatchObject({
      manager: { host: '10.0.248.42', port: 4120 },
      args: [{ key: 'policyid', value: '14', secret: false }],
      line: 7,
    });
  });
});

describe('Japanese in the values that are names or free text', () => {
  it('a description or a policy name may hold full-width characters; its key may not', () => {
    const cmd = '/opt/ds_agent/dsa_control -a dsm://agents.example.com:443/';
    const a = valueOf(
      parseActivation(
        'a.txt',
        Buffer.from(`${cmd} "description:本番サーバー（東京）" "policyname:基本ポリシー\u3000Ｗｅｂ"\n`),
      ),
    );
    expect(a.args).toEqual([
      { key: 'description', value: '本番サーバー（東京）', secret: false },
      { key: 'policyname', value: '基本ポリシー\u3000Ｗｅｂ', secret: false },
    ]);
    expect(errors('a.txt', parseActivation('a.txt', Buffer.from(`${cmd} "ｄescription:本番"\n`)))).toEqual([
      'a.txt:1:60: full-width character ｄ (U+FF44); expected the ASCII character d (turn the input method off and retype it)',
    ]);
  });
});
