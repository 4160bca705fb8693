import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { inMountNamespace } from '../helpers/mountNamespace.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';

// The preparation steps under faults the admin's own machine causes: the file system holding the run journals
// full, or out of inodes. Each runs in a private mount namespace (unshare -m) on a tmpfs made there.

afterAll(cleanupRoots);

const DROPIN = 'etc/sysctl.d/90-dsa-setup-disable-ipv6.conf';

/** An EL8 root whose IPv6 is on, with the sysctl tools answering as they do when they succeed. */
function el8Root(files: Record<string, string> = {}): string {
  const root = makeRoot({
    ...OS_RELEASE.el8,
    files: {
      'etc/sysctl.conf': 'kernel.sysrq = 16\n',
      'proc/sys/net/ipv6/conf/all/disable_ipv6': '0\n',
      'proc/sys/net/ipv6/conf/default/disable_ipv6': '0\n',
      'proc/sys/net/ipv6/conf/lo/disable_ipv6': '0\n',
      ...files,
    },
    replies: [
      { command: 'sysctl', args: ['--system'], stdout: `* Applying /${DROPIN} ...\n` },
      { command: 'sysctl', args: ['-w'] },
      // The running values read back after revert's `sysctl -w` (IPv6 on again).
      { command: 'sysctl', args: ['-n'], stdout: '0\n0\n0\n' },
    ],
  });
  mkdirSync(join(root, 'var/lib/dsa-setup'), { recursive: true });
  return root;
}

/** Runs `apply --disable-ipv6` with /var/lib/dsa-setup on a tmpfs mounted with `options`, then lists that tmpfs. */
async function applyWithStateOn(root: string, options: string, fill: boolean) {
  const state = join(root, 'var/lib/dsa-setup');
  const r = await inMountNamespace(
    [
      'state="$1"; shift',
      `mount -t tmpfs -o ${options} tmpfs "$state"`,
      ...(fill ? ['dd if=/dev/zero of="$state/fill" bs=4k 2>/dev/null'] : []),
      '"$NODE" "$CLI" "$@"; echo "@@rc $?"',
      'find "$state" -type f ! -name fill | sort',
    ].join('; '),
    [state, 'apply', '--root', root, '--disable-ipv6', '--yes'],
  );
  const m = /@@rc (\d+)\n?([\s\S]*)$/.exec(r.stdout);
  return { code: m?.[1], files: (m?.[2] ?? '').split('\n').filter(Boolean), all: r.stdout + r.stderr };
}

describe('the file system holding the run journals cannot take more', () => {
  it('full before the run starts: exit 2 naming the lock file and the fix, no lock left behind, nothing written', async () => {
    const root = el8Root();
    const r = await applyWithStateOn(root, 'size=64k', true);
    expect(r.code, r.all).toBe('2');
    expect(r.all).toContain('no space left');
    expect(r.all).toContain('var/lib/dsa-setup/lock');
    expect(r.all).toMatch(/df -h \S*var\/lib\/dsa-setup/);
    expect(r.all).not.toMatch(/Internal error|refused to write -/);
    // An empty lock file would make the next job wait for nobody.
    expect(r.files).toEqual([]);
    expect(() => readFileSync(join(root, DROPIN))).toThrow(/ENOENT/);
  });

  it('no inode left for the backup of the file to change: exit 2 naming the backup, the file unchanged', async () => {
    const root = el8Root({ [DROPIN]: '# kept by the admin\n' });
    // The tmpfs root, the lock, runs/, the run, backups/, events.jsonl and plan.json: no inode for the backup.
    const r = await applyWithStateOn(root, 'nr_inodes=7', false);
    expect(r.code, r.all).toBe('2');
    expect(r.all).toMatch(/no space left[^\n]*backups\/001\.bak/);
    expect(r.all).not.toMatch(/Internal error/);
    expect(readFileSync(join(root, DROPIN), 'utf8')).toBe('# kept by the admin\n');
    // Nothing was touched: no revert to offer.
    expect(r.all).toContain('Nothing on this machine was changed by this run.');
    expect(r.all).not.toContain('can be undone');
    // The journal says the step failed, so `status` and revert know the run did nothing.
    const events = r.files.find((f) => f.endsWith('events.jsonl'));
    expect(events).toBeDefined();
  });
});

describe('the journal fills up between two steps', () => {
  it('the first step applied, the second refused before it touched anything: exit 2, the run named for revert, and revert undoes the first', async () => {
    const portal = join(import.meta.dirname, '../fixtures/inputs/VMSecurity_hosts_cln.txt');
    const root = el8Root({ [DROPIN]: '# kept by the admin\n', 'etc/hosts': '127.0.0.1 localhost\n' });
    const state = join(root, 'var/lib/dsa-setup');
    // Inodes for the tmpfs root, the lock, runs/, the run, backups/, events.jsonl, plan.json and one backup.
    const r = await inMountNamespace(
      [
        'state="$1"; root="$2"; shift 2',
        'mount -t tmpfs -o nr_inodes=8 tmpfs "$state"',
        '"$NODE" "$CLI" "$@"; echo "@@rc $?"',
        '"$NODE" "$CLI" revert --root "$root" --yes; echo "@@revert $?"',
      ].join('; '),
      [state, root, 'apply', '--root', root, '--hosts-file', portal, '--disable-ipv6', '--yes'],
    );
    const all = r.stdout + r.stderr;
    expect(all, all).toContain('@@rc 2');
    expect(all).toMatch(/\[hosts\] applied/);
    expect(all).toMatch(/no space left[^\n]*backups\/002\.bak/);
    expect(all).toMatch(/What was applied can be undone with: dsa-setup revert --run \S+/);
    expect(readFileSync(join(root, DROPIN), 'utf8')).toBe('# kept by the admin\n');
    expect(all).toContain('@@revert 0');
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe('127.0.0.1 localhost\n');
  });
});

describe('the run journals on a read-only mount', () => {
  it('exit 2 naming the mount to remount (not the lock file that could not be made), nothing written', async () => {
    const root = el8Root();
    const state = join(root, 'var/lib/dsa-setup');
    const r = await inMountNamespace(
      [
        'state="$1"; shift',
        'mount --bind "$state" "$state" && mount -o remount,bind,ro "$state"',
        '"$NODE" "$CLI" "$@"; echo "@@rc $?"',
      ].join('; '),
      [state, 'apply', '--root', root, '--disable-ipv6', '--yes'],
    );
    const all = r.stdout + r.stderr;
    expect(all, all).toContain('@@rc 2');
    expect(all).toContain(`${state}/lock is on a read-only file system (mounted at ${state})`);
    expect(all).toContain(`mount -o remount,rw ${state}\``);
    expect(() => readFileSync(join(root, DROPIN))).toThrow(/ENOENT/);
  });
});

describe("something in the way of the run's lock", () => {
  it('a directory where the lock file goes: exit 2 naming it and the fix, never "Internal error", nothing written', async () => {
    const root = el8Root();
    const lock = join(root, 'var/lib/dsa-setup/lock');
    mkdirSync(lock);
    const r = await runCli(['apply', '--root', root, '--disable-ipv6', '--yes'], {
      env: { DSA_SETUP_LOCK_WAIT_MS: '2000' },
    });
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(`${lock} is in the way of dsa-setup's lock: it is a directory or a link`);
    expect(r.stderr).toContain(`Move ${lock} aside`);
    expect(r.stderr).not.toMatch(/Internal error/);
    expect(() => readFileSync(join(root, DROPIN))).toThrow(/ENOENT/);
  });
});

describe('a read-only /etc', () => {
  it('revert cannot restore the file: exit 2 naming the mount and the fix, never "reverted"', async () => {
    const root = el8Root();
    writeFileSync(join(root, 'etc/marker'), 'x');
    const r = await inMountNamespace(
      [
        'root="$1"; shift',
        '"$NODE" "$CLI" apply --root "$root" --disable-ipv6 --yes >/dev/null; echo "@@apply $?"',
        'mount --bind "$root/etc" "$root/etc" && mount -o remount,bind,ro "$root/etc"',
        '"$NODE" "$CLI" revert --root "$root" --yes; echo "@@revert $?"',
        'cat "$root/etc/sysctl.d/90-dsa-setup-disable-ipv6.conf" | head -1',
      ].join('; '),
      [root],
    );
    const all = r.stdout + r.stderr;
    // The sandbox's /proc files do not change, so apply itself ends unconfirmed (exit 1): the file is written.
    expect(all).toMatch(/@@apply [01]\b/);
    expect(all, all).toContain('@@revert 2');
    expect(all).toMatch(/read-only file system/);
    expect(all).toMatch(/mount -o remount,rw/);
    expect(all).toMatch(
      /NOT fully reverted: could not restore or undo \/etc\/sysctl\.d\/90-dsa-setup-disable-ipv6\.conf\. /,
    );
    expect(all).not.toMatch(/Run \S+ reverted\./);
    expect(all).not.toMatch(/Internal error/);
  });
});

describe('configuration files of the system tree that are links or not what they should be', () => {
  it('a sysctl.d file linked to an absolute path is read inside the system tree, never from this machine', async () => {
    // A file on this machine only: an offline image's link must not make the plan show (or rewrite) it.
    const host = mkdtempSync(join(tmpdir(), `dsa-host-only-${process.pid}-`));
    try {
      writeFileSync(join(host, 'sysctl.conf'), 'net.ipv6.conf.all.disable_ipv6 = 0 # HOST-ONLY-LINE\n');
      const root = el8Root();
      mkdirSync(join(root, 'etc/sysctl.d'), { recursive: true });
      symlinkSync(join(host, 'sysctl.conf'), join(root, DROPIN));
      symlinkSync(join(host, 'sysctl.conf'), join(root, 'etc/sysctl.d/99-sysctl.conf'));
      const r = await runCli(['plan', '--root', root, '--disable-ipv6']);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain('HOST-ONLY-LINE');
      expect(r.stdout).toContain('/etc/sysctl.d/90-dsa-setup-disable-ipv6.conf (create)');
    } finally {
      rmSync(host, { recursive: true, force: true });
    }
  });

  it('a file where the sysctl.d directory should be: plan exits 2 naming it, not an empty directory', async () => {
    const root = el8Root({ 'usr/lib/sysctl.d': 'not a directory\n' });
    const r = await runCli(['plan', '--root', root, '--disable-ipv6']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(`${join(root, 'usr/lib/sysctl.d')} is a file where a directory is expected (ENOTDIR)`);
    expect(r.stderr).not.toMatch(/Internal error/);
  });
});
