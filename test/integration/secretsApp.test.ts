import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSystemContext } from '../../main/core/system.js';
import { createHandlers, dispatch, headlessServices } from '../../main/core/ipc/handlers.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { findLeaksAnyEncoding, GIVEN } from '../fixtures/secrets/corpus.js';

// The app (the window) runs no command line: what it is given comes from its environment, as the CLI's does.
// This file registers nothing itself, so only what the app registers masks the secrets below.

const out = mkdtempSync(join(tmpdir(), `dsa-secrets-app-${process.pid}-`));
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  cleanupRoots();
});

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );

describe('the app masks the secrets of its environment', () => {
  it('a proxy password and the agent password from the environment, in the doctor reply and the bundle', async () => {
    const root = makeRoot({
      ...OS_RELEASE.el9,
      hosts: '127.0.0.1 localhost\n',
      files: {
        // Free text: no `password=` or URL around the values, only knowing them masks them.
        'var/opt/ds_agent/diag/ds_agent.log': [
          `2026-11-23 10:00:01.000000: [Error/1] | Proxy proxy.example.jp:8080 refused ${GIVEN.proxyUser} / ${GIVEN.proxyPassword}`,
          `2026-11-23 10:00:02.000000: [Error/1] | self-protection rejected ${GIVEN.agentPassword}`,
          '',
        ].join('\n'),
      },
    });
    const env = {
      https_proxy: `http://${GIVEN.proxyUser}:${encodeURIComponent(GIVEN.proxyPassword)}@proxy.example.jp:8080`,
      DSA_SETUP_AGENT_PASSWORD: GIVEN.agentPassword,
      NO_PROXY: '*',
    };
    const file = join(out, 'app.tar.gz');
    const table = createHandlers(createSystemContext({ root, env }), {
      ...headlessServices,
      saveFile: async () => file,
    });
    const doctor = await dispatch(table, 'doctor', {});
    expect(doctor.ok, JSON.stringify(doctor)).toBe(true);
    const bundle = await dispatch(table, 'export:bundle', { lang: 'en' });
    expect(bundle.ok, JSON.stringify(bundle)).toBe(true);
    const secrets = [GIVEN.proxyPassword, GIVEN.agentPassword];
    expect(findLeaksAnyEncoding(Buffer.from(JSON.stringify(doctor)), secrets)).toEqual([]);
    const x = mkdtempSync(join(out, 'x-'));
    await execa('tar', ['-xzf', file, '-C', x]);
    const log = readFileSync(join(x, 'agent/logs/ds_agent.log'), 'utf8');
    expect(log).toContain(`refused ${GIVEN.proxyUser} / [masked]`);
    expect(log).toContain('self-protection rejected [masked]');
    for (const f of walk(x)) expect(findLeaksAnyEncoding(readFileSync(f), secrets), f).toEqual([]);
  });
});
