import { orUnknown } from '../../statusValues.js';
import { isSameManager } from '../../agent/managerIdentity.js';
import { msg, type Message } from '../../message.js';
import { agentStateOf } from '../facts.js';
import { type CheckContext, type CheckDef, type CheckOutcome } from '../types.js';
import { activationUrl } from '../../inputs/activation.js';
import {
  activateCommand,
  asAdmin,
  dsaControl,
  packageDbTools,
  platformOf,
  restartAgentCommand,
  startAgentCommand,
  type PlatformKind,
} from '../../platformText.js';

const k = msg;

/** A program the agent checks ran that did not end in time (a hung `dsa_query`, `rpm`): the finding, named. */
async function hungCommand(
  ctx: CheckContext,
  which: RegExp,
  remedyBase = 'doctor.common.commandHungRemedy',
): Promise<CheckOutcome | null> {
  const hung = ctx.stoppedCommands().find((c) => which.test(c.command));
  if (!hung) return null;
  const kind = await platformOf(ctx.sys);
  return {
    status: 'fail',
    class: 'agent',
    detail: k('doctor.common.commandHung', { command: hung.command, ms: hung.ms }),
    remedy: k(`${remedyBase}${ctx.sys.os === 'windows' ? 'Windows' : ''}`, {
      command: hung.command,
      restart: asAdmin(kind, restartAgentCommand(kind)),
      diag: dsaControl(kind, ['-d']),
      ...packageDbTools(kind),
    }),
  };
}

/** How to start the agent's service on the platform (`service` on RHEL 6, systemctl, an administrator PowerShell). */
export function agentServiceRemedy(kind: PlatformKind): Message {
  return k(kind === 'windows' ? 'doctor.agent.serviceRemedyWindows' : 'doctor.agent.serviceRemedy', {
    command: asAdmin(kind, startAgentCommand(kind)),
  });
}

/** How to activate on the platform: dsa_control by its full path with the manager's URL (or the file's command). */
export function notActivatedRemedy(kind: PlatformKind, url: string | null): Message {
  return k('doctor.agent.notActivatedRemedy', { command: activateCommand(kind, url) });
}

/** agent.installed, agent.service, agent.activated: package database, service manager, dsa_query. */
export const agentChecks: CheckDef[] = [
  {
    id: 'agent.installed',
    titleKey: 'doctor.title.agentInstalled',
    defaultClass: 'agent',
    async run(ctx): Promise<CheckOutcome> {
      const s = await agentStateOf(ctx);
      const hung = await hungCommand(
        ctx,
        /(^|[\\/ ])(rpm|dpkg-query|dpkg|reg)(\.exe)? /,
        'doctor.agent.packageDbHungRemedy',
      );
      if (hung) return hung;
      if (s.installed === null) return { status: 'skip', detail: k('doctor.agent.noPackageDb') };
      if (s.installed)
        return { status: 'pass', detail: k('doctor.agent.installed', { version: orUnknown(s.version) }) };
      return {
        status: 'fail',
        class: 'agent',
        detail: k('doctor.agent.notInstalled'),
        remedy: k('doctor.agent.notInstalledRemedy'),
      };
    },
  },
  {
    id: 'agent.service',
    titleKey: 'doctor.title.agentService',
    defaultClass: 'agent',
    after: ['agent.installed'],
    async run(ctx): Promise<CheckOutcome> {
      const s = await agentStateOf(ctx);
      if (s.installed !== true && s.service !== 'running')
        return { status: 'skip', detail: k('doctor.agent.skipNotInstalled') };
      if (s.service === 'running') return { status: 'pass', detail: k('doctor.agent.serviceRunning') };
      if (s.service === 'unknown') return { status: 'skip', detail: k('doctor.agent.serviceUnknown') };
      const kind = await platformOf(ctx.sys);
      return {
        status: 'fail',
        class: 'agent',
        detail: k(s.service === 'absent' ? 'doctor.agent.serviceAbsent' : 'doctor.agent.serviceStopped'),
        remedy: agentServiceRemedy(kind),
      };
    },
  },
  {
    id: 'agent.activated',
    titleKey: 'doctor.title.agentActivated',
    defaultClass: 'agent',
    after: ['agent.service'],
    async run(ctx): Promise<CheckOutcome> {
      const s = await agentStateOf(ctx);
      // dsa_query that never answered is the finding, not a missing agent.
      const hung = await hungCommand(ctx, /dsa_query/);
      if (hung) return hung;
      if (s.installed !== true && !s.activated) return { status: 'skip', detail: k('doctor.agent.skipNotInstalled') };
      if (s.activated === null) return { status: 'skip', detail: k('doctor.agent.queryUnavailable') };
      const host = ctx.inputs.manager?.host ?? '';
      const kind = await platformOf(ctx.sys);
      if (!s.activated)
        return {
          status: 'fail',
          class: 'agent',
          detail: k('doctor.agent.notActivated'),
          remedy: notActivatedRemedy(kind, ctx.inputs.manager ? activationUrl(ctx.inputs.manager) : null),
        };
      const params = { url: orUnknown(s.dsmUrl), state: orUnknown(s.agentState), last: orUnknown(s.lastContact) };
      const m = ctx.inputs.manager;
      if (m && s.dsmUrl && isSameManager(s.dsmUrl, m) === false)
        return {
          status: 'fail',
          class: 'conflict',
          detail: k('doctor.agent.otherManager', { ...params, host }),
          remedy: k('doctor.agent.otherManagerRemedy', { host, reset: dsaControl(kind, ['-r']) }),
        };
      if (s.inContact === false)
        return {
          status: 'warn',
          class: 'agent',
          detail: k('doctor.agent.noContact', params),
          remedy: k('doctor.agent.noContactRemedy', params),
        };
      return { status: 'pass', detail: k('doctor.agent.activated', params) };
    },
  },
];
