import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import yauzl from 'yauzl';
import { runCli } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';

const TOKEN = '8F2E4D6C-1A3B-4C5D-9E7F-0A1B2C3D4E5F';
const TENANT = '5A1C3E2B-7D4F-4C2A-9B1E-0F3D2C1B4A59';
const PASSWORD = 'hunter2-proxy-secret';

interface Manifest {
  files: { path: string; bytes: number; truncated: boolean; redaction: string }[];
  masked: { file: string; kind: string; line: number }[];
  omitted: { source: string; reason: string; note: string }[];
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** A sandbox with an agent that logged its activation command (secrets included), a config, a journal and a big log. */
function agentRoot(): { root: string; activation: string } {
  const bigLog = Array.from(
    { length: 60_000 },
    (_, i) => `2026-11-23 10:00:${String(i % 60).padStart(2, '0')} [info] heartbeat ${i} ok padding-padding-padding`,
  ).join('\n');
  const root = makeRoot({
    ...OS_RELEASE.el9,
    hosts: '127.0.0.1 localhost\n203.0.113.10 dsm01.vmsecurity.example.jp\n',
    files: {
      'var/opt/ds_agent/diag/ds_agent.log': `${bigLog}\n2026-11-23 10:01:00 [error] activation command: dsa_control -a dsm://agents.example:443/ "tenantID:${TENANT}" "token:${TOKEN}"\n2026-11-23 10:01:01 [error] BIO_do_handshake() failed\n`,
      'var/opt/ds_agent/diag/ds_agent-err.log': `proxy http://admin:${PASSWORD}@proxy.example:8080 refused\n`,
      'var/opt/ds_agent/dsa_core/ds_agent.ini': `[agent]\nproxy=http://proxy.example:8080\ntoken = ${TOKEN}\n`,
      'var/lib/dsa-setup/runs/20261123T100000Z-abcdef/events.jsonl': `{"t":"2026-11-23T10:00:00Z","type":"command","step":"activate","command":"/opt/ds_agent/dsa_control","args":["-a","dsm://agents.example:443/","tenantID:${TENANT}","token:${TOKEN}"]}\n`,
      'var/lib/dsa-setup/runs/20261123T100000Z-abcdef/plan.json': `{"steps":[{"id":"activate","token":"${TOKEN}"}]}\n`,
      'var/lib/dsa-setup/runs/20261123T100000Z-abcdef/logs/msiexec-install.log': `Property(S): TOKEN = ${TOKEN}\n`,
      'var/lib/dsa-setup/runs/20261123T100000Z-abcdef/backups/001.bak': `secret-backup ${TOKEN}\n`,
      'var/opt/ds_agent/diag/diag-20261123.zip': Buffer.from('PK\x05\x06' + '\0'.repeat(18), 'latin1'),
      '.sandbox/exec-replies.json': JSON.stringify([
        {
          command: '/opt/ds_agent/dsa_control',
          args: ['-d'],
          stdout: 'Diagnostic package: /var/opt/ds_agent/diag/diag-20261123.zip\n',
        },
      ]),
    },
  });
  const activation = join(root, 'AgentDeploymentScript.sh');
  writeFileSync(
    activation,
    `#!/bin/bash\nACTIVATIONURL='dsm://agents.workload.jp-1.cloudone.trendmicro.com:443/'\n/opt/ds_agent/dsa_control -a $ACTIVATIONURL "tenantID:${TENANT}" "token:${TOKEN}" "policyid:1"\n`,
  );
  return { root, activation };
}

const out = mkdtempSync(join(tmpdir(), 'dsa-bundle-test-'));
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  cleanupRoots();
});

describe('doctor --bundle', () => {
  it('writes a .tar.gz with every listed file, secrets masked everywhere (grep of the whole archive), bounded size', async () => {
    const { root, activation } = agentRoot();
    const file = join(out, 'support.tar.gz');
    const r = await runCli([
      'doctor',
      '--root',
      root,
      '--activation-file',
      activation,
      '--only',
      'agent.log',
      '--only',
      'proxy',
      '--timeout',
      '500',
      '--bundle',
      file,
    ]);
    expect(r.stdout).toContain(`Support bundle ${file}`);
    expect(r.stdout).toMatch(/Masked: .*agent\/logs\/ds_agent\.log: tenantID ×1 \(line \d+\), token ×1 \(line \d+\)/);
    expect(r.stdout).toContain('agent/diagnostic/diag-20261123.zip');
    expect(r.stdout).not.toContain(TOKEN);
    // The agent log's BIO_do_handshake failure was explained.
    expect(r.exitCode).toBe(1);

    const x = mkdtempSync(join(out, 'x-'));
    await execa('tar', ['-xzf', file, '-C', x]);
    const files = walk(x)
      .map((f) => relative(x, f))
      .sort();
    const manifest = JSON.parse(readFileSync(join(x, 'MANIFEST.json'), 'utf8')) as Manifest;
    expect(files).toEqual(['MANIFEST.json', ...manifest.files.map((f) => f.path)].sort());
    for (const want of [
      'doctor.json',
      'report.html',
      'inspect.json',
      'system/hosts',
      'agent/logs/ds_agent.log',
      'agent/logs/ds_agent-err.log',
      'agent/config/ds_agent.ini',
      'agent/diagnostic/diag-20261123.zip',
      'journal/20261123T100000Z-abcdef/events.jsonl',
      'journal/20261123T100000Z-abcdef/plan.json',
      'journal/20261123T100000Z-abcdef/logs/msiexec-install.log',
    ])
      expect(files).toContain(want);
    expect(files.some((f) => f.includes('backups'))).toBe(false);

    // grep -r over the whole extracted archive (and the compressed file itself) for every secret.
    const grep = await execa('grep', ['-r', '-l', '-e', TOKEN, '-e', TENANT, '-e', PASSWORD, x], { reject: false });
    expect(grep.stdout).toBe('');
    expect(grep.exitCode).toBe(1);
    expect(readFileSync(file).includes(TOKEN)).toBe(false);

    const kinds = new Set(manifest.masked.map((m) => `${m.file}:${m.kind}`));
    expect(kinds).toContain('agent/logs/ds_agent.log:token');
    expect(kinds).toContain('agent/logs/ds_agent.log:tenantID');
    expect(kinds).toContain('agent/config/ds_agent.ini:token');
    expect(kinds).toContain('journal/20261123T100000Z-abcdef/events.jsonl:token');
    expect(kinds).toContain('journal/20261123T100000Z-abcdef/plan.json:token');
    expect(kinds).toContain('agent/logs/ds_agent-err.log:url-credentials');

    // Bounded: the 4+ MiB log is tailed to 1 MiB and still ends with the failure lines.
    const log = manifest.files.find((f) => f.path === 'agent/logs/ds_agent.log')!;
    expect(log.truncated).toBe(true);
    expect(log.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(readFileSync(join(x, 'agent/logs/ds_agent.log'), 'utf8')).toContain('BIO_do_handshake() failed');
    expect(statSync(file).size).toBeLessThan(2 * 1024 * 1024);
    // Atomic: nothing but the bundle is left in its directory.
    expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('writes a .zip (the Windows form) with the same masking, and prints the summary in Japanese', async () => {
    const { root, activation } = agentRoot();
    const file = join(out, 'support.zip');
    const r = await runCli([
      'doctor',
      '--root',
      root,
      '--activation-file',
      activation,
      '--only',
      'proxy',
      '--bundle',
      file,
      '--lang',
      'ja',
      '--json',
    ]);
    // The agent's proxy of ds_agent.ini (proxy.example) is the path the doctor tests, and it does not resolve here.
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).checks[0].id).toBe('proxy'); // stdout stays one JSON document
    expect(r.stderr).toContain('サポート用バンドル');
    const names: string[] = [];
    const contents: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      yauzl.open(file, { lazyEntries: true }, (err, zip) => {
        if (err || !zip) return reject(err);
        zip.readEntry();
        zip.on('entry', (e: yauzl.Entry) => {
          names.push(e.fileName);
          zip.openReadStream(e, (err2, s) => {
            if (err2 || !s) return reject(err2);
            const chunks: Buffer[] = [];
            s.on('data', (c: Buffer) => chunks.push(c));
            s.on('end', () => {
              contents.push(Buffer.concat(chunks));
              zip.readEntry();
            });
          });
        });
        zip.on('end', () => resolve());
      });
    });
    expect(names).toContain('MANIFEST.json');
    expect(names).toContain('agent/logs/ds_agent.log');
    for (const c of contents) {
      expect(c.includes(TOKEN)).toBe(false);
      expect(c.includes(TENANT)).toBe(false);
    }
  });
});
