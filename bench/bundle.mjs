#!/usr/bin/env node
// Benchmark (not a test): `dsa-setup doctor --only agent.log --bundle` on an agent tree with five 1 MiB-tailed logs
// (heartbeat lines, one secret line in 50) and the activation file's token and tenant ID to mask. Prints the wall
// time of the whole run (start-up included) and how many maskings the manifest lists. Run: node bench/bundle.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const project = resolve(import.meta.dirname, '..');
const cli = join(project, 'bin/dsa-setup.js');
const root = mkdtempSync(join(tmpdir(), 'dsa-bench-bundle-'));
const token = '8F2E4D6C-1A3B-4C5D-9E7F-0A1B2C3D4E5F';
const tenant = '5A1C3E2B-7D4F-4C2A-9B1E-0F3D2C1B4A59';
mkdirSync(join(root, 'etc'), { recursive: true });
writeFileSync(join(root, 'etc/hosts'), '127.0.0.1 localhost\n');
const lines = [];
for (let i = 0; i < 30_000; i++)
  lines.push(
    i % 50 === 0
      ? `2026-11-23 10:00:00.000000: [Error/1] | dsa_control -a dsm://agents.example.jp:443/ "tenantID:${tenant}" "token:${token}"`
      : `2026-11-23 10:00:00.000000: [Info/2] | heartbeat ${i} ok, next contact in 600 s (manager dsm.example.jp:4120)`,
  );
const diag = join(root, 'var/opt/ds_agent/diag');
mkdirSync(diag, { recursive: true });
for (const n of ['ds_agent.log', 'ds_agent-err.log', 'ds_am.log']) writeFileSync(join(diag, n), lines.join('\n'));
mkdirSync(join(root, 'var/log/ds_agent'), { recursive: true });
for (const n of ['ds_agent.log', 'ds_agent-err.log'])
  writeFileSync(join(root, 'var/log/ds_agent', n), lines.join('\n'));
const activation = join(root, 'activation.txt');
writeFileSync(
  activation,
  `/opt/ds_agent/dsa_control -a dsm://agents.example.jp:443/ "tenantID:${tenant}" "token:${token}"\n`,
);
const file = join(root, 'bundle.tar.gz');
const t = performance.now();
const r = spawnSync(
  process.execPath,
  [cli, 'doctor', '--root', root, '--activation-file', activation, '--only', 'agent.log', '--json', '--bundle', file],
  { encoding: 'utf8' },
);
const ms = performance.now() - t;
const masked = /Masked: (.*)/.exec(r.stderr)?.[1] ?? '';
console.log(
  `doctor --bundle, 5 logs of ${(lines.join('\n').length / 1048576).toFixed(1)} MiB: ${ms.toFixed(0)} ms (exit ${r.status})`,
);
console.log(`maskings: ${(masked.match(/×(\d+)/g) ?? []).map((x) => Number(x.slice(1))).reduce((a, b) => a + b, 0)}`);
rmSync(root, { recursive: true, force: true });
