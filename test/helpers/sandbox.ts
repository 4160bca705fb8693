import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SANDBOX_DIR, type SandboxReply } from '../../main/core/system.js';

export const OS_RELEASE = {
  el6: { redhatRelease: 'CentOS release 6.10 (Final)\n' },
  el7: {
    osRelease:
      'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\nPRETTY_NAME="CentOS Linux 7 (Core)"\n',
    redhatRelease: 'CentOS Linux release 7.9.2009 (Core)\n',
  },
  el8: {
    osRelease:
      'NAME="Red Hat Enterprise Linux"\nVERSION="8.10 (Ootpa)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="8.10"\nPRETTY_NAME="Red Hat Enterprise Linux 8.10 (Ootpa)"\n',
    redhatRelease: 'Red Hat Enterprise Linux release 8.10 (Ootpa)\n',
  },
  el9: {
    osRelease:
      'NAME="Rocky Linux"\nVERSION="9.4 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"\n',
    redhatRelease: 'Rocky Linux release 9.4 (Blue Onyx)\n',
  },
  ubuntu2204: {
    osRelease:
      'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\nID=ubuntu\nID_LIKE=debian\n',
  },
  // SLES 15 SP5 as its /etc/os-release reads (a public SLES 15 SP5 install log quoting `cat /etc/os-release`).
  sles15: {
    osRelease:
      'NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\nID="sles"\nID_LIKE="suse"\nANSI_COLOR="0;32"\nCPE_NAME="cpe:/o:suse:sles:15:sp5"\nDOCUMENTATION_URL="https://documentation.suse.com/"\n',
  },
  // SLES 12 SP5 (no ID_LIKE line), as a public container scanner's SUSE tests quote it.
  sles12: {
    osRelease:
      'NAME="SLES"\nVERSION="12-SP5"\nVERSION_ID="12.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 12 SP5"\nID="sles"\nANSI_COLOR="0;32"\nCPE_NAME="cpe:/o:suse:sles:12:sp5"\n',
  },
} as const;

export interface RootSpec {
  osRelease?: string;
  redhatRelease?: string;
  hosts?: string | Buffer;
  /** `/proc/sys/kernel/*` values the sandbox answers with (osrelease, arch, hostname). */
  kernel?: { osrelease?: string; arch?: string; hostname?: string };
  /** Any other files, by path inside the root. */
  files?: Record<string, string | Buffer>;
  /** A Windows tree (creates Windows/System32) instead of a Linux one. */
  windows?: boolean;
  /**
   * What the sandbox's programs answer (`.sandbox/exec-replies.json`). A command with no reply fails (exit 127),
   * so give every command the test expects to run the reply the real tool gives.
   */
  replies?: SandboxReply[];
}

const roots: string[] = [];

/** Makes a throwaway system tree for `--root`; removed by cleanupRoots(). */
export function makeRoot(spec: RootSpec = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'dsa-root-'));
  roots.push(root);
  const put = (p: string, data: string | Buffer): void => {
    const full = join(root, p);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, data);
  };
  if (spec.windows) {
    mkdirSync(join(root, 'Windows/System32/drivers/etc'), { recursive: true });
    if (spec.hosts !== undefined) put('Windows/System32/drivers/etc/hosts', spec.hosts);
  } else {
    if (spec.osRelease) put('etc/os-release', spec.osRelease);
    if (spec.redhatRelease) put('etc/redhat-release', spec.redhatRelease);
    if (spec.hosts !== undefined) put('etc/hosts', spec.hosts);
    for (const [k, v] of Object.entries(spec.kernel ?? {})) put(`proc/sys/kernel/${k}`, v + '\n');
  }
  for (const [p, d] of Object.entries(spec.files ?? {})) put(p, d);
  if (spec.replies) put(`${SANDBOX_DIR}/exec-replies.json`, JSON.stringify(spec.replies));
  return root;
}

/** Removes every root made by makeRoot in this test file. */
export function cleanupRoots(): void {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
}
