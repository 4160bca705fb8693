import { existsSync } from 'node:fs';
import { rpmRootArgs as rpmArgsFor } from '../platform/inspect.js';
import type { SystemContext } from '../system.js';
import type { InstallerKind } from './platform.js';

/** Installed package names of the agent. */
export const AGENT_PACKAGE = { rpm: 'ds_agent', deb: 'ds-agent' } as const;

/**
 * rpm's options for the target (the same as the package query's): `--root DIR` under a root, and the target's
 * own `--dbpath` (`/var/lib/rpm`, or `/usr/lib/sysimage/rpm` where only that exists).
 */
export function rpmRootArgs(sys: SystemContext): string[] {
  const dbpath = ['/var/lib/rpm', '/usr/lib/sysimage/rpm'].find((p) => existsSync(sys.path(p))) ?? '/var/lib/rpm';
  return rpmArgsFor(sys, dbpath);
}

/** dpkg's options for the target: none live; under a root `--root`, `--admindir` and `--log` inside it. */
export function dpkgRootArgs(sys: SystemContext): string[] {
  if (sys.live) return [];
  return [`--root=${sys.root}`, `--admindir=${sys.path('/var/lib/dpkg')}`, `--log=${sys.path('/var/log/dpkg.log')}`];
}

/** A command line with how to run it (for real under a root: rpm and dpkg take the root themselves). */
export interface PackageCommand {
  command: string;
  args: string[];
  real: boolean;
}

/**
 * The install command: `rpm -ivh` (`-Uvh` to upgrade), `dpkg -i`, `msiexec /i FILE /qn ADDLOCAL=ALL /l*v LOG`.
 */
export function installCommand(
  sys: SystemContext,
  kind: InstallerKind,
  file: string,
  opts: { upgrade: boolean; msiLog: string },
): PackageCommand {
  if (kind === 'rpm')
    return { command: 'rpm', args: [...rpmRootArgs(sys), opts.upgrade ? '-Uvh' : '-ivh', file], real: true };
  if (kind === 'deb') return { command: 'dpkg', args: [...dpkgRootArgs(sys), '-i', file], real: true };
  return { command: 'msiexec', args: ['/i', file, '/qn', 'ADDLOCAL=ALL', '/l*v', opts.msiLog], real: false };
}

/** The command that removes what an install added: `rpm -e ds_agent`, `dpkg --purge ds-agent`, `msiexec /x … /qn`. */
export function uninstallCommand(sys: SystemContext, kind: InstallerKind, msiTarget: string): PackageCommand {
  if (kind === 'rpm') return { command: 'rpm', args: [...rpmRootArgs(sys), '-e', AGENT_PACKAGE.rpm], real: true };
  if (kind === 'deb')
    return { command: 'dpkg', args: [...dpkgRootArgs(sys), '--purge', AGENT_PACKAGE.deb], real: true };
  return { command: 'msiexec', args: ['/x', msiTarget, '/qn'], real: false };
}

/** Compares package versions (`20.0.0-2395.el8`, `20.0.1-19250`) by their numeric parts. */
export function compareVersions(a: string, b: string): number {
  const pa = a
    .split(/[^0-9]+/)
    .filter(Boolean)
    .map(Number);
  const pb = b
    .split(/[^0-9]+/)
    .filter(Boolean)
    .map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
