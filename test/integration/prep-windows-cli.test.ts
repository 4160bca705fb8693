import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { cleanupRoots, makeRoot } from '../helpers/sandbox.js';
import { sandboxExecLog } from '../../main/core/system.js';
import { windowsPrepReplies } from '../helpers/windowsReplies.js';
afterAll(cleanupRoots);

/** A Windows sandbox root whose recorded command outputs come from the fixtures. */
function windowsRoot(): string {
  const root = makeRoot({ windows: true });
  mkdirSync(join(root, '.sandbox'), { recursive: true });
  writeFileSync(join(root, '.sandbox/exec-replies.json'), JSON.stringify(windowsPrepReplies()));
  return root;
}

describe('Windows preparation through the built CLI on a --root sandbox with recorded outputs', () => {
  it('inspect shows Defender real-time on, Tamper Protection, and the firewall profiles (Japanese Windows)', async () => {
    const root = windowsRoot();
    const r = await runCliJson<{
      prep: {
        antivirus: { conflict: boolean; defender: { status: { isTamperProtected: boolean } } };
        firewall: { active: boolean; tool: string };
      };
    }>(['inspect', '--root', root]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.prep.antivirus.conflict).toBe(true);
    expect(r.json.prep.antivirus.defender.status.isTamperProtected).toBe(true);
    expect(r.json.prep.firewall).toMatchObject({ active: true, tool: 'windows' });
    const text = await runCli(['inspect', '--root', root, '--lang', 'ja']);
    expect(text.stdout).toMatch(/ウイルス対策のリアルタイム保護\s+有効.エージェントと競合します/);
    expect(text.stdout).toContain('改ざん防止が有効です');
    expect(text.stdout).toMatch(/ホストのファイアウォール\s+有効.windows/);
    expect(text.stdout).toMatch(/←4118 遮断/);
  });

  it('the doctor blames the antivirus that is on: Defender behind Tamper Protection, not System Center Endpoint Protection', async () => {
    const r = await runCliJson<{ checks: { id: string; status: string; remedy: string }[] }>([
      'doctor',
      '--root',
      windowsRoot(),
      '--only',
      'av.conflict',
    ]);
    const av = r.json.checks.find((c) => c.id === 'av.conflict')!;
    expect(av.status).toBe('fail');
    expect(av.remedy).toContain('Tamper Protection keeps it on: turn Tamper Protection off in Windows Security');
    expect(av.remedy).not.toContain('System Center');
  });

  it('plan --disable-scep with Tamper Protection on: no change planned, the plan says why and what to do; apply exits 1', async () => {
    const root = windowsRoot();
    const plan = await runCli(['plan', '--root', root, '--disable-scep', '--lang', 'ja']);
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toContain('改ざん防止(Tamper Protection)により');
    const apply = await runCli(['apply', '--root', root, '--disable-scep', '--yes']);
    expect(apply.exitCode).toBe(1);
    expect(apply.stdout).toContain('Tamper Protection keeps');
    expect(apply.stdout).toMatch(/turn Tamper Protection off/);
    expect(sandboxExecLog(root).filter((c) => c.args.join(' ').includes('Set-MpPreference'))).toEqual([]);
  });

  it('plan --open-firewall: the netsh rules for the manager, inbound 4118 when the manager initiates', async () => {
    const root = windowsRoot();
    const hosts = join(root, 'portal.txt');
    writeFileSync(hosts, '\uFEFF203.0.113.10 dsm.example.jp\r\n');
    const plan = await runCliJson<{
      steps: { id: string; changes: { command: string; args: string[] }[]; notes: { key: string }[] }[];
    }>(['plan', '--root', root, '--hosts-file', hosts, '--open-firewall', '--manager-initiated']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    const fw = plan.json.steps.find((s) => s.id === 'firewall')!;
    // The profiles that are on allow outbound: only the inbound opening is needed.
    expect(fw.changes.map((c) => [c.command, ...c.args])).toEqual([
      [
        'netsh',
        'advfirewall',
        'firewall',
        'add',
        'rule',
        'name=dsa-setup/in/tcp/203.0.113.10/4118',
        'dir=in',
        'action=allow',
        'protocol=TCP',
        'localport=4118',
        'remoteip=203.0.113.10',
      ],
    ]);
    expect(fw.notes.map((n) => n.key)).toContain('prep.fw.note.notFiltered.out');
  });
});
