import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { createSystemContext } from '../../main/core/system.js';
import { buildPlan } from '../../main/core/engine/plan.js';
import { stepRequests } from '../../main/core/steps/requests.js';
import { jobArgs, runJob } from '../../main/core/application/jobs.js';
import { runInJob } from '../../main/core/application/jobContext.js';
import { reportProgress, sleep } from '../../main/core/progress.js';
import type { ApplyOutcome } from '../../main/core/engine/apply.js';
import type { Message } from '../../main/core/message.js';

const dir = mkdtempSync(join(tmpdir(), 'dsa-jobctx-'));
afterAll(() => {
  cleanupRoots();
  rmSync(dir, { recursive: true, force: true });
});

describe('each job has its own progress context', () => {
  it('an activation running during an apply keeps its own progress stream, and the apply journal holds none of it', async () => {
    const root = makeRoot({
      ...OS_RELEASE.el8,
      hosts: '127.0.0.1 localhost\n',
      // `sysctl --system` (IPv6 off) answers as on a real system.
      files: { '.sandbox/exec-replies.json': JSON.stringify([{ command: 'sysctl', args: ['--system'] }]) },
    });
    const portal = join(dir, 'VMSecurity_hosts_cln.txt');
    writeFileSync(portal, '203.0.113.10 dsm01.example.jp\r\n');
    const sys = createSystemContext({ root });
    const plan = await buildPlan(sys, await stepRequests({ hostsFile: portal, disableIpv6: true }));
    const applyProgress: Message[] = [];
    const activationProgress: Message[] = [];
    let applying = true;
    // The activation reports its attempts (as activateAgent does) for as long as the apply runs, and after.
    const activation = runInJob({ progress: (m) => activationProgress.push(m) }, async () => {
      for (let n = 1; applying || n < 5; n++) {
        reportProgress('agent.activate.attempt', { manager: 'dsm01.example.jp:4120', n, of: 99 });
        await sleep(1);
      }
    });
    const apply = runJob(sys, jobArgs(sys, 'en', { kind: 'apply', plan }), {
      progress: (m) => applyProgress.push(m),
    }).finally(() => (applying = false));
    const [outcome] = (await Promise.all([apply, activation])) as [ApplyOutcome, void];
    expect(outcome.ok).toBe(true);
    expect(activationProgress.length).toBeGreaterThanOrEqual(5);
    expect(activationProgress.every((m) => m.key === 'agent.activate.attempt')).toBe(true);
    expect(applyProgress.filter((m) => m.key === 'agent.activate.attempt')).toEqual([]);
    const journal = readFileSync(join(outcome.journalDir!, 'events.jsonl'), 'utf8');
    expect(journal).not.toContain('agent.activate.attempt');
  });
});
