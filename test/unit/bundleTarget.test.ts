import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleReaders, writeAtomically } from '../../main/core/bundle/target.js';
import { renderMessage } from '../../main/core/message.js';
import { translator } from '../../main/core/i18n.js';

const dir = mkdtempSync(join(tmpdir(), `dsa-bundle-target-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const en = translator('en');

describe('who can read a written bundle, as read back', () => {
  it('says "owner only" only when the file kept mode 0600; never on Windows, never where the mode was not kept', async () => {
    const file = join(dir, 'b.tar.gz');
    await writeAtomically(file, false, (fh) => fh.writeFile('x'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(renderMessage(en, await bundleReaders(file, 'linux'))).toBe(
      `Written: ${file} (readable by its owner only).`,
    );
    // A FAT stick or a network share gives every file the same mode, whatever was asked for.
    chmodSync(file, 0o755);
    const shared = renderMessage(en, await bundleReaders(file, 'linux'));
    expect(shared).toContain('(mode 0755): others can read it');
    expect(shared).not.toContain('owner only');
    expect(renderMessage(en, await bundleReaders(file, 'win32'))).toContain(
      'Windows gives it the permissions of its folder',
    );
  });
});
