import { describe, expect, it } from 'vitest';
import { translator } from '../../main/core/i18n.js';
import { Interner, READ_MAJOR, toFleetHost, type FleetHost } from '../../main/core/fleet/read.js';
import { groupFleet } from '../../main/core/fleet/group.js';
import { renderFleetHtml } from '../../main/core/fleet/render.js';
import type { Message } from '../../main/core/message.js';

/** A doctor.json in the shape `doctor --json` prints (DESIGN.md), with a TLS failure and a clock failure. */
function result(extra: Record<string, unknown> = {}) {
  return {
    version: `${READ_MAJOR}.1.0`,
    lang: 'en',
    generatedAt: '2026-11-30T10:00:00.000Z',
    host: { hostname: 'web01', os: 'Rocky Linux 9.4 (Blue Onyx)', kernel: '5.14.0-427.el9.x86_64', arch: 'x86_64' },
    checks: [
      {
        id: 'tls.manager',
        status: 'fail',
        class: 'tls',
        title: 'TLS to the manager',
        detail: 'handshake failed',
        remedy: 'check the certificate',
        ms: 12,
        titleRef: { key: 'doctor.title.tlsManager' },
        detailRef: { key: 'fleet.text', params: { text: 'handshake failed (token:ABCDEF0123456789XYZ)' } },
        remedyRef: { key: 'fleet.text', params: { text: 'check the certificate' } },
      },
      {
        id: 'time.skew',
        status: 'fail',
        class: 'clock',
        title: 'Clock',
        detail: 'this clock is 600 s ahead',
        remedy: 'chronyc makestep',
        ms: 3,
      },
      { id: 'proxy', status: 'pass', title: 'Proxy', detail: 'no proxy', remedy: '', ms: 1 },
    ],
    summary: { pass: 1, warn: 0, fail: 2, skip: 0 },
    ms: 20,
    ...extra,
  };
}

const host = (v: unknown, source = 'a/doctor.json'): FleetHost => {
  const h = toFleetHost(v, source);
  if ('key' in h) throw new Error(`set apart: ${h.key}`);
  return h;
};

describe('fleet: reading one doctor result', () => {
  it('takes the verdict when the file has one, even when it names a later check than the first failure', () => {
    const h = host(
      result({
        verdict: {
          check: 'time.skew',
          class: 'clock',
          cause: 'This clock is 600 s ahead of NTP.',
          remedy: 'Run chronyc makestep.',
          causeRef: { key: 'fleet.text', params: { text: 'This clock is 600 s ahead of NTP.' } },
          remedyRef: { key: 'fleet.text', params: { text: 'Run chronyc makestep.' } },
        },
      }),
    );
    expect(h.verdict).toMatchObject({ check: 'time.skew', class: 'clock', derived: false });
  });

  it('without a verdict (an older file) derives it from the first failing check and says so', () => {
    const h = host(result());
    expect(h.verdict).toMatchObject({ check: 'tls.manager', class: 'tls', derived: true });
    expect(h.checks.map((c) => c.status)).toEqual(['fail', 'fail', 'pass']);
  });

  it('masks a secret left in a text and keeps it masked through translation', () => {
    const t = translator('en');
    const h = host(result());
    const detail = h.verdict!.cause;
    expect(JSON.stringify(detail)).not.toContain('ABCDEF0123456789XYZ');
    expect(t(detail.key, detail.params)).toMatch(/token:(ABCD…)?\[masked\]/);
  });

  it('sets apart another format version and a document that is not a doctor result, saying why', () => {
    expect(toFleetHost(result({ version: `${READ_MAJOR + 1}.0.0` }), 'x')).toEqual({
      key: 'fleet.apart.otherVersion',
      params: { version: `${READ_MAJOR + 1}.0.0`, supported: `${READ_MAJOR}.x` },
    });
    const bad = toFleetHost(result({ host: { os: 3 } }), 'x') as Message;
    expect(bad.key).toBe('fleet.apart.badShape');
    expect(bad.params.path).toBe('host.hostname');
  });

  it('shares one object per distinct check across hosts (the report renders each once)', () => {
    const intern = new Interner();
    const a = toFleetHost(result(), 'a', intern) as FleetHost;
    const b = toFleetHost({ ...result(), host: { ...result().host, hostname: 'web02' } }, 'b', intern) as FleetHost;
    expect(a.checks[0]).toBe(b.checks[0]);
    expect(a.verdict!.remedy).toBe(b.verdict!.remedy);
  });
});

describe('fleet: grouping and the HTML', () => {
  it('groups by class, gives each distinct remedy once with its hosts, and escapes every text', () => {
    const intern = new Interner();
    const mk = (name: string, remedy: string) =>
      toFleetHost(
        {
          ...result(),
          host: { ...result().host, hostname: name },
          checks: [{ ...result().checks[0]!, remedyRef: { key: 'fleet.text', params: { text: remedy } } }],
        },
        `${name}/doctor.json`,
        intern,
      ) as FleetHost;
    const report = groupFleet({
      hosts: [mk('b<i>', 'open 4120'), mk('a', 'open 4120'), mk('c', 'trust the CA <b>')],
      apart: [],
    });
    const tls = report.groups.find((g) => g.class === 'tls')!;
    expect(tls.hosts.map((h) => h.hostname)).toEqual(['a', 'b<i>', 'c']);
    expect(tls.remedies.map((r) => [r.remedy.params.text, r.hosts.length])).toEqual([
      ['open 4120', 2],
      ['trust the CA <b>', 1],
    ]);
    const html = renderFleetHtml(translator('en'), report, 'en');
    expect(html).toContain('b&lt;i&gt;');
    expect(html).toContain('trust the CA &lt;b&gt;');
    expect(html).not.toMatch(/<(i|b)>/);
    expect(html.match(/<details class="host">/g)).toHaveLength(3);
  });
});
