#!/usr/bin/env node
// Benchmark (not a test): `dsa-setup report --fleet DIR --format html` over 5,000 hosts' doctor results, start-up
// included: wall time and peak memory (max RSS). The results come from the real doctor (the built CLI, `--json`,
// `--root` sandboxes): a missing hosts line (dns), a refused port on loopback (tcp), a bad kernel list (input), a
// healthy run without a manager, and one support bundle (doctor --bundle, .zip); each is copied with other host
// facts (host name, OS, kernel) until there are 5,000 hosts, 1 in 50 of them as a bundle.
// Targets (issue 17): under 3 s and under 300 MB. Run: node bench/fleet.mjs [hosts] [runs]
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const project = resolve(import.meta.dirname, '..');
const cli = join(project, 'bin/dsa-setup.js');
const hosts = Number(process.argv[2] ?? 5000);
const runs = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'dsa-bench-fleet-'));
const NAME = `dsm01.bench-fleet${process.pid}.test`;
const ADDR = '127.0.0.78';

function makeRoot(name, hostsLines) {
  const root = join(dir, 'roots', name);
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'proc/sys/kernel'), { recursive: true });
  writeFileSync(
    join(root, 'etc/os-release'),
    'NAME="Rocky Linux"\nID=rocky\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"\n',
  );
  writeFileSync(join(root, 'etc/hosts'), `127.0.0.1 localhost\n${hostsLines}`);
  writeFileSync(join(root, 'proc/sys/kernel/hostname'), `${name}\n`);
  writeFileSync(join(root, 'proc/sys/kernel/osrelease'), '5.14.0-427.13.1.el9_4.x86_64\n');
  writeFileSync(join(root, 'proc/sys/kernel/arch'), 'x86_64\n');
  return root;
}

const doctor = (args) =>
  JSON.parse(
    (() => {
      try {
        return execFileSync(process.execPath, [cli, 'doctor', '--json', '--timeout', '1000', ...args], {
          env: { ...process.env, LANG: 'C' },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        });
      } catch (e) {
        return e.stdout; // exit 1: a check failed, the JSON is on stdout
      }
    })(),
  );

// A port nothing listens on.
const closedPort = await new Promise((r) => {
  const s = createServer().listen(0, ADDR, () => {
    const { port } = s.address();
    s.close(() => r(port));
  });
});
const portal = join(dir, 'VMSecurity_hosts_cln.txt');
writeFileSync(portal, `${ADDR}\t${NAME}\r\n`);
const kernelList = join(dir, 'kernel-list.txt');
writeFileSync(kernelList, 'RedHat_EL9\nnot a kernel\n');
const manager = ['--manager', `dsm://${NAME}:${closedPort}/`];
const bundle = join(dir, 'bundle.zip');
const t0 = performance.now();
const faults = [
  doctor(['--root', makeRoot('dns01', ''), '--hosts-file', portal, ...manager]),
  doctor(['--root', makeRoot('tcp01', `${ADDR} ${NAME}\n`), '--hosts-file', portal, ...manager, '--bundle', bundle]),
  doctor(['--root', makeRoot('input01', ''), '--kernel-list', kernelList, '--lang', 'ja']),
  doctor(['--root', makeRoot('clean01', '')]),
];
console.log(`doctor runs: ${faults.length} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const OSES = [
  ['Red Hat Enterprise Linux 8.10 (Ootpa)', (i) => `4.18.0-${513 + (i % 40)}.el8_10.x86_64`],
  ['Rocky Linux 9.4 (Blue Onyx)', (i) => `5.14.0-${362 + (i % 65)}.el9_4.x86_64`],
  ['Ubuntu 22.04.4 LTS', (i) => `5.15.0-${90 + (i % 30)}-generic`],
  ['SUSE Linux Enterprise Server 15 SP5', (i) => `5.14.21-150500.${55 + (i % 10)}.12-default`],
];
const fleet = join(dir, 'results');
let bytes = 0;
for (let i = 0; i < hosts; i++) {
  const name = `vm-${String(i).padStart(5, '0')}`;
  mkdirSync(join(fleet, name), { recursive: true });
  if (i % 50 === 49) {
    copyFileSync(bundle, join(fleet, name, 'support-bundle.zip'));
    bytes += statSync(bundle).size;
    continue;
  }
  const [os, kernel] = OSES[i % OSES.length];
  const r = structuredClone(faults[i % faults.length]);
  r.host = { ...r.host, hostname: name, os, kernel: kernel(i) };
  r.generatedAt = new Date(Date.parse(r.generatedAt) + i * 1000).toISOString();
  const text = JSON.stringify(r, null, 2);
  bytes += text.length;
  writeFileSync(join(fleet, name, 'doctor.json'), text);
}
console.log(`fleet: ${hosts} hosts (${Math.floor(hosts / 50)} as .zip bundles), ${(bytes / 1048576).toFixed(1)} MiB`);

const probe = join(dir, 'rss-probe.cjs');
writeFileSync(
  probe,
  "process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\nBENCH_MAXRSS_KB='+u.maxRSS+' BENCH_CPU_US='+(u.userCPUTime+u.systemCPUTime)+'\\n')})\n",
);

function report(out) {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      ['--require', probe, cli, 'report', '--fleet', fleet, '--format', 'html', '--out', out, '--json'],
      { env: { ...process.env, LANG: 'C' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const kb = Number(/BENCH_MAXRSS_KB=(\d+)/.exec(stderr)?.[1] ?? NaN);
      const cpu = Number(/BENCH_CPU_US=(\d+)/.exec(stderr)?.[1] ?? NaN) / 1e6;
      if (code !== 0) return reject(new Error(`report exit ${code}: ${stderr}`));
      resolvePromise({ ms, mb: kb / 1024, cpu, doc: JSON.parse(stdout) });
    });
  });
}

const rows = [];
for (let i = 0; i < runs; i++) rows.push(await report(join(dir, `fleet-${i}.html`)));
const last = rows[rows.length - 1].doc;
console.log(
  `report: ${last.hosts} hosts, groups ${JSON.stringify(last.groups)}, clean ${last.clean}, apart ${last.apart}, ` +
    `${(last.bytes / 1048576).toFixed(1)} MiB of HTML`,
);
for (const [i, r] of rows.entries())
  console.log(
    `run ${i + 1}: wall ${(r.ms / 1000).toFixed(2)} s (CPU ${r.cpu.toFixed(2)} s), peak RSS ${r.mb.toFixed(0)} MB`,
  );
// On a busy machine the wall time includes waiting for a core: the load average says how busy it was.
console.log(
  `load average: ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const worst = { ms: Math.max(...rows.map((r) => r.ms)), mb: Math.max(...rows.map((r) => r.mb)) };
console.log(
  `worst: wall ${(worst.ms / 1000).toFixed(2)} s (target < 3 s: ${worst.ms < 3000 ? 'met' : 'MISSED'}), ` +
    `peak RSS ${worst.mb.toFixed(0)} MB (target < 300 MB: ${worst.mb < 300 ? 'met' : 'MISSED'})`,
);
if (process.env.BENCH_KEEP) console.log(`kept: ${fleet}`);
else rmSync(dir, { recursive: true, force: true });
