import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';

/**
 * A real nftables ruleset in a network namespace this test creates. The built CLI runs inside the namespace
 * WITHOUT --root (so it drives the real `nft` there — the namespace has its own ruleset; the host's is never
 * touched), and inside a private mount namespace where /var/lib (the journals) is a bind mount of this test's
 * temp directory: the only files the run writes (journal, backups) land in the sandbox, not on the host. The
 * firewall step itself writes no file; the openings are given with --firewall-allow, not --hosts-file, which
 * would also select the hosts step and write /etc/hosts.
 */
const NS = `dsa-fw-${process.pid}-${randomBytes(3).toString('hex')}`;
const MANAGER = '192.0.2.10';
const RULESET = [
  'table inet f {',
  '  chain o {',
  '    type filter hook output priority 0; policy drop;',
  '    ct state established,related accept',
  '  }',
  '}',
  '',
].join('\n');

let work: string;
let listener: ResultPromise | undefined;

const nsRun = (args: string[]) => execa('ip', ['netns', 'exec', NS, ...args], { reject: false, timeout: 30_000 });

/** Runs the built CLI in the namespace with /var/lib bound to the sandbox. */
async function cli(args: string[]) {
  const r = await execa(
    'ip',
    [
      'netns',
      'exec',
      NS,
      'unshare',
      '-m',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      'mount --bind "$0" /var/lib && exec "$@"',
      join(work, 'varlib'),
      process.execPath,
      CLI,
      ...args,
    ],
    { reject: false, timeout: 60_000, env: { LANG: 'C', LC_ALL: '' } },
  );
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const PROBE = `
const s = require('net').connect({ host: process.argv[1], port: Number(process.argv[2]) });
const t = setTimeout(() => { console.log('timeout'); process.exit(0); }, 1500);
s.on('connect', () => { console.log('connected'); clearTimeout(t); s.destroy(); });
s.on('error', (e) => { console.log(e.code); clearTimeout(t); });
`;

/** A real TCP connection from inside the namespace: connected, timeout (dropped) or refused. */
async function probe(port: number): Promise<string> {
  const r = await nsRun([process.execPath, '-e', PROBE, MANAGER, String(port)]);
  return String(r.stdout).trim();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'dsa-fw-'));
  mkdirSync(join(work, 'varlib'));
  await execa('ip', ['netns', 'add', NS]);
  await execa('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
  await execa('ip', ['-n', NS, 'addr', 'add', `${MANAGER}/32`, 'dev', 'lo']);
  await execa('ip', ['netns', 'exec', NS, 'nft', '-f', '-'], { input: RULESET });
  listener = execa(
    'ip',
    [
      'netns',
      'exec',
      NS,
      process.execPath,
      '-e',
      `for (const p of [4120, 4122]) require('net').createServer((c) => c.end()).listen(p, '${MANAGER}');`,
    ],
    { reject: false },
  );
  for (let i = 0; i < 50; i++) {
    const r = await nsRun(['ss', '-ltn']);
    if (String(r.stdout).includes(`${MANAGER}:4122`)) break;
    await new Promise((res) => setTimeout(res, 100));
  }
});

afterAll(async () => {
  if (listener?.pid) process.kill(listener.pid, 'SIGTERM');
  await listener?.catch(() => undefined);
  await execa('ip', ['netns', 'del', NS], { reject: false });
  rmSync(work, { recursive: true, force: true });
});

describe('firewall openings on a real nftables ruleset in a network namespace', () => {
  it('detects it, opens 4120/4122 to the manager, a real TCP connection passes, revert blocks it again', async () => {
    expect(await probe(4120)).toBe('timeout'); // policy drop on output

    const inspect = await cli(['inspect', '--json']);
    expect(inspect.exitCode, inspect.stderr).toBe(0);
    const fw = (JSON.parse(inspect.stdout) as { prep: { firewall: Record<string, unknown> } }).prep.firewall;
    expect(fw).toMatchObject({ active: true, tool: 'nftables', filtersOutbound: true, filtersInbound: false });
    expect(fw.nftChains).toEqual([{ family: 'inet', table: 'f', name: 'o', hook: 'output', policy: 'drop' }]);
    expect(fw.ports).toContainEqual({ direction: 'out', port: 4120, allowed: false });

    const planArgs = ['--open-firewall', '--firewall-allow', `${MANAGER}:4120`, `${MANAGER}:4122`];
    const plan = await cli(['plan', ...planArgs, '--json']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    const fwStep = (
      JSON.parse(plan.stdout) as {
        steps: { id: string; changes: { command: string; args: string[] }[]; notes: { key: string }[] }[];
      }
    ).steps.find((s) => s.id === 'firewall')!;
    expect(fwStep.changes.map((c) => [c.command, ...c.args])).toEqual(
      [4120, 4122].map((p) => [
        'nft',
        '--echo',
        '--handle',
        'insert',
        'rule',
        'inet',
        'f',
        'o',
        'ip',
        'daddr',
        MANAGER,
        'tcp',
        'dport',
        String(p),
        'accept',
        'comment',
        `"dsa-setup/out/tcp/${MANAGER}/${p}"`,
      ]),
    );
    expect(fwStep.notes.map((n) => n.key)).toContain('prep.fw.note.runtimeOnly');

    const apply = await cli(['apply', ...planArgs, '--yes', '--json']);
    expect(apply.exitCode, apply.stderr + apply.stdout).toBe(0);
    expect(JSON.parse(apply.stdout)).toMatchObject({
      ok: true,
      steps: [{ id: 'firewall', status: 'applied', verified: true }],
    });
    expect(await probe(4120)).toBe('connected');
    expect(await probe(4122)).toBe('connected');
    expect(await probe(4119)).toBe('timeout'); // only the manager ports were opened
    const journal = readFileSync(
      join(work, 'varlib/dsa-setup/runs', JSON.parse(apply.stdout).runId, 'events.jsonl'),
      'utf8',
    );
    expect(journal).toMatch(/"revert":\{"command":"nft","args":\["delete","rule","inet","f","o","handle","\d+"\]/);

    const again = await cli(['apply', ...planArgs, '--yes', '--json']);
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ runId: null });
    const ruleset = await nsRun(['nft', 'list', 'ruleset']);
    expect(String(ruleset.stdout).match(/dsa-setup\/out/g)).toHaveLength(2);

    const revert = await cli(['revert', '--yes', '--json']);
    expect(revert.exitCode, revert.stderr).toBe(0);
    expect(await probe(4120)).toBe('timeout');
    expect(String((await nsRun(['nft', 'list', 'ruleset'])).stdout)).not.toContain('dsa-setup');
  });

  it('a reviewed plan applied after the firewall changed is refused as stale, naming the action; nothing changes', async () => {
    const planFile = join(work, 'firewall-plan.json');
    const planArgs = ['--open-firewall', '--firewall-allow', `${MANAGER}:4120`, `${MANAGER}:4122`];
    const plan = await cli(['plan', ...planArgs, '--out', planFile]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    // Someone opens 4120 by hand between review and apply: the reviewed insert for 4120 is no longer what runs.
    await nsRun(['nft', 'insert', 'rule', 'inet', 'f', 'o', 'ip', 'daddr', MANAGER, 'tcp', 'dport', '4120', 'accept']);
    const before = String((await nsRun(['nft', 'list', 'ruleset'])).stdout);
    const apply = await cli(['apply', '--plan', planFile, '--yes']);
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr).toContain(
      'the reviewed plan no longer matches this system: the action [firewall] nft --echo --handle insert rule inet f o ip daddr 192.0.2.10 tcp dport 4120',
    );
    expect(String((await nsRun(['nft', 'list', 'ruleset'])).stdout)).toBe(before);
    expect(await probe(4122)).toBe('timeout'); // nothing of the stale plan ran
    await nsRun(['nft', 'flush', 'ruleset']);
    await execa('ip', ['netns', 'exec', NS, 'nft', '-f', '-'], { input: RULESET });
  });
});
