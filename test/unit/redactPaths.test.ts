import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSystemContext } from '../../main/core/system.js';
import { Journal, runsDir } from '../../main/core/engine/journal.js';
import { createHandlers, dispatch, type HandlerTable } from '../../main/core/ipc/handlers.js';
import { fail } from '../../main/core/errors.js';
import { describeError } from '../../main/core/errorLog.js';
import { msg } from '../../main/core/message.js';
import { registerProcessSecrets } from '../../main/core/secrets.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { configText, findLeaks, GIVEN, logLines, UNKNOWN } from '../fixtures/secrets/corpus.js';

afterAll(() => cleanupRoots());

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));

// What the CLI registers before anything runs (cli.ts main): the flags and the environment.
registerProcessSecrets(
  [
    'activate',
    '--token',
    GIVEN.token,
    `--tenant-id=${GIVEN.tenantId}`,
    '--proxy-auth',
    `${GIVEN.proxyUser}:${GIVEN.proxyPassword}`,
    '--manager',
    `dsm://admin:${GIVEN.managerPassword}@dsm.example.jp:4120/`,
  ],
  { DSA_SETUP_AGENT_PASSWORD: GIVEN.agentPassword },
);

describe('the journal', () => {
  it('masks whatever a step writes into it: events, plan.json, kept logs', () => {
    const root = makeRoot(OS_RELEASE.el9);
    const sys = createSystemContext({ root });
    const j = Journal.create(sys);
    j.append({
      type: 'command',
      step: 'activate',
      command: '/opt/ds_agent/dsa_control',
      args: ['-p', GIVEN.agentPassword, '-u', `${GIVEN.proxyUser}:${GIVEN.proxyPassword}`, `token:${GIVEN.token}`],
      exitCode: 1,
      timedOut: false,
      stdout: logLines().join('\n'),
      stderr: configText(),
    });
    j.append({
      type: 'step.failed',
      step: 'activate',
      error: { code: 'x', message: msg('x', { value: `tenantID:${GIVEN.tenantId.toLowerCase()}` }) },
    });
    j.writeJson('plan.json', { steps: [{ id: 'activate', token: GIVEN.token, password: UNKNOWN.jsonPassword }] });
    j.saveLog('msiexec-install.log', `Property(S): TOKEN = ${GIVEN.token}\n${configText()}`);
    const files = walk(join(runsDir(sys), j.runId));
    expect(files.length).toBe(3);
    for (const f of files) expect(findLeaks(readFileSync(f)), f).toEqual([]);
    // Still one JSON event per line, and the journal still reads back.
    expect(j.events().map((e) => e.type)).toEqual(['command', 'step.failed']);
  });
});

describe('errors', () => {
  it('mask their parameters and an internal error message when made', () => {
    const e = fail('x', msg('x', { value: `dsm://admin:${GIVEN.managerPassword}@h:4120/` }));
    expect(JSON.stringify(e.toInfo()) + e.message).not.toContain(GIVEN.managerPassword);
    const logDir = mkdtempSync(join(tmpdir(), 'dsa-errlog-'));
    const internal = describeError(new Error(`spawn failed: dsa_control -p ${GIVEN.agentPassword}`), 'test', logDir);
    expect(JSON.stringify(internal)).not.toContain(GIVEN.agentPassword);
    rmSync(logDir, { recursive: true, force: true });
  });
});

describe('IPC replies (what the app shows)', () => {
  it('mask a parsed activation file, its errors, and any value or error a handler returns', async () => {
    const root = makeRoot(OS_RELEASE.el9);
    const table = createHandlers(createSystemContext({ root }));
    const file = (text: string) => ({
      kind: 'activation',
      name: 'Activation_Command.txt',
      contentBase64: Buffer.from(text).toString('base64'),
    });
    const [good, bad] = await Promise.all(
      [
        `"tenantID:${GIVEN.tenantId}" "token:${GIVEN.token}"`,
        `"tokn:${UNKNOWN.misspelledToken}" "tenantId=${GIVEN.tenantId}"`,
      ].map((args) =>
        dispatch(table, 'inputs:parse', file(`/opt/ds_agent/dsa_control -a dsm://agents.example.jp:443/ ${args}\r\n`)),
      ),
    );
    expect(good!.ok).toBe(true);
    expect(bad!.ok).toBe(false);
    // "tokn:…" is a well-formed key (passed on with a warning); "tenantId=…" is refused without showing its value.
    expect(JSON.stringify(bad)).toContain('inputs.activation.notKeyValue');
    const stub = {
      ...table,
      doctor: async () => {
        throw fail('x', msg('x', { line: logLines().join('\n') }));
      },
    } as unknown as HandlerTable;
    const errorReply = await dispatch(stub, 'doctor', {});
    for (const reply of [good, bad, errorReply]) expect(findLeaks(JSON.stringify(reply))).toEqual([]);
  });
});
