// The Ansible role and its example playbook pass Debian's ansible-lint at the `production` profile (the strictest).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { PROJECT } from '../helpers/cli.js';

function hasAnsibleLint(): boolean {
  try {
    execFileSync('ansible-lint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const LINT = hasAnsibleLint();

describe('ansible-lint on resources/ansible', () => {
  it.skipIf(!LINT)(
    // Skipped (with this reason) only when the binary is missing: Debian's package ansible-lint.
    `passes at the production profile: no failure, no warning${LINT ? '' : ' — SKIPPED: ansible-lint is not installed (apt-get install ansible-lint)'}`,
    async () => {
      const home = mkdtempSync(join(tmpdir(), 'dsa-ansible-lint-'));
      try {
        const r = await execa('ansible-lint', ['--profile', 'production', '--offline', '--nocolor', '-p'], {
          cwd: join(PROJECT, 'resources/ansible'),
          reject: false,
          all: true,
          env: { HOME: home, ANSIBLE_LOCAL_TEMP: join(home, 'tmp'), NO_COLOR: '1' },
          timeout: 120_000,
        });
        expect(r.exitCode, String(r.all)).toBe(0);
        expect(String(r.all)).toMatch(/Passed with production profile: 0 failure\(s\), 0 warning\(s\)/);
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    },
    150_000,
  );
});
