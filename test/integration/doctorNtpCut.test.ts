import { afterAll, describe, expect, it } from 'vitest';
import { createSocket, type Socket } from 'node:dgram';
import { runCliJson } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import type { DoctorResult } from '../../main/core/doctor/types.js';

// An NTP server whose answer is still awaited when the run's deadline comes: nothing was judged, so neither the
// NTP path nor this clock is blamed.

const sockets: Socket[] = [];
afterAll(() => {
  sockets.forEach((s) => s.close());
  cleanupRoots();
});

/** A UDP socket on loopback that reads NTP queries and never answers. */
async function silentNtp(): Promise<number> {
  const s = createSocket('udp4');
  sockets.push(s);
  s.on('message', () => undefined);
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return s.address().port;
}

describe('time.skew cut by the deadline', () => {
  it('an NTP answer still awaited at the deadline blames no one (no class), and says what was awaited', async () => {
    const port = await silentNtp();
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: '127.0.0.1 localhost\n' });
    const r = await runCliJson<DoctorResult>([
      'doctor',
      '--root',
      root,
      '--only',
      'time.skew',
      '--ntp-server',
      `127.0.0.1:${port}`,
      '--timeout',
      '8000',
      '--deadline',
      '1500',
    ]);
    const c = r.json.checks.find((x) => x.id === 'time.skew')!;
    expect(c.status).toBe('fail');
    expect(c.class).toBeUndefined();
    expect(c.detail).toContain(`The answer of the NTP server 127.0.0.1:${port} was still awaited`);
    expect(c.remedy).toContain('--timeout');
    expect(r.json.verdict).toMatchObject({ check: 'time.skew', class: 'input' });
  });
});
