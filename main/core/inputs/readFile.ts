import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { OPEN_READ_NONBLOCKING, specialFileKind } from '../fsx.js';
import { msg, type Message } from '../message.js';

/** The largest input file read (a real activation file, hosts file, plan or doctor result is a few KiB). */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/**
 * The largest activation file or manager hosts file read: real ones are a few KiB (a deployment script ~10 KiB);
 * the bound keeps parsing a wrong file (a log, an image) short.
 */
export const MAX_TEXT_INPUT_BYTES = 1024 * 1024;

/** `16 MiB`, `512 KiB`: a size bound as messages show it. */
export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MiB` : `${Math.round(n / 1024)} KiB`;
}

/** A file's bytes, or why they cannot be had (a message naming the cause and what was expected). */
type ReadResult = { ok: true; data: Buffer } | { ok: false; reason: Message };

/** Why an OS error stops a read, in the user's words: permission, a link loop, a path through a file, … */
export function errnoReason(e: unknown): Message {
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
  switch (code) {
    case 'ENOENT':
      return msg('inputs.notFound');
    case 'EISDIR':
      return msg('inputs.isDirectory');
    case 'EACCES':
    case 'EPERM':
      return msg('inputs.noPermission', { code });
    case 'ELOOP':
      return msg('inputs.linkLoop', { code });
    case 'ENOTDIR':
      return msg('inputs.pathNotDir', { code });
    case 'ENAMETOOLONG':
      return msg('inputs.nameTooLong', { code });
    default:
      return msg('inputs.unreadable', { code });
  }
}

/** What a non-regular file is, as a message (a pipe, a device, a socket). */
function kindOf(st: Stats): Message {
  if (st.isDirectory()) return msg('inputs.isDirectory');
  return msg('inputs.notRegular', { kind: msg(`fsx.kind.${specialFileKind(st)}`) });
}

/**
 * Reads a regular file's bytes, at most `max`: opened without blocking (a named pipe with no writer does not
 * hang), then checked on the open descriptor (no second look-up by name), then read until its end, however its
 * size changes meanwhile (a file that grows past `max`, or /proc's size-0 files, stay bounded). A pipe, a device
 * (/dev/zero), a socket or a directory is refused with what it is; an OS error with its cause.
 */
export function readBoundedSync(path: string, max: number = MAX_INPUT_BYTES): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, OPEN_READ_NONBLOCKING);
  } catch (e) {
    return { ok: false, reason: errnoReason(e) };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, reason: kindOf(st) };
    const tooLarge = { ok: false as const, reason: msg('inputs.tooLarge', { max: formatBytes(max) }) };
    if (st.size > max) return tooLarge;
    // One byte more than allowed tells a file that grew past the bound from one that is exactly at it.
    let buf = Buffer.allocUnsafe(Math.min(max + 1, Math.max(st.size + 1, 64 * 1024)));
    for (let at = 0; ;) {
      if (at === buf.length) {
        if (at > max) return tooLarge;
        const bigger = Buffer.allocUnsafe(Math.min(max + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, at);
        buf = bigger;
      }
      const n = readSync(fd, buf, at, buf.length - at, at);
      if (n === 0) return { ok: true, data: buf.subarray(0, at) };
      at += n;
    }
  } catch (e) {
    return { ok: false, reason: errnoReason(e) };
  } finally {
    closeSync(fd);
  }
}
