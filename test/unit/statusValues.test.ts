import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { translator } from '../../main/core/i18n.js';
import { renderMessage } from '../../main/core/message.js';
import { localTime, mib, orUnknown, statusValue, STATUS_VALUE_KEYS, timeRef } from '../../main/core/statusValues.js';
import { msg } from '../../main/core/message.js';
import { moduleLine, statusRows } from '../../main/core/ipc/statusRows.js';

const JA = /[\u3040-\u30ff\u4e00-\u9fff]/;
const ja = translator('ja');
const en = translator('en');
const jaJson = JSON.parse(readFileSync(join(import.meta.dirname, '../../resources/locales/ja.json'), 'utf8')) as object;

function strings(o: unknown, path = ''): [string, string][] {
  if (typeof o === 'string') return [[path, o]];
  if (o && typeof o === 'object') return Object.entries(o).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  return [];
}

describe('status values in the reader’s words', () => {
  it('Japanese shows each status value in Japanese, the raw value after it in parentheses', () => {
    expect(renderMessage(ja, statusValue('running'))).toBe('実行中');
    expect(renderMessage(ja, statusValue('green'))).toBe('正常 (green)');
    expect(renderMessage(ja, statusValue('builtin'))).toBe('カーネルに組み込み (builtin)');
    expect(renderMessage(ja, statusValue('metadata'))).toBe('パッケージのメタデータ (metadata)');
    expect(renderMessage(ja, statusValue('not activated'))).toBe('未有効化');
    expect(renderMessage(en, statusValue('running'))).toBe('running');
    expect(renderMessage(en, statusValue('green'))).toBe('OK (green)');
    // A value the tool does not know is shown as the tool said it, not dropped.
    expect(renderMessage(ja, statusValue('quarantined'))).toBe('quarantined');
  });

  it('every status value has Japanese words in ja.json', () => {
    for (const key of STATUS_VALUE_KEYS) expect(ja(key), key).toMatch(JA);
  });

  it('ja.json never puts a raw status value straight after Japanese words ("サービス running", "状態 green")', () => {
    const raw =
      /[\u3040-\u30ff\u4e00-\u9fff][:：]?\s*(running|stopped|green|yellow|red|gray|loaded|builtin|metadata|not activated|online|offline)\b/;
    const hits = strings(jaJson).filter(([, v]) => raw.test(v.replace(/\{\{[^}]+\}\}/g, '')));
    expect(hits).toEqual([]);
  });

  it('a time in a message renders in local time with the zone in either language', () => {
    const m = timeRef('2026-11-30T07:04:05Z');
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(renderMessage(ja, m)).toBe(localTime('2026-11-30T07:04:05Z', 'ja', tz));
    expect(renderMessage(ja, m)).not.toContain('T07:04');
    expect(renderMessage(en, timeRef('not a time'))).toBe('not a time');
  });

  it('times are local with their zone, never a UTC ISO string', () => {
    const s = localTime('2026-11-30T07:04:05Z', 'ja', 'Asia/Tokyo');
    expect(s).toBe('2026/11/30 16:04:05 JST');
    expect(localTime(1796022245, 'en', 'UTC')).toMatch(/^\d\d\/\d\d\/2026, \d\d:\d\d:\d\d UTC$/);
    expect(localTime('2026-11-30T07:04:05Z', 'en', 'Asia/Tokyo')).not.toContain('T07');
  });

  it('status (the CLI and the window) shows the agent state, module modes and last contact in the reader’s words', () => {
    const view = {
      installed: true,
      version: '20.0.0-2395',
      service: 'running',
      activated: true,
      dsmUrl: 'https://dsm01.example.jp:4120/',
      agentState: 'green',
      lastContact: '2026-11-30T07:04:05.000Z',
      modules: [{ module: 'AM', mode: 'on', version: '20.0.0-2395' }],
      protecting: true,
      verdictKey: 'agent.status.protecting',
    } as Parameters<typeof statusRows>[1];
    const rows = new Map(statusRows(ja, view));
    expect(rows.get(ja('agent.status.agentState'))).toBe('正常 (green)');
    expect(rows.get(ja('agent.status.lastContact'))).not.toContain('T07:04');
    expect(rows.get(ja('agent.status.lastContact'))).toMatch(/^2026\/11\/30 \d\d:04:05 /);
    expect(moduleLine(ja, view.modules[0]!)).toBe('AM: オン (20.0.0-2395)');
  });
});

describe('values that could not be read', () => {
  it('say "unknown" in the reader’s words, never a bare "?" (memory, version, manager)', () => {
    const unknownMemory = msg('doctor.platform.diskOk', {
      path: '/opt',
      disk: mib(2048),
      diskMin: 1024,
      memory: mib(null),
      memoryMin: 512,
    });
    expect(renderMessage(ja, unknownMemory)).toBe(
      '/opt の空き 2048 MiB（最低 1024 MiB）、メモリ 不明（最低 512 MiB）。',
    );
    expect(renderMessage(en, unknownMemory)).toBe(
      '2048 MiB free at /opt (minimum 1024 MiB), unknown memory (minimum 512 MiB).',
    );
    const version = msg('doctor.agent.installed', { version: orUnknown(undefined) });
    expect(renderMessage(ja, version)).toContain('不明');
    expect(renderMessage(ja, version)).not.toContain('?');
    expect(renderMessage(en, msg('doctor.agent.installed', { version: orUnknown('20.0.1-3530') }))).toContain(
      '20.0.1-3530',
    );
  });
});
