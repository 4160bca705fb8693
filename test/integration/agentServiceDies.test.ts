import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { cleanupRoots } from '../helpers/sandbox.js';
import { buildAgentRpm } from '../fixtures/agent/packages.js';
import { makeAgentRoot, rpmInstalled, runEvents, setStandIn } from '../fixtures/agent/sandbox.js';

// An agent service that starts and then dies (an unsupported kernel, a crash at start): the install step must
// not say "applied" because the service was seen running once.

let el8: string;
const out = mkdtempSync(join(tmpdir(), `dsa-service-dies-${process.pid}-`));
beforeAll(() => {
  el8 = buildAgentRpm({ platform: 'RedHat_EL8', version: '20.0.0', build: '2395', outDir: out });
});
afterAll(() => {
  cleanupRoots();
  rmSync(out, { recursive: true, force: true });
});

describe('install: the agent service starts, then stops', () => {
  it('fails (exit 1) saying the service started and stopped again, with where to read why; never "applied"', async () => {
    const root = makeAgentRoot();
    // Running on the first status query, dead from the second on.
    setStandIn(root, 'running-answers', '1');
    const r = await runCli(['--root', root, 'apply', '--installer', el8, '--yes']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('The ds_agent service started, then stopped again');
    expect(r.stdout).toContain('journalctl -u ds_agent -n 50');
    expect(r.stdout).not.toMatch(/\[install\] applied/);
    expect(r.stdout).not.toContain('Internal error');
    const events = runEvents(root).flatMap((x) => x.events);
    expect(events.some((e) => e.type === 'step.done')).toBe(false);
    expect(events.find((e) => e.type === 'step.failed')).toMatchObject({
      error: { code: 'agent.install.serviceDied' },
    });
    // The package stays installed, and revertable.
    expect(rpmInstalled(root)).toBe('20.0.0-2395.el8');
  });

  it('a service that keeps running is applied once it stayed up', async () => {
    const root = makeAgentRoot();
    setStandIn(root, 'running-answers', '100');
    const r = await runCli(['--root', root, 'apply', '--installer', el8, '--yes']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[install\] applied/);
    // Asked more than once: seen running once is not enough.
    const events = runEvents(root).flatMap((x) => x.events);
    expect(
      events.filter((e) => e.type === 'step.progress' && e.key === 'agent.install.confirmingService').length,
    ).toBeGreaterThan(0);
  });
});
