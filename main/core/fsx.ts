import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, constants as fsc, existsSync, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { dirname, basename, isAbsolute, join, resolve, sep } from 'node:path';
import { fail, DsaError, ExitCode } from './errors.js';
import { execCommand } from './exec.js';
import { msg, type Message } from './message.js';

/** sha256 of bytes, hex. */
export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The marker in the name of every temp file atomicWrite makes (`.hosts.dsa-setup-XXXX.tmp`), for clean-up. */
export const TEMP_MARK = '.dsa-setup-';

/** Whether an error is one the operating system raised (ENOENT, EACCES, …), as opposed to a bug. */
function isSystemError(e: unknown): e is NodeJS.ErrnoException & { code: string } {
  return (
    e instanceof Error &&
    typeof (e as NodeJS.ErrnoException).code === 'string' &&
    /^E[A-Z0-9]+$/.test((e as NodeJS.ErrnoException).code!)
  );
}

/**
 * The mount point holding a path (for a remount remedy), asked of its nearest existing directory (a file that could
 * not be created does not exist), or the path itself when findmnt cannot tell.
 */
async function mountPointOf(path: string): Promise<string> {
  if (process.platform === 'win32') return path;
  let at = path;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  const r = await execCommand('findmnt', ['-n', '-o', 'TARGET', '-T', at], { timeoutMs: 5000 });
  return r.exitCode === 0 && r.stdout.trim() ? r.stdout.trim().split('\n')[0]! : path;
}

/** The chattr flags that forbid changing a file: `i` (immutable) or `a` (append only), or ''. */
async function lockedFlag(path: string): Promise<'i' | 'a' | ''> {
  if (process.platform === 'win32') return '';
  const r = await execCommand('lsattr', ['-d', path], { timeoutMs: 5000 });
  const flags = r.exitCode === 0 ? (r.stdout.trim().split(/\s+/)[0] ?? '') : '';
  return flags.includes('i') ? 'i' : flags.includes('a') ? 'a' : '';
}

const WIN = process.platform === 'win32';

/**
 * Turns an error the operating system raised while reading or writing `path` into a DsaError (exit 2) that
 * names the cause and the fix: immutable or append-only (chattr), read-only file system (remount), a
 * directory, no space, a symlink loop, no permission, and every other OS error by its code. Anything else
 * (a bug) is returned unchanged.
 */
export async function fileSystemError(e: unknown, path: string, op: 'read' | 'write'): Promise<unknown> {
  if (e instanceof DsaError || !isSystemError(e)) return e;
  const code = e.code;
  const dir = dirname(path);
  const make = (key: string, extra: Record<string, string> = {}, remedy = `${key}Remedy`): DsaError => {
    const params = { path, dir, code, op, ...extra };
    return fail(`fs.${code}`, msg(key, params), { remedy: msg(remedy, params), exit: ExitCode.badInput, cause: e });
  };
  switch (code) {
    case 'EPERM':
    case 'EACCES': {
      const flag = await lockedFlag(path).catch(() => '' as const);
      if (flag === 'i') return make('fsx.immutable');
      if (flag === 'a') return make('fsx.appendOnly');
      return make('fsx.denied', {}, WIN ? 'fsx.deniedRemedyWindows' : 'fsx.deniedRemedy');
    }
    case 'EROFS':
      return make('fsx.readOnly', { mount: await mountPointOf(path).catch(() => path) });
    case 'EISDIR':
      return make('fsx.isDirectory');
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
      return make('fsx.noSpace');
    case 'ENOTDIR':
      return make('fsx.notDirectory');
    case 'ELOOP':
      return make('fsx.loop');
    case 'EBUSY':
    case 'ETXTBSY':
      return make('fsx.busy', {}, WIN ? 'fsx.busyRemedyWindows' : 'fsx.busyRemedy');
    default:
      return make('fsx.osError', { detail: e.message.slice(0, 200) });
  }
}

/** Whether an OS error's system call read (stat, readdir…) rather than wrote. */
const READ_CALLS = new Set(['read', 'stat', 'lstat', 'scandir', 'readlink', 'access', 'opendir']);

/**
 * An OS error met outside any one file operation (the run's journal, the lock, a step's read) as the DsaError
 * `fileSystemError` gives: exit 2, naming the file (`e.path`, else `fallback`) and the fix. Anything else is
 * returned unchanged.
 */
export async function osFailure(e: unknown, fallback: string): Promise<unknown> {
  if (e instanceof DsaError || !isSystemError(e)) return e;
  const op = READ_CALLS.has(e.syscall ?? '') ? 'read' : 'write';
  return fileSystemError(e, e.path ?? fallback, op);
}

/** Runs a synchronous file operation on `path`, naming it in the OS error when the call did not (write, fsync). */
export function onPath<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isSystemError(e) && !e.path) e.path = path;
    throw e;
  }
}

/** Flags to open a file for reading without waiting on it (a named pipe with no writer) or taking it as a terminal. */
export const OPEN_READ_NONBLOCKING = fsc.O_RDONLY | (fsc.O_NONBLOCK ?? 0) | (fsc.O_NOCTTY ?? 0);

/** What a file that is neither regular nor a directory is: a named pipe, a socket or a device. */
export function specialFileKind(st: Stats): 'pipe' | 'socket' | 'device' {
  return st.isFIFO() ? 'pipe' : st.isSocket() ? 'socket' : 'device';
}

/**
 * Opens a file to read without waiting on it, and only a regular file: a named pipe with no writer would block
 * the open for ever (and a blocked open holds even `process.exit`), a device such as /dev/zero never ends. A
 * directory is EISDIR; a pipe, a device or a socket is a DsaError naming what it is (exit 2).
 */
async function openRegular(path: string, shown: string): Promise<FileHandle> {
  const fh = await fs.open(path, OPEN_READ_NONBLOCKING);
  try {
    const st = await fh.stat();
    if (st.isFile()) return fh;
    if (st.isDirectory())
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), { code: 'EISDIR' });
    const params = { path: shown, kind: msg(`fsx.kind.${specialFileKind(st)}`) };
    throw fail('fs.notRegular', msg('fsx.notRegular', params), {
      remedy: msg('fsx.notRegularRemedy', params),
      exit: ExitCode.badInput,
    });
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/**
 * Reads a file, or null when it does not exist; any other OS error is a DsaError naming the cause (exit 2).
 * With `root` (a system tree at `--root`), symbolic links are followed inside that tree.
 */
export async function readIfExists(path: string, opts: { root?: string } = {}): Promise<Buffer | null> {
  try {
    const fh = await openRegular(opts.root ? await resolveLinkTarget(path, opts.root) : path, path);
    try {
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw await fileSystemError(e, path, 'read');
  }
}

/**
 * The sha256 of a file as it is on disk now, read in chunks (no copy of a large file is held), or null when
 * it does not exist. Follows links like `readIfExists`.
 */
export async function sha256OfFile(path: string, opts: { root?: string } = {}): Promise<string | null> {
  try {
    const hash = createHash('sha256');
    const fh = await openRegular(opts.root ? await resolveLinkTarget(path, opts.root) : path, path);
    await pipeline(fh.createReadStream(), hash);
    return hash.digest('hex');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw await fileSystemError(e, path, 'read');
  }
}

/**
 * The file a path writes to: the end of its chain of symbolic links (relative links resolve against the
 * link's directory), or the path itself. A link to a file that does not exist yet gives that file's path.
 * Under a system tree (`root` other than `/`), an absolute link target is a path of that tree, and a link
 * leading out of the tree is refused (exit 2): an offline image never makes us write this machine's files.
 */
export async function resolveLinkTarget(path: string, root = '/'): Promise<string> {
  const top = resolve(root);
  let cur = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    const st = await fs.lstat(cur).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    if (!st?.isSymbolicLink()) return cur;
    const link = await fs.readlink(cur);
    cur = isAbsolute(link) ? join(top, link.replace(/^[A-Za-z]:/, '')) : resolve(dirname(cur), link);
    if (cur !== top && !cur.startsWith(top.endsWith(sep) ? top : top + sep)) {
      throw fail('fs.linkOutsideRoot', msg('fsx.linkOutsideRoot', { path, target: link.slice(0, 200), root: top }), {
        remedy: msg('fsx.linkOutsideRootRemedy', { root: top }),
        exit: ExitCode.badInput,
      });
    }
  }
  throw Object.assign(new Error(`too many levels of symbolic links: ${path}`), { code: 'ELOOP', syscall: 'open' });
}

const selinuxEnabled = (): boolean => process.platform === 'linux' && existsSync('/sys/fs/selinux/enforce');

/**
 * Copies extended attributes (user.*, trusted.*, the SELinux label security.selinux, the POSIX ACL
 * system.posix_acl_access) from one file to another: getfattr/setfattr (Debian and RHEL package `attr`),
 * else GNU cp --attributes-only. Returns a note when they could not be copied, else null.
 */
export async function copyAttributes(from: string, to: string): Promise<Message | null> {
  if (process.platform !== 'linux') return null;
  const dump = await execCommand('getfattr', ['--absolute-names', '-d', '-m', '-', '-e', 'base64', from], {
    timeoutMs: 10_000,
  });
  if (dump.exitCode === 0) {
    const failed: string[] = [];
    for (const line of dump.stdout.split('\n')) {
      const eq = line.indexOf('=');
      if (line.startsWith('#') || eq <= 0) continue;
      const name = line.slice(0, eq);
      const r = await execCommand('setfattr', ['-n', name, '-v', line.slice(eq + 1), to], { timeoutMs: 10_000 });
      if (r.exitCode !== 0) failed.push(name);
    }
    return failed.length ? msg('fsx.attributesNotKept', { path: from, names: failed.join(', ') }) : null;
  }
  const preserve = ['mode', 'ownership', 'xattr', ...(selinuxEnabled() ? ['context'] : [])].join(',');
  const cp = await execCommand('cp', ['--attributes-only', `--preserve=${preserve}`, from, to], { timeoutMs: 10_000 });
  if (cp.exitCode === 0) return null;
  const why = dump.notFound && cp.notFound ? 'getfattr, cp: not installed' : dump.stderr || cp.stderr;
  return msg('fsx.attributesNotKept', { path: from, names: why.trim().slice(0, 200) });
}

/**
 * Refuses early (exit 2, the same message a write would give) when a file cannot be replaced whatever the
 * user's rights: a read-only file system or mount, an immutable or append-only file, a directory. Permission
 * (EACCES) is left to the write: a plan may run without administrator rights.
 */
export async function assertReplaceable(path: string, root = '/'): Promise<void> {
  let target = path;
  try {
    target = await resolveLinkTarget(path, root);
    const st = await fs.stat(target).catch(() => null);
    if (st?.isDirectory()) {
      throw Object.assign(new Error(`is a directory: ${target}`), { code: 'EISDIR', syscall: 'open' });
    }
    for (const p of st ? [target, dirname(target)] : [dirname(target)]) {
      await fs.access(p, fsc.W_OK).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EROFS' || e.code === 'EPERM') throw e;
      });
    }
  } catch (e) {
    throw await fileSystemError(e, target, 'write');
  }
}

export interface WriteOptions {
  /** The system tree the path belongs to (`--root`): symbolic links are followed inside it. */
  root?: string;
  /** Keep this mode/owner (defaults to the existing file's, else 0644). */
  mode?: number;
  uid?: number;
  gid?: number;
}

/** What atomicWrite did. */
export interface WriteOutcome {
  /** The file written: the path itself, or the end of its symlink chain (the link is kept). */
  path: string;
  /** Written in place because the rename was refused (a bind mount: EBUSY; another file system: EXDEV). */
  inPlace: boolean;
  /** Things the caller shows the user (the in-place write, attributes that could not be kept). */
  notes: Message[];
}

/** Overwrites a file's bytes in place (same inode: keeps a bind mount, attributes, links), then fsyncs it. */
async function writeInPlace(path: string, data: Buffer): Promise<void> {
  const fh = await fs.open(path, fsc.O_WRONLY);
  try {
    await fh.write(data, 0, data.length, 0);
    await fh.truncate(data.length);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function fsyncDir(dir: string): Promise<void> {
  if (WIN) return;
  const fh = await fs.open(dir, fsc.O_RDONLY).catch(() => null);
  await fh
    ?.sync()
    .catch(() => undefined)
    .finally(() => fh.close());
}

/**
 * Writes a file atomically: a temp file next to the file it replaces (a symlink is followed to its target,
 * and the link is kept), mode, owner, extended attributes, ACL and SELinux label copied onto it, fsync, then
 * rename over the target. When the rename is refused (EBUSY for a bind-mounted file, EXDEV) the bytes are
 * written in place instead and a note says so. An OS error a user can cause (immutable, read-only, a
 * directory, no space…) is a DsaError (exit 2) naming the cause and the fix, and the file is left unchanged.
 * On Windows a read-only attribute is cleared for the rename and set again afterwards.
 */
export async function atomicWrite(path: string, data: Buffer | string, opts: WriteOptions = {}): Promise<WriteOutcome> {
  let target = path;
  try {
    target = await resolveLinkTarget(path, opts.root);
    return await replaceFile(target, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, opts);
  } catch (e) {
    throw await fileSystemError(e, target, 'write');
  }
}

async function replaceFile(target: string, bytes: Buffer, opts: WriteOptions): Promise<WriteOutcome> {
  const dir = dirname(target);
  const existing = await fs.stat(target).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (existing?.isDirectory()) {
    throw Object.assign(new Error(`is a directory: ${target}`), { code: 'EISDIR', syscall: 'open' });
  }
  const notes: Message[] = [];
  const mode = opts.mode ?? (existing ? existing.mode & 0o7777 : 0o644);
  const tmp = join(dir, `.${basename(target)}${TEMP_MARK}${randomBytes(6).toString('hex')}.tmp`);
  const wasReadOnly = WIN && existing !== null && (existing.mode & 0o200) === 0;
  const fh = await fs.open(tmp, fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY, mode);
  let renamed = false;
  try {
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.chmod(tmp, mode);
    const uid = opts.uid ?? existing?.uid;
    const gid = opts.gid ?? existing?.gid;
    if (!WIN && uid !== undefined && gid !== undefined && process.getuid?.() === 0) await fs.chown(tmp, uid, gid);
    if (existing) {
      const note = await copyAttributes(target, tmp);
      if (note) notes.push(note);
    }
    if (wasReadOnly) await fs.chmod(target, mode | 0o200);
    try {
      await fs.rename(tmp, target);
      renamed = true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (!existing || (code !== 'EBUSY' && code !== 'EXDEV')) throw e;
      await writeInPlace(target, bytes);
      notes.push(msg('fsx.inPlace', { path: target, code: code! }));
    }
    if (wasReadOnly) await fs.chmod(target, mode & ~0o222);
    await fsyncDir(dir);
  } finally {
    if (!renamed) await fs.rm(tmp, { force: true });
  }
  return { path: target, inPlace: notes.some((n) => n.key === 'fsx.inPlace'), notes };
}
