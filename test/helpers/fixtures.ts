import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '../fixtures');

/**
 * A recorded output of another program, without its first line `# shape: …` (which names the public sample
 * that confirmed the shape): the bytes the program prints.
 */
export function fixtureBytes(path: string): Buffer {
  const b = readFileSync(join(FIXTURES, path));
  if (!b.subarray(0, 8).equals(Buffer.from('# shape:'))) return b;
  return b.subarray(b.indexOf(0x0a) + 1);
}

/** fixtureBytes as UTF-8 text. */
export function fixture(path: string): string {
  return fixtureBytes(path).toString('utf8');
}
