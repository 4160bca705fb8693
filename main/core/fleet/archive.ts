import { createReadStream, promises as fs } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar';
import yauzl from 'yauzl';

/** The doctor's result inside a support bundle (bundle.ts writes it at the archive's top level). */
export const BUNDLE_DOCTOR_JSON = 'doctor.json';

/** What reading a bundle gave: doctor.json's bytes, or why there are none. */
export type BundleRead =
  | { ok: true; data: Buffer }
  | { ok: false; why: 'noDoctorJson' }
  | { ok: false; why: 'tooLarge' }
  | { ok: false; why: 'badArchive'; message: string };

/** True when a file name is a support bundle the fleet report reads (`.tar.gz`, `.tgz`, `.zip`). */
export function isBundleName(name: string): boolean {
  return /\.(tar\.gz|tgz|zip)$/i.test(name);
}

const isDoctorEntry = (path: string): boolean => path.replace(/^\.\//, '') === BUNDLE_DOCTOR_JSON;

/**
 * How much a `.tar.gz` may unpack to while doctor.json is looked for: a real bundle is a few MiB; a damaged or
 * hostile one (a gzip of zeros) would otherwise keep the report unpacking for minutes.
 */
const MAX_UNPACKED_BYTES = 256 * 1024 * 1024;

/** doctor.json from a `.tar.gz` bundle, read in memory (nothing is extracted to disk), unpacking at most `limit`. */
async function fromTarGz(file: string, max: number, limit: number): Promise<BundleRead> {
  let found: Buffer | null = null;
  let tooLarge = false;
  const parser = new tar.Parser({
    strict: true,
    filter: (path) => isDoctorEntry(path),
    onReadEntry: (entry) => {
      if (entry.type !== 'File' || entry.size > max) {
        tooLarge ||= entry.type === 'File';
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => {
        found = Buffer.concat(chunks);
      });
    },
  });
  let unpacked = 0;
  // The archive's end (two empty blocks): what follows is padding, or a gzip of zeros the parser would buffer.
  let end = false;
  parser.on('eof', () => (end = true));
  const bounded = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (end) return done(new Error('end of archive'));
      unpacked += chunk.length;
      // Past the bound the stream stops; what was found before it counts.
      if (unpacked > limit) done(found ? new Error('found') : new Error('tooLarge'));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(file), createGunzip(), bounded, parser);
  } catch (e) {
    if (found) return { ok: true, data: found };
    if (end) return { ok: false, why: 'noDoctorJson' };
    if (unpacked > limit) return { ok: false, why: 'tooLarge' };
    return { ok: false, why: 'badArchive', message: (e as Error).message };
  }
  if (found) return { ok: true, data: found };
  return tooLarge ? { ok: false, why: 'tooLarge' } : { ok: false, why: 'noDoctorJson' };
}

/** doctor.json from a `.zip` bundle, read in memory (sizes checked before inflating). */
function fromZip(file: string, max: number): Promise<BundleRead> {
  return new Promise((resolve) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) return resolve({ ok: false, why: 'badArchive', message: err?.message ?? 'zip' });
      let done = false;
      const finish = (r: BundleRead): void => {
        if (done) return;
        done = true;
        zip.close();
        resolve(r);
      };
      zip.on('error', (e: Error) => finish({ ok: false, why: 'badArchive', message: e.message }));
      zip.on('end', () => finish({ ok: false, why: 'noDoctorJson' }));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!isDoctorEntry(entry.fileName)) return zip.readEntry();
        if (entry.uncompressedSize > max) return finish({ ok: false, why: 'tooLarge' });
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return finish({ ok: false, why: 'badArchive', message: e?.message ?? 'zip' });
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (c: Buffer) => {
            size += c.length;
            if (size > max) {
              stream.destroy();
              finish({ ok: false, why: 'tooLarge' });
            } else chunks.push(c);
          });
          stream.on('error', (se: Error) => finish({ ok: false, why: 'badArchive', message: se.message }));
          stream.on('end', () => finish({ ok: true, data: Buffer.concat(chunks) }));
        });
      });
      zip.readEntry();
    });
  });
}

/** Reads doctor.json out of a support bundle (`.zip` by name or by its `PK` signature, else `.tar.gz`). */
export async function readBundleDoctorJson(
  file: string,
  max: number,
  limit: number = MAX_UNPACKED_BYTES,
): Promise<BundleRead> {
  const fh = await fs.open(file, 'r');
  const head = Buffer.alloc(2);
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const zip = head[0] === 0x50 && head[1] === 0x4b;
  return zip ? fromZip(file, max) : fromTarGz(file, max, limit);
}
