// chronyd serving time on a loopback address for tests (DESIGN.md's recipe): `local stratum 8`, its own port,
// no command port, pid and drift files in a temp dir. Stopped by the pid in its pidfile.
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface Chronyd {
  address: string;
  port: number;
  stop(): void;
}

async function freeUdpPort(host: string): Promise<number> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, host, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts chronyd answering NTP on `address` (a free UDP port) and waits for its pidfile. */
export async function startChronyd(address: string): Promise<Chronyd> {
  const dir = mkdtempSync(join(tmpdir(), 'dsa-chrony-'));
  const port = await freeUdpPort(address);
  const conf = join(dir, 'chrony.conf');
  const pidFile = join(dir, 'chronyd.pid');
  writeFileSync(
    conf,
    [
      'local stratum 8',
      'allow 127.0.0.0/8',
      `bindaddress ${address}`,
      `port ${port}`,
      'cmdport 0',
      `pidfile ${pidFile}`,
      `driftfile ${join(dir, 'drift')}`,
      '',
    ].join('\n'),
  );
  await execa('chronyd', ['-x', '-f', conf]);
  for (let i = 0; i < 50 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
  return {
    address,
    port,
    stop() {
      if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
