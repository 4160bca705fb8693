import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatError, reportError } from '../../main/commands/common.js';
import { ExitCode, fail, inputError, type ErrorInfo } from '../../main/core/errors.js';
import { translator } from '../../main/core/i18n.js';
import { issueAt } from '../../main/core/inputs/issues.js';
import { msg } from '../../main/core/message.js';
import { registerProcessSecrets } from '../../main/core/secrets.js';
import { runCliJson } from '../helpers/cli.js';

const TOKEN = '8F2E4D6C-1A3B-4C5D-9E7F-0A1B2C3D4E5F';
const TENANT = '5A1C3E2B-7D4F-4C2A-9B1E-0F3D2C1B4A59';
const PROXY_PASSWORD = 'Pr0xyS3cretW0rd';

// What the CLI registers before anything runs: the token given on the command line.
registerProcessSecrets(['activate', '--token', TOKEN]);

describe('an error is one message type: {code, message: {key, params}, remedy?, issues?}', () => {
  it('`plan --json` with a missing --root prints the error untranslated (exit 2); stderr says it in English and Japanese', async () => {
    const root = join(tmpdir(), `dsa-no-such-root-${process.pid}-${randomBytes(4).toString('hex')}`);
    const said: Record<string, string> = {};
    for (const lang of ['en', 'ja'] as const) {
      const r = await runCliJson<{ ok: boolean; error: ErrorInfo }>([
        'plan',
        '--root',
        root,
        '--hosts-file',
        'VMSecurity_hosts_cln.txt',
        '--lang',
        lang,
      ]);
      expect(r.exitCode).toBe(2);
      // The same document whatever the language: a script reads the code and the key, never a sentence.
      expect(r.json).toEqual({
        ok: false,
        error: { code: 'cli.rootMissing', message: { key: 'cli.rootMissing', params: { root } } },
      });
      said[lang] = r.stderr.trim();
    }
    expect(said.en).toBe(`error: --root ${root}: there is no such directory (nothing was created)`);
    expect(said.ja).toBe(`エラー: --root ${root}: そのディレクトリーはありません(何も作成していません)`);
  });

  it('a secret among the parameters is masked when the error is made: in the message, a nested message, the remedy and an input problem', () => {
    const e = fail(
      'agent.activate.resetRefused',
      msg('agent.activate.resetRefused', {
        was: `dsm://agents.example.jp:443/ "token:${TOKEN}"`,
        manager: 'dsm01.example.jp:4120',
        check: 'net.manager',
        cause: msg('doctor.tcp.proxyAuth', {
          proxy: `http://admin:${PROXY_PASSWORD}@proxy.example.jp:3128`,
          source: 'HTTPS_PROXY',
          host: 'dsm01.example.jp',
          port: 4120,
          line: `tenantID:${TENANT}`,
        }),
      }),
      {
        remedy: msg('agent.activate.resetRefusedRemedy', {
          remedy: msg('errors.internal', { message: TOKEN, log: '-' }),
        }),
        issues: [issueAt('cmd.txt', 1, 5, 'inputs.activation.notKeyValue', { value: `tenantID=${TENANT}` })],
      },
    );
    const info = e.toInfo();
    const everything = [JSON.stringify(info), e.message];
    for (const lang of ['en', 'ja'] as const) everything.push(formatError(translator(lang), info));
    const json: unknown[] = [];
    const text: string[] = [];
    expect(
      reportError({ t: translator('en'), json: true, warn: (s) => text.push(s), printJson: (v) => json.push(v) }, e),
    ).toBe(ExitCode.failed);
    everything.push(JSON.stringify(json), ...text);
    for (const out of everything) {
      expect(out).not.toContain(TOKEN);
      expect(out).not.toContain(TENANT);
      expect(out).not.toContain(PROXY_PASSWORD);
    }
    // Masked, not dropped: the nested message keeps its key and the rest of its parameters.
    expect(info.message.params.cause).toMatchObject({
      key: 'doctor.tcp.proxyAuth',
      params: { host: 'dsm01.example.jp', port: 4120, source: 'HTTPS_PROXY' },
    });
    expect(JSON.stringify(info.message.params.cause)).toContain('[masked]');
    expect(json).toEqual([{ ok: false, error: info }]);
    expect(text.join('\n')).toContain('error: Not resetting: the agent is activated with');
  });

  it('inputError is exit 2 and carries its remedy as a message of its own', () => {
    const e = inputError(
      'bundle.exists',
      msg('report.bundle.error.exists', { file: 'b.tar.gz' }),
      msg('report.bundle.error.existsRemedy'),
    );
    expect(e.exitCode).toBe(ExitCode.badInput);
    expect(e.toInfo()).toEqual({
      code: 'bundle.exists',
      message: { key: 'report.bundle.error.exists', params: { file: 'b.tar.gz' } },
      remedy: { key: 'report.bundle.error.existsRemedy', params: {} },
    });
  });
});
