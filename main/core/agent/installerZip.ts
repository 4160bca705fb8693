import { createWriteStream } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { fail, ExitCode } from '../errors.js';
import { msg } from '../message.js';

/** The members of a ZIP file (names only). */
export async function listZipEntries(zipFile: string): Promise<string[]> {
  const zip = await yauzl.openPromise(zipFile, { lazyEntries: true, autoClose: false });
  try {
    const names: string[] = [];
    for await (const e of zip.eachEntry()) names.push(e.fileName);
    return names;
  } finally {
    zip.close();
  }
}

/** Picks the Core package among the portal ZIP's members (`Agent-Core-…`, never `Agent-PGPCore-…`). */
export function pickCoreEntry(names: readonly string[]): string | null {
  const core = names.filter((n) => /^Agent-Core-.+\.(rpm|deb|msi)$/i.test(basename(n)) && !n.endsWith('/'));
  return core.length === 1 ? core[0]! : null;
}

/**
 * Extracts the Core package of the portal's ZIP (`Agent-<Platform>-<ver>-<build>.<arch>.zip`) into `destDir`.
 * A ZIP without exactly one `Agent-Core-…` package is a bad-input error naming what it holds.
 */
export async function extractCorePackage(zipFile: string, destDir: string): Promise<{ entry: string; path: string }> {
  const names = await listZipEntries(zipFile);
  const entry = pickCoreEntry(names);
  if (!entry)
    throw fail(
      'agent.installer.zipNoCore',
      msg('agent.installer.zipNoCore', { file: zipFile, entries: names.slice(0, 10).join(', ') || '-' }),
      { exit: ExitCode.badInput },
    );
  const zip = await yauzl.openPromise(zipFile, { lazyEntries: true, autoClose: false });
  try {
    for await (const e of zip.eachEntry()) {
      if (e.fileName !== entry) continue;
      const path = join(destDir, basename(entry));
      await pipeline(await zip.openReadStreamPromise(e), createWriteStream(path, { mode: 0o600 }));
      return { entry: basename(entry), path };
    }
  } finally {
    zip.close();
  }
  throw new Error(`${entry} vanished from ${zipFile}`);
}
