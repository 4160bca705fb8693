import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeError, errorLogDir } from '../../main/core/errorLog.js';
import { reportError } from '../../main/commands/common.js';
import { fail } from '../../main/core/errors.js';
import { msg, renderMessage } from '../../main/core/message.js';
import { translator } from '../../main/core/i18n.js';

const dir = mkdtempSync(join(tmpdir(), 'dsa-errlog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('internal errors keep their stack in a log file', () => {
  it('logs under /var/log/dsa-setup as root, the user state folder otherwise, %ProgramData% on Windows', () => {
    expect(errorLogDir({}, 'linux', 0)).toBe('/var/log/dsa-setup');
    expect(errorLogDir({ XDG_STATE_HOME: '/home/a/.state' }, 'linux', 1000)).toBe('/home/a/.state/dsa-setup');
    expect(errorLogDir({ HOME: '/home/a' }, 'linux', 1000)).toMatch(/\/\.local\/state\/dsa-setup$/);
    expect(errorLogDir({ ProgramData: 'C:\\ProgramData' }, 'win32', undefined)).toBe(
      join('C:\\ProgramData', 'dsa-setup', 'logs'),
    );
  });

  it('a bug is reported as an internal error naming the log (which has the stack, secrets masked); a DsaError is not logged', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'x') token:8F2E4D6C-1A3B-4C5D");
    const info = describeError(bug, 'cli', dir);
    const log = join(dir, 'errors.log');
    expect(info).toMatchObject({
      code: 'internal',
      message: { key: 'errors.internal', params: { log } },
      remedy: { key: 'errors.internalRemedy', params: { log } },
    });
    const text = readFileSync(log, 'utf8');
    expect(text).toContain('[cli] TypeError: Cannot read properties of undefined');
    expect(text).toMatch(/\n\s+at .*errorLog\.test\.ts/);
    expect(text).not.toContain('8F2E4D6C-1A3B-4C5D');
    expect(statSync(log).mode & 0o777).toBe(0o600);

    const user = fail('x', msg('cli.needsAdmin'));
    expect(describeError(user, 'cli', join(dir, 'never'))).toEqual(user.toInfo());
  });

  it('an error of the operating system names the file and a remedy, and is no internal error', async () => {
    const { writeFile } = await import('node:fs/promises');
    const err = await writeFile(join(dir, 'no-such-dir', 'report.html'), 'x').catch((e: unknown) => e);
    const info = describeError(err, 'ipc export:report', join(dir, 'unused'));
    expect(info).toEqual({
      code: 'os.ENOENT',
      message: {
        key: 'errors.os',
        params: { path: join(dir, 'no-such-dir', 'report.html'), syscall: 'open', code: 'ENOENT' },
      },
      remedy: { key: 'errors.osRemedy.notFound', params: {} },
    });
    expect(renderMessage(translator('en'), info.message)).toBe(
      `The system refused to open ${join(dir, 'no-such-dir', 'report.html')} (ENOENT).`,
    );
  });

  it('the CLI says where the details are, in the user’s language', () => {
    process.env.DSA_SETUP_LOG_DIR = dir;
    try {
      for (const lang of ['en', 'ja'] as const) {
        const out: string[] = [];
        const code = reportError(
          { t: translator(lang), json: false, warn: (s) => out.push(s), printJson: () => {} },
          new Error('boom'),
        );
        expect(code).toBe(1);
        expect(out.join('\n')).toContain(join(dir, 'errors.log'));
        expect(out.join('\n')).toContain(lang === 'en' ? 'Internal error: boom' : '内部エラー: boom');
      }
    } finally {
      delete process.env.DSA_SETUP_LOG_DIR;
    }
  });
});
