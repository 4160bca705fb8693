#!/usr/bin/env node
// Benchmark (not a test): `dsa-setup plan` and `apply` of the managed block on a 200,000-line hosts file (the size
// of an ad-blocking list) with a shadowing line near the end. Prints wall time, CPU time (user + system: what the
// run costs when the machine is not shared) and peak memory (max RSS) of each CLI run, start-up included, and the
// parser alone in this process. Targets (issues 2 and 11): < 0.5 s and < 150 MB. Apply includes the write-ahead
// journal, the backup, the attribute copy (getfattr) and the read-back. Run: node bench/hosts.mjs [lines]
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const project = resolve(import.meta.dirname, '..');
const cli = join(project, 'bin/dsa-setup.js'); // what `npx dsa-setup` runs
const lines = Number(process.argv[2] ?? 200_000);
const root = mkdtempSync(join(tmpdir(), 'dsa-bench-hosts-'));
mkdirSync(join(root, 'etc'), { recursive: true });
writeFileSync(join(root, 'etc/os-release'), 'ID=rhel\nVERSION_ID="9.4"\nPRETTY_NAME="RHEL 9.4"\n');
const body = ['127.0.0.1 localhost', '::1 localhost'];
for (let i = 0; i < lines - 3; i++) body.push(`0.0.0.0 ads${i}.tracker${i % 97}.example.com`);
body.push('10.0.0.9 dsm01.vmsecurity.example.jp');
writeFileSync(join(root, 'etc/hosts'), body.join('\n') + '\n');
const portal = join(root, 'VMSecurity_hosts_cln.txt');
writeFileSync(portal, '203.0.113.10 dsm01.vmsecurity.example.jp dsm01\n203.0.113.11 relay01.vmsecurity.example.jp\n');
// Reports the child's peak RSS on exit (written to stderr as a tagged line).
const probe = join(root, 'rss-probe.cjs');
writeFileSync(
  probe,
  "process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\nBENCH_MAXRSS_KB='+u.maxRSS+' BENCH_CPU_US='+(u.userCPUTime+u.systemCPUTime)+'\\n')})\n",
);

function run(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--require', probe, cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  const kb = Number(/BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  const cpu = Number(/BENCH_CPU_US=(\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1000;
  if (r.status !== 0) throw new Error(`${args[0]} exited ${r.status}: ${r.stderr}`);
  return { ms, cpu, mb: kb / 1024 };
}

execFileSync(process.execPath, [cli, '--version']); // warm the file cache
const size = readFileSync(join(root, 'etc/hosts')).length;
const results = [
  ['plan', run(['plan', '--root', root, '--hosts-file', portal, '--json'])],
  ['apply', run(['apply', '--root', root, '--hosts-file', portal, '--yes', '--json'])],
  ['apply again (no-op)', run(['apply', '--root', root, '--hosts-file', portal, '--yes', '--json'])],
  ['revert', run(['revert', '--root', root, '--yes', '--json'])],
];

// The write-ahead share of apply: what the journal does before and after the file is written — the backup
// of the original (written and fsynced, with its directory) and each event line appended and fsynced
// (run.start, step.start, file.intent, file.write, step.done, run.done).
function writeAheadMs(bytes) {
  const dir = mkdtempSync(join(root, 'wal-'));
  const t0 = performance.now();
  const bak = openSync(join(dir, '001.bak'), 'w', 0o600);
  writeSync(bak, bytes);
  fsyncSync(bak);
  closeSync(bak);
  const d = openSync(dir, 'r');
  fsyncSync(d);
  closeSync(d);
  for (let i = 0; i < 6; i++) {
    const fd = openSync(join(dir, 'events.jsonl'), 'a', 0o600);
    writeSync(fd, JSON.stringify({ t: new Date().toISOString(), type: 'file.intent', n: i }) + '\n');
    fsyncSync(fd);
    closeSync(fd);
  }
  return performance.now() - t0;
}
const walMs = writeAheadMs(readFileSync(join(root, 'etc/hosts')));
console.log(`hosts file: ${lines} lines, ${(size / 1048576).toFixed(1)} MiB; node ${process.version}`);
for (const [name, r] of results) {
  console.log(
    `${name.padEnd(20)} wall ${r.ms.toFixed(0).padStart(5)} ms   cpu ${r.cpu.toFixed(0).padStart(5)} ms   peak ${r.mb.toFixed(0).padStart(4)} MB   (target < 500 ms, < 150 MB)`,
  );
}
console.log(`write-ahead share of apply (backup + 6 fsynced journal lines): ${walMs.toFixed(0)} ms`);
rmSync(root, { recursive: true, force: true });
