import { join, resolve } from 'node:path';
import { z } from 'zod';
import { fail, inputError, DsaError, ExitCode } from '../errors.js';
import { msg } from '../message.js';
import { readInputFile, unwrapParse } from '../inputs/load.js';
import { statusValue, mib, orUnknown } from '../statusValues.js';
import { detectAgentPackage, inspectSystem } from '../platform/inspect.js';
import type { SystemContext } from '../system.js';
import type { CommandActionInput, Message, StepDescriptor, StepPlanBody, Verification } from '../steps/types.js';
import { compareVersions, installCommand, uninstallCommand } from './agentPackage.js';
import { queryServiceState, serviceCommand, type AgentCommand } from './agentTools.js';
import { checkKernelSupport, parseKernelList } from './kernelList.js';
import {
  checkInstallerMatch,
  disposeInstaller,
  readInstallerMetadata,
  type InstallerMatch,
  type InstallerMetadata,
} from './platform.js';
import { checkDiskAndMemory } from './resources.js';

export const InstallStepInput = z.object({
  /** The package (.rpm/.deb/.msi) or the portal's ZIP. */
  installer: z.string().min(1),
  /** The published supported-kernel list (text or CSV). */
  kernelList: z.string().min(1).optional(),
  /** How long to wait for the agent service after installing. */
  serviceWaitSec: z.number().int().min(0).max(3600).default(120),
});
export type InstallStepInput = z.infer<typeof InstallStepInput>;

/**
 * The error for an installer that does not fit this system (another platform or architecture, not the agent, not a
 * package at all): the exact reason and the package to get instead. The file given is the input to change: exit 2.
 */
export function mismatchError(m: InstallerMatch): DsaError {
  const reason = m.reason ?? msg('agent.installer.unsupportedOs', { os: '?', arch: '?' });
  const remedy = m.suggestedPackage
    ? msg('agent.installer.downloadInstead', { package: m.suggestedPackage })
    : msg(`${reason.key}Remedy`, reason.params);
  return fail(reason.key, reason, { remedy, exit: ExitCode.badInput });
}

/** `--service-wait`: whole seconds from 0 to 3600, else exit 2 naming the value given. */
function serviceWaitSeconds(value: string): number {
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (Number.isInteger(n) && n <= 3600) return n;
  throw inputError('agent.install.badServiceWait', msg('agent.install.badServiceWait', { value: value.slice(0, 40) }));
}

/** Checks before anything is installed: installer match, kernel support, disk and memory. Returns notes. */
async function preflight(
  sys: SystemContext,
  input: InstallStepInput,
): Promise<{
  meta: InstallerMetadata;
  notes: Message[];
}> {
  const match = await checkInstallerMatch(sys, input.installer);
  if (!match.ok || !match.metadata) {
    if (match.metadata) await disposeInstaller(match.metadata);
    throw mismatchError(match);
  }
  const meta = match.metadata;
  const notes: Message[] = [];
  try {
    notes.push(
      msg('agent.installer.matches', {
        platform: orUnknown(meta.platform),
        arch: orUnknown(meta.arch),
        version: orUnknown(meta.version),
        // "the package's metadata" / "the file name", not the raw token.
        from: statusValue(meta.platformFrom),
      }),
    );
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
      throw fail(
        'agent.installer.signatureBad',
        msg('agent.installer.signatureBad', { detail: meta.signature.detail }),
        { remedy: msg('agent.installer.corruptRemedy'), exit: ExitCode.badInput },
      );
    if (input.kernelList) {
      const list = unwrapParse(
        input.kernelList,
        parseKernelList(input.kernelList, await readInputFile(input.kernelList)),
      );
      const kernel = (await inspectSystem(sys)).kernel;
      const platform = match.expected!.platform;
      if (!kernel) notes.push(msg('agent.kernel.cannotTell', { file: input.kernelList }));
      else {
        const support = checkKernelSupport(list, platform, kernel);
        if (support === 'unsupported')
          throw fail(
            'agent.kernel.unsupported',
            msg('agent.kernel.unsupported', { kernel, platform, file: input.kernelList }),
            { remedy: msg('agent.kernel.unsupportedRemedy', { platform }) },
          );
        notes.push({
          key: support === 'supported' ? 'agent.kernel.supported' : 'agent.kernel.unknown',
          params: { kernel, platform, file: input.kernelList },
        });
      }
    }
    const res = await checkDiskAndMemory(sys);
    if (!res.ok)
      throw fail(
        'agent.resources.insufficient',
        msg('agent.resources.insufficient', {
          path: res.path,
          disk: mib(res.diskFreeMb),
          diskMin: res.diskMinMb,
          memory: mib(res.memoryMb),
          memoryMin: res.memoryMinMb,
        }),
        { remedy: msg('agent.resources.insufficientRemedy', { path: res.path }) },
      );
    notes.push(msg('agent.resources.ok', { path: res.path, disk: mib(res.diskFreeMb), memory: mib(res.memoryMb) }));
    return { meta, notes };
  } catch (e) {
    await disposeInstaller(meta);
    throw e;
  }
}

type Action = { install: 'none' | 'install' | 'upgrade'; installedVersion?: string };

async function decide(sys: SystemContext, meta: InstallerMetadata): Promise<Action> {
  const installed = await detectAgentPackage(sys);
  // Windows' registry that did not answer: an install planned over an agent not seen would be reverted by
  // uninstalling that agent.
  if (installed.installed === null && installed.via === 'registry-unreadable')
    throw fail('agent.install.registryUnreadable', msg('agent.install.registryUnreadable'), {
      remedy: msg('agent.install.registryUnreadableRemedy'),
    });
  if (!installed.installed) return { install: 'install' };
  // Installed, version unread: install over it, never with an uninstall as its undo.
  if (!installed.version) return { install: 'upgrade' };
  const cmp = compareVersions(installed.version, meta.version ?? '');
  if (cmp === 0) return { install: 'none', installedVersion: installed.version };
  if (cmp > 0)
    throw fail(
      'agent.install.newerInstalled',
      msg('agent.install.newerInstalled', { installed: installed.version, version: orUnknown(meta.version) }),
      // An older package than the one installed is the wrong file to give here (exit 2).
      { remedy: msg('agent.install.newerInstalledRemedy'), exit: ExitCode.badInput },
    );
  return { install: 'upgrade', installedVersion: installed.version };
}

function msiLog(sys: SystemContext): string {
  return sys.live ? join(sys.stateDir, 'agent-install.log') : 'C:\\ProgramData\\dsa-setup\\agent-install.log';
}

/** What the plan shows for the package inside a ZIP. */
function shownPackage(meta: InstallerMetadata): string {
  return meta.zipEntry ? `${meta.file}!${meta.zipEntry}` : meta.file;
}

/** The command that starts the agent service once the package is there (its init script, systemd, or `sc`). */
function plannedStart(sys: SystemContext, installing: boolean): AgentCommand | null {
  const now = serviceCommand(sys, 'start');
  if (now || !installing || sys.os === 'windows') return now;
  // The package brings /etc/init.d/ds_agent: under a root it runs with the root given to it.
  return sys.live
    ? { command: '/etc/init.d/ds_agent', args: ['start'], real: false }
    : { command: sys.path('/etc/init.d/ds_agent'), args: ['start'], real: true, env: { DSA_ROOT: sys.root } };
}

/**
 * The package file to hand to rpm/dpkg/msiexec for a planned install: the file itself, or the package
 * extracted from the portal's ZIP (the same entry the plan named). `dispose` removes the extracted copy.
 */
export async function packageForInstall(
  sys: SystemContext,
  pkg: { file: string; entry?: string | undefined },
): Promise<{ path: string; dispose(): Promise<void> }> {
  if (!pkg.entry) return { path: pkg.file, dispose: async () => undefined };
  const meta = await readInstallerMetadata(sys, pkg.file);
  if (meta.zipEntry !== pkg.entry) {
    await disposeInstaller(meta);
    throw fail('apply.stalePlan', msg('apply.stalePlan', { path: `${pkg.file}!${pkg.entry}` }), {
      remedy: msg('apply.stalePlanRemedy'),
    });
  }
  return { path: meta.packageFile, dispose: () => disposeInstaller(meta) };
}

/** Installs (or upgrades) the agent package that matches this system, then starts and waits for `ds_agent`. */
export const installStep: StepDescriptor<InstallStepInput> = {
  id: 'install',
  titleKey: 'agent.install.title',
  input: InstallStepInput,
  flags: [
    { flags: '--installer <file>', helpKey: 'agent.help.installer' },
    { flags: '--kernel-list <file>', helpKey: 'agent.help.kernelList' },
    { flags: '--service-wait <seconds>', helpKey: 'agent.help.serviceWait' },
  ],
  platforms: ['linux', 'windows'],
  defaultOn: 'all',
  needs: ['installer'],
  fromOptions(opts) {
    if (opts.kernelList && !opts.installer)
      throw inputError(
        'agent.install.kernelListNeedsInstaller',
        msg('agent.install.kernelListNeedsInstaller', {
          file: opts.kernelList,
        }),
      );
    if (!opts.installer) return null;
    return {
      installer: resolve(opts.installer),
      ...(opts.kernelList ? { kernelList: resolve(opts.kernelList) } : {}),
      ...(opts.serviceWait !== undefined ? { serviceWaitSec: serviceWaitSeconds(opts.serviceWait) } : {}),
    };
  },

  async plan(sys, input): Promise<StepPlanBody> {
    const { meta, notes } = await preflight(sys, input);
    const action = await decide(sys, meta);
    const changes: CommandActionInput[] = [];
    if (action.install !== 'none') {
      const shown = shownPackage(meta);
      const c = installCommand(sys, meta.kind, shown, {
        upgrade: action.install === 'upgrade',
        msiLog: msiLog(sys),
      });
      // Revert removes only what this run installed: an upgrade is not undone.
      const undo = action.install === 'install' ? uninstallCommand(sys, meta.kind, meta.file) : null;
      changes.push({
        kind: 'command',
        role: 'package',
        command: c.command,
        args: c.args,
        real: c.real,
        timeoutSec: 15 * 60,
        reason: {
          key: action.install === 'upgrade' ? 'agent.install.reasonUpgrade' : 'agent.install.reasonInstall',
          params: { version: orUnknown(meta.version), installed: action.installedVersion ?? '-' },
        },
        package: {
          file: meta.file,
          ...(meta.zipEntry ? { entry: meta.zipEntry } : {}),
          shown,
          ...(meta.kind === 'msi' ? { msiLog: msiLog(sys) } : {}),
          ...(meta.version ? { version: meta.version } : {}),
        },
        ...(undo ? { undo: { command: undo.command, args: undo.args, real: undo.real } } : {}),
      });
      if (action.install === 'upgrade') notes.push(msg('agent.install.upgradeNotReverted'));
    } else notes.push(msg('agent.install.sameVersion', { version: orUnknown(action.installedVersion) }));
    const service = action.install === 'none' ? await queryServiceState(sys) : 'absent';
    const start = plannedStart(sys, action.install !== 'none');
    if (service !== 'running' && service !== 'unknown' && start)
      changes.push({
        kind: 'command',
        role: 'service',
        command: start.command,
        args: start.args,
        real: start.real,
        ...(start.env ? { env: start.env } : {}),
        timeoutSec: 60,
        reason: msg('agent.install.reasonStart', { seconds: input.serviceWaitSec }),
        service: { name: 'ds_agent', waitSec: input.serviceWaitSec },
      });
    return { changes, notes, rebootRequired: false, upToDate: changes.length === 0 };
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
      ? {
          ok,
          detail: {
            key: 'agent.install.verified',
            // The service's state in the reader's words ("実行中"), never the raw value alone.
            params: { version: orUnknown(pkg.version), service: statusValue(service) },
          },
        }
      : {
          ok,
          detail: msg('agent.install.notVerified', {
            version: pkg.version ?? '-',
            want: want || '?',
            service: statusValue(service),
          }),
        };
  },
};
