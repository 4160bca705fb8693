import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { inMountNamespace } from '../helpers/mountNamespace.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';

// Hosts files as they are on real machines: a symlink, a bind mount (containers), extended attributes and an
// ACL, UTF-16 from Notepad, an immutable file, a directory, a read-only mount. The CLI runs against --root
// sandboxes; what needs a mount runs inside a private mount namespace (unshare -m), never on this machine's
// own files.

const FIX = join(import.meta.dirname, '../fixtures/inputs');
const PORTAL = join(FIX, 'VMSecurity_hosts_cln.txt');
const ORIGINAL = '127.0.0.1\tlocalhost\n10.0.0.9 dsm01.vmsecurity.example.jp intranet\n';
const scratch = mkdtempSync(join(tmpdir(), `dsa-hosts-files-${process.pid}-`));
afterAll(() => {
  cleanupRoots();
  rmSync(scratch, { recursive: true, force: true });
});

/** `apply --root ROOT --hosts-file PORTAL --yes`. */
const applyArgs = (root: string): string[] => ['apply', '--root', root, '--hosts-file', PORTAL, '--yes'];

const noTempFiles = (dir: string): void =>
  expect(readdirSync(dir).filter((f) => f.includes('.dsa-setup-'))).toEqual([]);

describe('hosts file as a symbolic link', () => {
  for (const kind of ['relative', 'absolute (inside the root)'] as const) {
    it(`edits the target and keeps the ${kind} link; revert restores the target`, async () => {
      const root = makeRoot({ ...OS_RELEASE.el9, files: { 'etc/hosts.real': ORIGINAL } });
      const link = join(root, 'etc/hosts');
      symlinkSync(kind === 'relative' ? 'hosts.real' : '/etc/hosts.real', link);

      const apply = await runCli(applyArgs(root));
      expect(apply.exitCode, apply.stderr).toBe(0);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readlinkSync(link)).toBe(kind === 'relative' ? 'hosts.real' : '/etc/hosts.real');
      const applied = readFileSync(join(root, 'etc/hosts.real'), 'utf8');
      expect(applied).toContain('203.0.113.10\tdsm01.vmsecurity.example.jp');
      expect(applied).toContain('#dsa-setup-shadowed# 10.0.0.9 dsm01.vmsecurity.example.jp intranet');
      if (kind !== 'relative') expect(existsSync('/etc/hosts.real')).toBe(false); // never this machine's /etc
      noTempFiles(join(root, 'etc'));

      const revert = await runCli(['revert', '--root', root, '--yes']);
      expect(revert.exitCode, revert.stderr).toBe(0);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readFileSync(join(root, 'etc/hosts.real'), 'utf8')).toBe(ORIGINAL);
    });
  }

  it('a link leading out of the --root tree is refused (exit 2), nothing read or written outside', async () => {
    const outside = join(scratch, 'outside-hosts');
    writeFileSync(outside, ORIGINAL);
    const root = makeRoot({ ...OS_RELEASE.el9 });
    symlinkSync(`../../../../../../../..${outside}`, join(root, 'etc/hosts'));
    const r = await runCli(applyArgs(root));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/outside the system tree/);
    expect(readFileSync(outside, 'utf8')).toBe(ORIGINAL);
  });
});

describe('extended attributes and POSIX ACLs', () => {
  it('a user xattr and an ACL survive apply and revert (getfattr / getfacl)', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: ORIGINAL });
    const hosts = join(root, 'etc/hosts');
    await execa('setfattr', ['-n', 'user.dsa-test', '-v', 'keep-me', hosts]);
    await execa('setfacl', ['-m', 'u:nobody:r', hosts]);
    const attrs = async (): Promise<{ xattr: string; acl: string }> => ({
      xattr: String((await execa('getfattr', ['--absolute-names', '-n', 'user.dsa-test', hosts])).stdout),
      acl: String((await execa('getfacl', ['-c', '--absolute-names', hosts])).stdout),
    });
    const apply = await runCli(applyArgs(root));
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(readFileSync(hosts, 'utf8')).toContain('# >>> dsa-setup');
    let a = await attrs();
    expect(a.xattr).toContain('user.dsa-test="keep-me"');
    expect(a.acl).toContain('user:nobody:r--');

    const revert = await runCli(['revert', '--root', root, '--yes']);
    expect(revert.exitCode, revert.stderr).toBe(0);
    expect(readFileSync(hosts, 'utf8')).toBe(ORIGINAL);
    a = await attrs();
    expect(a.xattr).toContain('user.dsa-test="keep-me"');
    expect(a.acl).toContain('user:nobody:r--');
  });
});

describe('a bind-mounted hosts file (containers)', () => {
  it('the rename is refused (EBUSY): written in place and said so; revert writes the original back', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: '' });
    const source = join(scratch, `bind-source-${process.pid}`);
    writeFileSync(source, ORIGINAL);
    const script = 'mount --bind "$1" "$2" && shift 2 && "$NODE" "$CLI" "$@"';
    const apply = await inMountNamespace(script, [source, join(root, 'etc/hosts'), ...applyArgs(root)]);
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(apply.stderr + apply.stdout).toMatch(/could not be replaced by a rename \(EBUSY.*written in place/);
    expect(readFileSync(source, 'utf8')).toContain('203.0.113.10\tdsm01.vmsecurity.example.jp');
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe(''); // the mount point itself never changed
    noTempFiles(join(root, 'etc'));

    const revert = await inMountNamespace(script, [source, join(root, 'etc/hosts'), 'revert', '--root', root, '--yes']);
    expect(revert.exitCode, revert.stderr).toBe(0);
    expect(readFileSync(source, 'utf8')).toBe(ORIGINAL);
  });

  it('a read-only bind mount: exit 2 naming the remount, nothing written', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: '' });
    const source = join(scratch, `ro-source-${process.pid}`);
    writeFileSync(source, ORIGINAL);
    const r = await inMountNamespace(
      'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" && shift 2 && "$NODE" "$CLI" "$@"',
      [source, join(root, 'etc/hosts'), ...applyArgs(root)],
    );
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/read-only file system/);
    expect(r.stderr).toMatch(/mount -o remount,bind,rw \S*etc\/hosts/);
    expect(r.stderr).not.toMatch(/Internal error/);
    expect(readFileSync(source, 'utf8')).toBe(ORIGINAL);
    noTempFiles(join(root, 'etc'));
  });

  it('a read-only /etc: exit 2, nothing written', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: ORIGINAL });
    const etc = join(root, 'etc');
    const r = await inMountNamespace(
      'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && "$NODE" "$CLI" "$@"',
      [etc, ...applyArgs(root)],
    );
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/read-only file system/);
    expect(readFileSync(join(etc, 'hosts'), 'utf8')).toBe(ORIGINAL);
  });
});

describe('hosts files the tool cannot change', () => {
  it('a full file system met during the write itself: exit 2 naming it, the file as it was, no temp file left', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: ORIGINAL });
    const etc = join(root, 'etc');
    const keep = join(scratch, `etc-copy-${process.pid}`);
    mkdirSync(keep, { recursive: true });
    // /etc becomes a 256 KiB tmpfs holding the same files, then filled up: the temp file cannot be written.
    const r = await inMountNamespace(
      [
        'etc="$1"; keep="$2"; shift 2',
        'cp -a "$etc/." "$keep"',
        'mount -t tmpfs -o size=256k tmpfs "$etc"',
        'cp -a "$keep/." "$etc"',
        'dd if=/dev/zero of="$etc/fill" bs=4k 2>/dev/null',
        '"$NODE" "$CLI" "$@"; echo "@@rc $?"',
        'cat "$etc/hosts"; echo "@@files"; ls -a "$etc"',
      ].join('; '),
      [etc, keep, ...applyArgs(root)],
    );
    const [, tail] = r.stdout.split('@@rc ');
    const code = tail!.slice(0, tail!.indexOf('\n'));
    const [hosts, files] = tail!.slice(tail!.indexOf('\n') + 1).split('@@files\n');
    expect(code, r.stderr).toBe('2');
    expect(r.stdout + r.stderr).toMatch(/no space left|disk is full|ENOSPC/i);
    expect(r.stdout + r.stderr).not.toMatch(/Internal error/);
    expect(hosts).toBe(ORIGINAL);
    expect(files!.split('\n').filter((f) => f.includes('.dsa-setup-'))).toEqual([]);
  });

  it('a directory: plan and apply exit 2 naming it, nothing written', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9 });
    mkdirSync(join(root, 'etc/hosts'));
    for (const cmd of [['plan'], ['apply', '--yes']]) {
      const r = await runCli([...cmd, '--root', root, '--hosts-file', PORTAL]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/etc\/hosts is a directory, not a file/);
      expect(r.stderr).not.toMatch(/Internal error/);
    }
    expect(readdirSync(join(root, 'etc/hosts'))).toEqual([]);
  });

  it('chattr +i on ext4 (a loop device): exit 2 with `chattr -i`, nothing written', async (ctx) => {
    const img = join(scratch, `ext4-${process.pid}.img`);
    const mnt = join(scratch, `ext4-${process.pid}`);
    mkdirSync(mnt, { recursive: true });
    await execa('truncate', ['-s', '16M', img]);
    const mkfs = await execa('mkfs.ext4', ['-q', '-F', img], { reject: false });
    const probe = await inMountNamespace('mount -o loop "$1" "$2"', [img, mnt]);
    if (mkfs.exitCode !== 0 || probe.exitCode !== 0) {
      ctx.skip(`no ext4 loop mount on this machine: ${String(mkfs.stderr) || probe.stderr}`);
      return;
    }
    const r = await inMountNamespace(
      [
        'mount -o loop "$1" "$2" || exit 90',
        'mkdir -p "$2/etc"',
        'printf "%s" "$3" > "$2/etc/hosts"',
        `printf 'ID=rhel\\nVERSION_ID="9.4"\\n' > "$2/etc/os-release"`,
        'chattr +i "$2/etc/hosts"',
        '"$NODE" "$CLI" apply --root "$2" --hosts-file "$4" --yes; rc=$?',
        'echo "@@after"; cat "$2/etc/hosts"; echo "@@files"; ls -a "$2/etc"',
        'chattr -i "$2/etc/hosts"; exit $rc',
      ].join('\n'),
      [img, mnt, ORIGINAL, PORTAL],
    );
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/immutable \(chattr \+i\)/);
    expect(r.stderr).toContain(`chattr -i ${mnt}/etc/hosts`);
    const [, after, files] = r.stdout.split(/@@after\n|@@files\n/);
    expect(after).toBe(ORIGINAL);
    expect(files).not.toMatch(/dsa-setup-/);
  });
});

describe('UTF-16 hosts files (Notepad "Unicode")', () => {
  const utf16 = (text: string, be = false): Buffer => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    return be ? Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]) : le;
  };
  const TEXT = '127.0.0.1 localhost\r\n# 社内\r\n10.0.0.9 dsm01.vmsecurity.example.jp\r\n';

  it('UTF-16LE on Windows: plan refuses with exit 2 explaining why; the file is untouched', async () => {
    const before = utf16(TEXT);
    const root = makeRoot({ windows: true, hosts: before });
    const r = await runCli(['plan', '--root', root, '--hosts-file', PORTAL]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/saved as UTF-16LE.*does not read such a file/);
    expect(r.stderr).toContain('--rewrite-utf16-hosts');
    const apply = await runCli(applyArgs(root));
    expect(apply.exitCode).toBe(2);
    expect(readFileSync(join(root, 'Windows/System32/drivers/etc/hosts')).equals(before)).toBe(true);
  });

  it('with --rewrite-utf16-hosts: the whole file becomes UTF-8 (no mixed encodings), revert brings UTF-16 back', async () => {
    for (const be of [false, true]) {
      const before = utf16(TEXT, be);
      const root = makeRoot({ windows: true, hosts: before });
      const file = join(root, 'Windows/System32/drivers/etc/hosts');
      const plan = await runCliJson<{ steps: { notes: { key: string }[] }[] }>([
        'plan',
        '--root',
        root,
        '--hosts-file',
        PORTAL,
        '--rewrite-utf16-hosts',
      ]);
      expect(plan.exitCode, plan.stderr).toBe(0);
      expect(plan.json.steps[0]!.notes.map((n) => n.key)).toContain('steps.hosts.rewriteUtf16');
      const apply = await runCli(['apply', '--root', root, '--hosts-file', PORTAL, '--rewrite-utf16-hosts', '--yes']);
      expect(apply.exitCode, apply.stderr).toBe(0);
      const after = readFileSync(file);
      expect(after.includes(0)).toBe(false);
      const text = after.toString('utf8');
      expect(text.startsWith('127.0.0.1 localhost\r\n# 社内\r\n#dsa-setup-shadowed# 10.0.0.9 dsm01')).toBe(true);
      expect(text).toContain('203.0.113.10\tdsm01.vmsecurity.example.jp dsm01\r\n');
      const revert = await runCli(['revert', '--root', root, '--yes']);
      expect(revert.exitCode, revert.stderr).toBe(0);
      expect(readFileSync(file).equals(before)).toBe(true);
    }
  });

  it('the doctor flags a UTF-16 hosts file even when it holds the right lines', async () => {
    const root = makeRoot({
      windows: true,
      hosts: utf16('203.0.113.10 dsm01.vmsecurity.example.jp dsm01\r\n203.0.113.11 relay01.vmsecurity.example.jp\r\n'),
    });
    const r = await runCliJson<{ checks: { id: string; status: string; detail: string; remedy: string }[] }>(
      ['doctor', '--root', root, '--hosts-file', PORTAL],
      { timeoutMs: 120_000 },
    );
    const check = r.json.checks.find((c) => c.id === 'hosts.entries')!;
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(/saved as UTF-16LE.*ignores the whole file/);
    expect(check.remedy).toContain('--rewrite-utf16-hosts');
  });
});

describe('what the system resolver answers after apply (live, inside a private namespace)', () => {
  it('a trailing-dot portal line: the name is written without the dot and getent answers the portal address', async () => {
    const dir = mkdtempSync(join(scratch, 'live-'));
    const hosts = join(dir, 'hosts');
    writeFileSync(hosts, ORIGINAL);
    const portal = join(dir, 'VMSecurity_hosts_cln.txt');
    writeFileSync(portal, '203.0.113.10 dsm01.vmsecurity.example.jp.\r\n');
    writeFileSync(join(dir, 'nsswitch.conf'), 'hosts: files\n');
    writeFileSync(join(dir, 'host.conf'), 'multi on\n');
    mkdirSync(join(dir, 'upper'));
    mkdirSync(join(dir, 'work'));
    // /var/lib gets an overlay so the run's journal stays in the scratch directory; /etc/hosts, host.conf and
    // nsswitch.conf are bind mounts of scratch files: apply writes the hosts file in place (EBUSY).
    const r = await inMountNamespace(
      [
        'd="$1"',
        'mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$d/upper,workdir=$d/work" /var/lib',
        'mount --bind "$d/hosts" /etc/hosts',
        'mount --bind "$d/host.conf" /etc/host.conf',
        'mount --bind "$d/nsswitch.conf" /etc/nsswitch.conf',
        'echo "@@before"; getent ahosts dsm01.vmsecurity.example.jp',
        '"$NODE" "$CLI" apply --hosts-file "$d/VMSecurity_hosts_cln.txt" --yes --json; echo "@@rc $?"',
        'echo "@@after"; getent hosts dsm01.vmsecurity.example.jp; getent ahosts dsm01.vmsecurity.example.jp',
      ].join('\n'),
      [dir],
      { network: false },
    );
    const [, before, applied, after] = r.stdout.split(/@@before\n|@@rc |@@after\n/);
    expect(before).toMatch(/^10\.0\.0\.9\s/);
    expect(applied!.trim().split('\n')[0], r.stderr).toBe('0');
    const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'), r.stdout.lastIndexOf('}') + 1)) as {
      steps: { id: string; verified?: boolean }[];
    };
    expect(json.steps.find((s) => s.id === 'hosts')!.verified).toBe(true);
    const answers = new Set(
      after!
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]),
    );
    expect([...answers]).toEqual(['203.0.113.10']);
    const text = readFileSync(hosts, 'utf8');
    expect(text).toContain('203.0.113.10\tdsm01.vmsecurity.example.jp\n');
    expect(text).not.toContain('dsm01.vmsecurity.example.jp.');
    expect(readdirSync(join(dir, 'upper'))).toContain('dsa-setup'); // the journal landed in the overlay
  });
});

describe('files glibc reads differently from how they look: after apply, glibc answers the portal address', () => {
  const files: Record<string, string> = {
    'CR-only line ends': '127.0.0.1 localhost\r10.0.0.9 dsm01.vmsecurity.example.jp\r',
    'a stray CR': '127.0.0.1 localhost\n10.0.0.9\rdsm01.vmsecurity.example.jp\n',
    'a NUL': '127.0.0.1 localhost\0 junk\n10.0.0.9 dsm01.vmsecurity.example.jp\n',
    'a UTF-8 BOM': '\ufeff10.0.0.9 other\n10.0.0.9 dsm01.vmsecurity.example.jp\n',
    'leading blanks on a last line without newline': '127.0.0.1 localhost\n  10.0.0.9 dsm01.vmsecurity.example.jp',
  };
  for (const [what, text] of Object.entries(files)) {
    it(what, async () => {
      const root = makeRoot({ ...OS_RELEASE.el9, hosts: text, files: { 'etc/host.conf': 'multi on\n' } });
      const apply = await runCliJson<{ steps: { id: string; verified?: boolean }[] }>(applyArgs(root));
      expect(apply.exitCode, apply.stderr).toBe(0);
      expect(apply.json.steps[0]!.verified).toBe(true);
      writeFileSync(join(scratch, `nss-${process.pid}`), 'hosts: files\n');
      const r = await inMountNamespace(
        'mount --bind "$1/etc/hosts" /etc/hosts && mount --bind "$1/etc/host.conf" /etc/host.conf && ' +
          'mount --bind "$2" /etc/nsswitch.conf && getent hosts dsm01.vmsecurity.example.jp; ' +
          'getent ahosts dsm01.vmsecurity.example.jp',
        [root, join(scratch, `nss-${process.pid}`)],
        { network: false },
      );
      const answers = new Set(
        r.stdout
          .trim()
          .split('\n')
          .map((l) => l.split(/\s+/)[0]),
      );
      expect([...answers]).toEqual(['203.0.113.10']);
    });
  }
});
