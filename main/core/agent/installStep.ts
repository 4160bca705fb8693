import { join } from 'node:path';
import { z } from 'zod';
import { DsaError, ExitCode } from '../errors.js';
import { readInputFile, unwrapParse } from '../inputs/load.js';
import { detectAgentPackage, inspectSystem } from '../platform/inspect.js';
import type { SystemContext } from '../system.js';
import type { Change, Message, Step, Verification } from '../steps/types.js';
import { compareVersions, installCommand, uninstallCommand } from './agentPackage.js';
import { queryServiceState, serviceCommand } from './agentTools.js';
import { checkKernelSupport, parseKernelList } from './kernelList.js';
import {
  checkInstallerMatch,
  disposeInstaller,
  readInstallerMetadata,
  type InstallerMatch,
  type InstallerMetadata,
} from './platform.js';
import { checkDiskAndMemory } from './resources.js';
import { waitForAgentService } from './serviceWait.js';

export const InstallStepInput = z.object({
  /** The package (.rpm/.deb/.msi) or the portal's ZIP. */
  installer: z.string().min(1),
  /** The published supported-kernel list (text or CSV). */
  kernelList: z.string().min(1).optional(),
  /** How long to wait for the agent service after installing. */
  serviceWaitSec: z.number().int().min(0).max(3600).default(120),
});
export type InstallStepInput = z.infer<typeof InstallStepInput>;

/** The error for an installer that does not fit this system: the exact reason and the package to get instead. */
export function mismatchError(m: InstallerMatch): DsaError {
  const reasonKey = m.reasonKey ?? 'agent.installer.unsupportedOs';
  return new DsaError({
    code: reasonKey,
    messageKey: reasonKey,
    params: { ...(m.params ?? {}), package: m.suggestedPackage ?? '-' },
    remedyKey: m.suggestedPackage ? 'agent.installer.downloadInstead' : `${reasonKey}Remedy`,
    exitCode: ExitCode.failed,
  });
}

/** Checks before anything is installed: installer match, kernel support, disk and memory. Returns notes. */
async function preflight(
  sys: SystemContext,
  input: InstallStepInput,
  keep: boolean,
): Promise<{
  meta: InstallerMetadata;
  notes: Message[];
}> {
  const match = await checkInstallerMatch(sys, input.installer, { keep });
  if (!match.ok || !match.metadata) {
    if (match.metadata) await disposeInstaller(match.metadata);
    throw mismatchError(match);
  }
  const meta = match.metadata;
  const notes: Message[] = [];
  try {
    notes.push({
      key: 'agent.installer.matches',
      params: {
        platform: meta.platform ?? '?',
        arch: meta.arch ?? '?',
        version: meta.version ?? '?',
        from: meta.platformFrom ?? '-',
      },
    });
    notes.push(
      meta.signature.checked
        ? {
            key: meta.signature.ok ? 'agent.installer.signatureOk' : 'agent.installer.signatureBad',
            params: { detail: meta.signature.detail },
          }
        : {
            key: meta.signature.notCheckedKey ?? 'agent.installer.signatureNotChecked',
            params: { detail: meta.signature.detail },
          },
    );
    if (meta.signature.checked && meta.signature.ok === false)
      throw new DsaError({
        code: 'agent.installer.signatureBad',
        messageKey: 'agent.installer.signatureBad',
        params: { detail: meta.signature.detail },
        remedyKey: 'agent.installer.corruptRemedy',
      });
    if (input.kernelList) {
      const list = unwrapParse(
        input.kernelList,
        parseKernelList(input.kernelList, await readInputFile(input.kernelList)),
      );
      const kernel = (await inspectSystem(sys)).kernel;
      const platform = match.expected!.platform;
      if (!kernel) notes.push({ key: 'agent.kernel.cannotTell', params: { file: input.kernelList } });
      else {
        const support = checkKernelSupport(list, platform, kernel);
        if (support === 'unsupported')
          throw new DsaError({
            code: 'agent.kernel.unsupported',
            messageKey: 'agent.kernel.unsupported',
            params: { kernel, platform, file: input.kernelList },
            remedyKey: 'agent.kernel.unsupportedRemedy',
          });
        notes.push({
          key: support === 'supported' ? 'agent.kernel.supported' : 'agent.kernel.unknown',
          params: { kernel, platform, file: input.kernelList },
        });
      }
    }
    const res = await checkDiskAndMemory(sys);
    if (!res.ok)
      throw new DsaError({
        code: 'agent.resources.insufficient',
        messageKey: 'agent.resources.insufficient',
        params: {
          path: res.path,
          disk: res.diskFreeMb ?? '?',
          diskMin: res.diskMinMb,
          memory: res.memoryMb ?? '?',
          memoryMin: res.memoryMinMb,
        },
        remedyKey: 'agent.resources.insufficientRemedy',
      });
    notes.push({
      key: 'agent.resources.ok',
      params: { path: res.path, disk: res.diskFreeMb ?? '?', memory: res.memoryMb ?? '?' },
    });
    return { meta, notes };
  } catch (e) {
    await disposeInstaller(meta);
    throw e;
  }
}

type Action = { install: 'none' | 'install' | 'upgrade'; installedVersion?: string };

async function decide(sys: SystemContext, meta: InstallerMetadata): Promise<Action> {
  const installed = await detectAgentPackage(sys);
  if (!installed.installed || !installed.version) return { install: 'install' };
  const cmp = compareVersions(installed.version, meta.version ?? '');
  if (cmp === 0) return { install: 'none', installedVersion: installed.version };
  if (cmp > 0)
    throw new DsaError({
      code: 'agent.install.newerInstalled',
      messageKey: 'agent.install.newerInstalled',
      params: { installed: installed.version, version: meta.version ?? '?' },
      remedyKey: 'agent.install.newerInstalledRemedy',
    });
  return { install: 'upgrade', installedVersion: installed.version };
}

function msiLog(sys: SystemContext): string {
  return sys.live ? join(sys.stateDir, 'agent-install.log') : 'C:\\ProgramData\\dsa-setup\\agent-install.log';
}

/** What the plan shows for the package inside a ZIP. */
function shownPackage(meta: InstallerMetadata): string {
  return meta.zipEntry ? `${meta.file}!${meta.zipEntry}` : meta.file;
}

/** Installs (or upgrades) the agent package that matches this system, then waits for the `ds_agent` service. */
export const installStep: Step<InstallStepInput> = {
  id: 'install',
  titleKey: 'agent.install.title',
  input: InstallStepInput,

  async detect(sys) {
    return { package: await detectAgentPackage(sys), service: await queryServiceState(sys) };
  },

  async plan(sys, input) {
    const { meta, notes } = await preflight(sys, input, false);
    const action = await decide(sys, meta);
    const changes: Change[] = [];
    if (action.install !== 'none') {
      const c = installCommand(sys, meta.kind, shownPackage(meta), {
        upgrade: action.install === 'upgrade',
        msiLog: msiLog(sys),
      });
      changes.push({
        kind: 'command',
        command: c.command,
        args: c.args,
        reason: {
          key: action.install === 'upgrade' ? 'agent.install.reasonUpgrade' : 'agent.install.reasonInstall',
          params: { version: meta.version ?? '?', installed: action.installedVersion ?? '-' },
        },
      });
      if (action.install === 'upgrade') notes.push({ key: 'agent.install.upgradeNotReverted', params: {} });
    } else notes.push({ key: 'agent.install.sameVersion', params: { version: action.installedVersion ?? '?' } });
    const service = action.install === 'none' ? await queryServiceState(sys) : 'absent';
    const start = serviceCommand(sys, 'start');
    if (service !== 'running' && service !== 'unknown' && (start || action.install !== 'none'))
      changes.push({
        kind: 'command',
        command: start?.command ?? 'ds_agent',
        args: start?.args ?? ['start'],
        reason: { key: 'agent.install.reasonStart', params: { seconds: input.serviceWaitSec } },
      });
    return { changes, notes, rebootRequired: false, upToDate: changes.length === 0 };
  },

  async apply(sys, input, tx) {
    const { meta } = await preflight(sys, input, true);
    try {
      const action = await decide(sys, meta);
      if (action.install !== 'none') {
        const c = installCommand(sys, meta.kind, meta.packageFile, {
          upgrade: action.install === 'upgrade',
          msiLog: msiLog(sys),
        });
        const undo = uninstallCommand(sys, meta.kind, meta.file);
        try {
          await tx.run(c.command, c.args, {
            real: c.real,
            timeoutMs: 15 * 60_000,
            // Revert removes only what this run installed: an upgrade is not undone.
            ...(action.install === 'install' ? { revert: { command: undo.command, args: undo.args } } : {}),
          });
        } finally {
          // msiexec says little on its own: its verbose log is what support reads, so the journal keeps it.
          if (meta.kind === 'msi') await tx.keepLog(msiLog(sys), 'msiexec-install.log');
        }
      }
      if ((await queryServiceState(sys)) !== 'running') {
        const start = serviceCommand(sys, 'start');
        if (start)
          await tx.run(start.command, start.args, {
            real: start.real,
            timeoutMs: 60_000,
            ...(start.env ? { env: start.env } : {}),
          });
      }
      const waited = await waitForAgentService(sys, { timeoutMs: input.serviceWaitSec * 1000 });
      if (waited.state !== 'running' && waited.state !== 'unknown')
        throw new DsaError({
          code: 'agent.install.serviceNotRunning',
          messageKey: 'agent.install.serviceNotRunning',
          params: { seconds: Math.round(waited.waitedMs / 1000), state: waited.state },
          remedyKey: 'agent.install.serviceNotRunningRemedy',
        });
    } finally {
      await disposeInstaller(meta);
    }
  },

  async verify(sys, input): Promise<Verification> {
    const [pkg, service] = await Promise.all([detectAgentPackage(sys), queryServiceState(sys)]);
    // Only the package's version is wanted here: no second platform check, no system inspection.
    const meta = await readInstallerMetadata(sys, input.installer).catch((e: unknown) => {
      if (e instanceof DsaError && e.code === 'agent.installer.corrupt') return null;
      throw e;
    });
    if (meta) await disposeInstaller(meta);
    const want = meta?.version ?? '';
    const ok =
      pkg.installed === true &&
      (!want || compareVersions(pkg.version ?? '', want) === 0) &&
      (service === 'running' || service === 'unknown');
    return ok
      ? { ok, detail: { key: 'agent.install.verified', params: { version: pkg.version ?? '?', service } } }
      : {
          ok,
          detail: {
            key: 'agent.install.notVerified',
            params: { version: pkg.version ?? '-', want: want || '?', service },
          },
        };
  },
};
