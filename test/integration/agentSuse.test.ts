// The agent on SUSE: the SuSE_15 / SuSE_12 packages (release tag .sles15 / .sles12) matched to SLES roots,
// installed with real rpm, and the package of another distribution refused with the SUSE one named.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { buildAgentRpm, prepareAgentRoot } from '../fixtures/agent/packages.js';
import { rpmInstalled } from '../fixtures/agent/sandbox.js';

afterAll(cleanupRoots);

let sles15: string;
let sles12: string;
let el8: string;
beforeAll(() => {
  const out = mkdtempSync(join(tmpdir(), 'dsa-suse-pkgs-'));
  sles15 = buildAgentRpm({ platform: 'SuSE_15', version: '20.0.0', build: '2395', outDir: out });
  sles12 = buildAgentRpm({ platform: 'SuSE_12', version: '20.0.0', build: '2395', outDir: out });
  el8 = buildAgentRpm({ platform: 'RedHat_EL8', version: '20.0.0', build: '2395', outDir: out });
});

/** A SLES root (its real os-release) with an empty rpm database, x86_64. */
function suseRoot(release: 'sles15' | 'sles12'): string {
  const root = makeRoot({
    ...OS_RELEASE[release],
    kernel: {
      osrelease: release === 'sles15' ? '5.14.21-150500.55.39-default' : '4.12.14-122.186-default',
      arch: 'x86_64',
      hostname: 'sles01',
    },
  });
  prepareAgentRoot(root);
  return root;
}

/** The doctor's installer.match check for a package on a root. */
async function installerCheck(root: string, pkg: string): Promise<{ status: string; detail: string }> {
  const r = await runCliJson<{ checks: { id: string; status: string; detail: string }[] }>([
    'doctor',
    '--root',
    root,
    '--only',
    'installer.match',
    '--installer',
    pkg,
  ]);
  return r.json.checks.find((c) => c.id === 'installer.match')!;
}

describe('the agent package on SUSE', () => {
  it('SLES 15 SP5 takes Agent-Core-SuSE_15-…rpm: the doctor passes it, apply installs it with rpm -ivh', async () => {
    const root = suseRoot('sles15');
    const check = await installerCheck(root, sles15);
    expect(check.status, check.detail).toBe('pass');
    expect(check.detail).toContain('SuSE_15');
    const apply = await runCliJson<{ steps: { id: string; status: string }[] }>([
      '--root',
      root,
      'apply',
      '--installer',
      sles15,
      '--yes',
    ]);
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(rpmInstalled(root)).toBe('20.0.0-2395.sles15');
  });

  it('SLES 12 SP5 (no ID_LIKE in its os-release) needs SuSE_12: the SuSE_15 package is refused and SuSE_12 named', async () => {
    const root = suseRoot('sles12');
    const r = await runCli(['--root', root, 'apply', '--installer', sles15, '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('is for SuSE_15, but this system (SUSE Linux Enterprise Server 12 SP5) needs SuSE_12');
    expect(r.stderr).toContain('Download Agent-Core-SuSE_12-20.0.0-2395.x86_64.rpm instead');
    expect(rpmInstalled(root)).toBeNull();
    expect((await installerCheck(root, sles12)).status).toBe('pass');
  });

  it('a RHEL package on SLES 15 is refused, naming the SuSE_15 package', async () => {
    const root = suseRoot('sles15');
    const r = await runCli(['--root', root, 'apply', '--installer', el8, '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Download Agent-Core-SuSE_15-20.0.0-2395.x86_64.rpm instead');
    expect(rpmInstalled(root)).toBeNull();
  });
});
