import { describe, expect, it } from 'vitest';
import { translator } from '../../main/core/i18n.js';
import { renderHtml, renderMarkdown } from '../../main/core/report/render.js';
import { parseDoctorResult } from '../../main/core/report/schema.js';
import { toDoctorCheck } from '../../main/core/doctor/runDoctor.js';
import type { DoctorResult } from '../../main/core/doctor/types.js';
import { doctorText } from '../../main/commands/doctorText.js';
import { applyPrerequisites, displayOrder, verdictOf } from '../../main/core/doctor/verdict.js';
import { displayWidth, painter } from '../../main/commands/textLayout.js';
import { PassThrough } from 'node:stream';

const en = translator('en');
const ja = translator('ja');

function result(): DoctorResult {
  const hostile = '<script>alert(1)</script> & "quotes" | pipes';
  const def = {
    id: 'hosts.entries',
    titleKey: 'doctor.title.hostsEntries',
    defaultClass: 'dns' as const,
    run: async () => ({ status: 'pass' as const, detail: { key: 'x', params: {} } }),
  };
  const check = toDoctorCheck(
    en,
    def,
    {
      status: 'fail',
      class: 'dns',
      detail: {
        key: 'doctor.hosts.shadowed',
        params: {
          file: '/etc/hosts',
          line: 3,
          name: hostile,
          address: '10.0.0.1',
          expected: '203.0.113.10',
          others: 0,
        },
      },
      remedy: {
        key: 'doctor.hosts.shadowedRemedy',
        params: { file: '/etc/hosts', line: 3, name: hostile, expected: '203.0.113.10' },
      },
    },
    12,
  );
  return {
    verdict: verdictOf(en, [check]),
    version: '0.1.0',
    lang: 'en',
    generatedAt: '2026-11-23T10:00:00.000Z',
    host: { hostname: 'web01<b>', os: 'Rocky Linux 9.4', kernel: '5.14.0', arch: 'x86_64', root: '/' },
    checks: [check],
    summary: { pass: 0, warn: 0, fail: 1, skip: 0, blocked: 0 },
    ms: 40,
  };
}

describe('report', () => {
  it('HTML is self-contained and escapes everything it shows', () => {
    const html = renderHtml(en, result(), 'en');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain('web01&lt;b&gt;');
    expect(html).not.toMatch(/<(link|img|script|iframe)\b|\bsrc=|href=|url\(|@import/i);
    expect(html).toContain('Line 3 of /etc/hosts');
    expect(html).toContain('Comment out or delete line 3');
  });

  it('re-renders each check in the report language from its keys', () => {
    const html = renderHtml(ja, result(), 'ja');
    expect(html).toContain('lang="ja"');
    expect(html).toContain('/etc/hosts の 3 行目');
    expect(html).toContain('対処');
    const md = renderMarkdown(ja, result());
    expect(md).toContain('# Deep Security Agent 診断');
    expect(md).toContain('/etc/hosts の 3 行目');
  });

  it('Markdown keeps the table intact whatever the text holds', () => {
    const md = renderMarkdown(en, result());
    const row = md.split('\n').find((l) => l.startsWith('|') && l.includes('hosts.entries'))!;
    expect(row.split(/(?<!\\)\|/).length).toBe(8); // 6 cells between 7 unescaped pipes
    expect(md).toContain('\\<script\\>');
  });

  it('a doctor.json of the wrong shape is named with where it is wrong', () => {
    const bad = JSON.parse(JSON.stringify(result())) as { checks: { status: string }[] };
    bad.checks[0]!.status = 'broken';
    const r = parseDoctorResult(bad);
    expect(r).toMatchObject({ ok: false, path: 'checks.0.status' });
    expect(parseDoctorResult(result()).ok).toBe(true);
  });

  it('the terminal table: coloured only when asked, columns aligned by display width in Japanese', () => {
    const r = result();
    r.checks.push({
      ...r.checks[0]!,
      id: 'proxy',
      status: 'pass',
      titleRef: { key: 'doctor.title.proxy', params: {} },
      title: 'P',
      remedy: '',
    });
    const plain = doctorText(ja, { ...r, checks: r.checks.map((c) => ({ ...c, title: renderTitle(c.titleRef.key) })) });
    expect(plain).not.toContain('\x1b[');
    const rows = plain.split('\n').filter((l) => /^(失敗|OK) .*\/etc\/hosts/.test(l));
    expect(rows).toHaveLength(2);
    const detailCol = rows.map((l) => displayWidth(l.slice(0, l.indexOf('/etc/hosts'))));
    expect(detailCol[0]).toBe(detailCol[1]);
    expect(plain).toContain('対処: Comment out or delete line 3');
    // A terminal that has colours (FORCE_COLOR) gets the failure in red.
    const tty = Object.assign(new PassThrough(), {
      isTTY: true,
      hasColors: () => true,
    }) as unknown as NodeJS.WriteStream;
    expect(doctorText(en, r, painter(tty))).toContain('\x1b[31mFAIL');
    const pipe = Object.assign(new PassThrough(), { hasColors: () => false }) as unknown as NodeJS.WriteStream;
    expect(doctorText(en, r, painter(pipe))).not.toContain('\x1b[');
  });
});

describe('verdict', () => {
  const c = (id: string, status: DoctorResult['checks'][number]['status']): DoctorResult['checks'][number] => ({
    id,
    status,
    title: id,
    detail: `${id} detail`,
    remedy: status === 'pass' ? '' : `${id} remedy`,
    ms: 1,
    ...(status === 'fail' || status === 'warn' ? { class: 'tcp' as const } : {}),
    titleRef: { key: 'doctor.title.proxy', params: {} },
    detailRef: { key: 'doctor.tcp.error', params: { address: id, port: 1, code: 'X' } },
    ...(status === 'pass' ? {} : { remedyRef: { key: 'doctor.tcp.errorRemedy', params: { address: id, port: 1 } } }),
  });
  const chain = [
    { id: 'hosts.entries' },
    { id: 'dns.manager', after: ['hosts.entries'] },
    { id: 'net.manager', after: ['dns.manager'] },
    { id: 'tls.manager', after: ['net.manager'] },
    { id: 'time.skew' },
  ];

  it('a check whose prerequisite failed is blocked by the root one, and the verdict names the root', () => {
    const checks = applyPrerequisites(en, chain, [
      c('hosts.entries', 'pass'),
      c('dns.manager', 'fail'),
      c('net.manager', 'fail'),
      c('tls.manager', 'fail'),
      c('time.skew', 'warn'),
    ]);
    expect(checks.map((x) => [x.id, x.status, x.blockedBy])).toEqual([
      ['hosts.entries', 'pass', undefined],
      ['dns.manager', 'fail', undefined],
      ['net.manager', 'blocked', 'dns.manager'],
      ['tls.manager', 'blocked', 'dns.manager'],
      ['time.skew', 'warn', undefined],
    ]);
    // Named by the failed check's title, as the admin reads it.
    expect(checks[2]!.detail).toBe(
      `Not checked: “${en('doctor.title.proxy')}” failed first, and this check builds on it.`,
    );
    expect(checks[2]!.remedy).toBe('');
    const v = verdictOf(en, checks)!;
    expect(v).toMatchObject({ check: 'dns.manager', class: 'tcp', causeRef: { key: 'doctor.tcp.error' } });
    expect(displayOrder(checks).map((x) => x.status)).toEqual(['fail', 'warn', 'pass', 'blocked', 'blocked']);
  });

  it('the verdict comes first in the terminal, the HTML and the Markdown', () => {
    const r = result();
    const text = doctorText(en, r).split('\n');
    expect(text[2]).toMatch(/^Root cause — hosts\.entries \(dns\): Line 3 of \/etc\/hosts/);
    expect(text[3]).toMatch(/^Remedy: Comment out or delete line 3/);
    const html = renderHtml(en, r, 'en');
    expect(html.indexOf('Root cause')).toBeLessThan(html.indexOf(en('report.hostFacts')));
    const md = renderMarkdown(ja, r);
    expect(md.indexOf('## 根本原因')).toBeLessThan(md.indexOf(ja('report.hostFacts')));
    expect(JSON.parse(JSON.stringify(r)) && Object.keys(r)[0]).toBe('verdict');
  });
});

function renderTitle(key: string): string {
  return ja(key);
}
