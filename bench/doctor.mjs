#!/usr/bin/env node
// Benchmark (not a test): wall time and peak memory (max RSS) of `dsa-setup doctor --json`, start-up included,
// (1) against a healthy stand-in manager (TLS on loopback, hosts entry in a --root sandbox) and (2) against one
// filtered port (nft drops it in a network namespace made here) with --timeout 3000.
// (3) three silent nameservers (UDP sinks, resolv.conf bind-mounted in a private mount namespace) and (4) a
// dsa_query that hangs in a shell child, both with --deadline 2000: the process's wall time, start-up included.
// Targets: healthy < 1 s; filtered < 3.5 s; silent DNS and hung agent tool <= deadline + 0.5 s (2.5 s).
// Run as root: node bench/doctor.mjs [runs]
import { execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync } from 'node:fs';
import { createServer } from 'node:https';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const project = resolve(import.meta.dirname, '..');
const cli = join(project, 'bin/dsa-setup.js');
const runs = Number(process.argv[2] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'dsa-bench-doctor-'));
const NAME = 'dsm01.bench.test';
const ADDR = '127.0.0.77';

// Certificates made with openssl: a CA and the manager's certificate.
const ossl = (args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
ossl([
  'req',
  '-x509',
  '-newkey',
  'ec',
  '-pkeyopt',
  'ec_paramgen_curve:prime256v1',
  '-nodes',
  '-keyout',
  'ca.key',
  '-out',
  'ca.pem',
  '-days',
  '2',
  '-subj',
  '/CN=bench CA',
]);
ossl([
  'req',
  '-newkey',
  'ec',
  '-pkeyopt',
  'ec_paramgen_curve:prime256v1',
  '-nodes',
  '-keyout',
  'srv.key',
  '-out',
  'srv.csr',
  '-subj',
  `/CN=${NAME}`,
]);
writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=DNS:${NAME}\n`);
ossl([
  'x509',
  '-req',
  '-in',
  'srv.csr',
  '-CA',
  'ca.pem',
  '-CAkey',
  'ca.key',
  '-CAcreateserial',
  '-out',
  'srv.pem',
  '-days',
  '2',
  '-extfile',
  'ext.cnf',
]);
const server = createServer(
  { key: readFileSync(join(dir, 'srv.key')), cert: readFileSync(join(dir, 'srv.pem')) },
  (_q, r) => r.end('{"ok":true}'),
);
await new Promise((r) => server.listen(0, ADDR, r));
const port = server.address().port;

const root = join(dir, 'root');
mkdirSync(join(root, 'etc'), { recursive: true });
writeFileSync(
  join(root, 'etc/os-release'),
  'ID=rocky\nID_LIKE="rhel"\nVERSION_ID="9.4"\nPRETTY_NAME="Rocky Linux 9.4"\n',
);
writeFileSync(join(root, 'etc/hosts'), `127.0.0.1 localhost\n${ADDR} ${NAME}\n`);
const portal = join(dir, 'VMSecurity_hosts_cln.txt');
writeFileSync(portal, `${ADDR}\t${NAME}\r\n`);
const probe = join(dir, 'rss-probe.cjs');
writeFileSync(
  probe,
  "process.on('exit',()=>process.stderr.write('\\nBENCH_MAXRSS_KB='+process.resourceUsage().maxRSS+'\\n'))\n",
);

function run(prefix, args) {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const [cmd, ...pre] = prefix.length ? prefix : [process.execPath];
    const full = [...pre, ...(prefix.length ? [process.execPath] : []), '--require', probe, cli, ...args];
    const child = spawn(cmd, full, { env: { ...process.env, LANG: 'C', NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') } });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const kb = Number(/BENCH_MAXRSS_KB=(\d+)/.exec(stderr)?.[1] ?? NaN);
      let doc;
      try {
        doc = JSON.parse(stdout);
      } catch {
        return reject(new Error(`no JSON (exit ${code}): ${stderr}`));
      }
      // Where the time went inside the doctor itself (the rest is Node start-up and module loading).
      resolvePromise({ ms, mb: kb / 1024, summary: `${JSON.stringify(doc.summary)} doctor ${doc.ms} ms` });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function series(name, prefix, args, target) {
  const rs = [];
  for (let i = 0; i < runs; i++) rs.push(await run(prefix, args));
  const ms = median(rs.map((r) => r.ms));
  const mb = Math.max(...rs.map((r) => r.mb));
  console.log(
    `${name.padEnd(34)} median ${ms.toFixed(0).padStart(5)} ms  max ${Math.max(...rs.map((r) => r.ms))
      .toFixed(0)
      .padStart(5)} ms  peak ${mb.toFixed(0).padStart(4)} MB  (target < ${target} ms)  ${rs[0].summary}`,
  );
}

const ns = `dsa-bench-${randomBytes(3).toString('hex')}`;
const sinkSockets = [];
try {
  execFileSync(process.execPath, [cli, '--version']); // warm the file cache
  console.log(`node ${process.version}; ${runs} runs each`);
  await series(
    'healthy stand-in (all checks)',
    [],
    ['doctor', '--json', '--root', root, '--hosts-file', portal, '--manager', `dsm://${NAME}:${port}/`],
    1000,
  );
  execFileSync('ip', ['netns', 'add', ns]);
  execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  const filteredRoot = join(dir, 'root-filtered');
  mkdirSync(join(filteredRoot, 'etc'), { recursive: true });
  writeFileSync(join(filteredRoot, 'etc/hosts'), `127.0.0.1 localhost ${NAME}\n`);
  execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], {
    input:
      'table inet bench {\n  chain out {\n    type filter hook output priority 0; policy accept;\n    tcp dport 4120 drop\n  }\n}\n',
  });
  await series(
    'filtered port, --timeout 3000',
    ['ip', 'netns', 'exec', ns],
    ['doctor', '--json', '--root', filteredRoot, '--manager', `dsm://${NAME}:4120/`, '--timeout', '3000'],
    3500,
  );
  // Three nameservers that never answer.
  const oct = () => Math.floor(Math.random() * 200) + 20;
  const sinks = [1, 2, 3].map((n) => `127.0.${oct()}.${n}`);
  for (const a of sinks)
    await new Promise((r) => sinkSockets[sinkSockets.push(createSocket('udp4')) - 1].bind(53, a, r));
  const resolvConf = join(dir, 'resolv.conf');
  writeFileSync(resolvConf, sinks.map((a) => `nameserver ${a}\n`).join(''));
  const noHosts = join(dir, 'root-dns');
  mkdirSync(join(noHosts, 'etc'), { recursive: true });
  writeFileSync(join(noHosts, 'etc/hosts'), '127.0.0.1 localhost\n');
  await series(
    'silent DNS (3 servers), --deadline 2000',
    [
      'unshare',
      '-m',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"',
      'sh',
      resolvConf,
    ],
    ['doctor', '--json', '--root', noHosts, '--manager', 'dsm://dsm.silent.bench.test:4120/', '--deadline', '2000'],
    2500,
  );
  // A dsa_query that hangs in a shell child.
  const hung = join(dir, 'root-hung');
  mkdirSync(join(hung, 'etc'), { recursive: true });
  mkdirSync(join(hung, 'opt/ds_agent'), { recursive: true });
  writeFileSync(join(hung, 'etc/hosts'), '127.0.0.1 localhost\n');
  writeFileSync(join(hung, 'opt/ds_agent/dsa_query'), '#!/bin/sh\nsleep 60 &\nwait\n');
  chmodSync(join(hung, 'opt/ds_agent/dsa_query'), 0o755);
  await series('hung dsa_query, --deadline 2000', [], ['doctor', '--json', '--root', hung, '--deadline', '2000'], 2500);
} finally {
  for (const s of sinkSockets) s.close();
  spawn('ip', ['netns', 'delete', ns], { stdio: 'ignore' });
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
