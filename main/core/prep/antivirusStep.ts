import { orUnknown } from '../statusValues.js';
import { z } from 'zod';
import { fail, DsaError, ExitCode } from '../errors.js';
import { msg } from '../message.js';
import type { SystemContext } from '../system.js';
import type {
  CommandActionInput,
  Message,
  StepDescriptor,
  StepPlanBody,
  UndoCheck,
  Verification,
} from '../steps/types.js';
import {
  POWERSHELL,
  SCEP_POLICY,
  SCHEDULE_NEVER,
  detectAntivirus,
  powershellArgs,
  type AntivirusState,
} from './antivirus.js';

export const AntivirusStepInput = z.object({}).default({});
export type AntivirusStepInput = z.infer<typeof AntivirusStepInput>;

type Command = {
  command: string;
  args: string[];
  /** The undo, and how revert reads it back (the value as it was, or gone). */
  revert: { command: string; args: string[]; check: UndoCheck };
  reason: Message;
  /** The setting it changes, for messages. */
  what: string;
};

/** `reg add KEY /v NAME /t REG_DWORD /d N /f` as an argument array. */
export function regAddDword(key: string, name: string, value: number): string[] {
  return ['add', key, '/v', name, '/t', 'REG_DWORD', '/d', String(Math.trunc(value)), '/f'];
}

/** `reg delete KEY /v NAME /f` as an argument array. */
export function regDeleteValue(key: string, name: string): string[] {
  return ['delete', key, '/v', name, '/f'];
}

/** The fixed script that sets Defender's real-time switch (the value is a boolean, never text from input). */
export function setRealtimeScript(disable: boolean): string {
  return `Set-MpPreference -DisableRealtimeMonitoring ${disable ? '$true' : '$false'}`;
}

/** The fixed script that sets Defender's scan day (0 every day, 1–7 Sunday–Saturday, 8 never). */
export function setScanDayScript(day: number): string {
  const d = z.number().int().min(0).max(8).parse(day);
  return `Set-MpPreference -ScanScheduleDay ${d}`;
}

interface AvWork {
  state: AntivirusState;
  commands: Command[];
  /** Defender needs changes that Tamper Protection blocks. */
  tamperBlocked: boolean;
  /** No change planned, but a service `sc` did not answer for: nothing says the antivirus is off. */
  unreadable: boolean;
  notes: Message[];
}

function scepCommands(state: AntivirusState): Command[] {
  const out: Command[] = [];
  if (!state.scep.installed || state.scep.policyUnreadable) return out;
  for (const which of ['realtime', 'scan'] as const) {
    const p = SCEP_POLICY[which];
    const prev = state.scep.policy[which];
    if (prev === p.want) continue;
    out.push({
      command: 'reg',
      args: regAddDword(p.key, p.value, p.want),
      revert: {
        command: 'reg',
        args: prev === null ? regDeleteValue(p.key, p.value) : regAddDword(p.key, p.value, prev),
        // `reg query` exits 1 for a value that does not exist; a DWORD prints as `NAME REG_DWORD 0x…`.
        check:
          prev === null
            ? { command: 'reg', args: ['query', p.key, '/v', p.value], exitCode: 1 }
            : {
                command: 'reg',
                args: ['query', p.key, '/v', p.value],
                present: `${p.value} REG_DWORD 0x${Math.trunc(prev).toString(16)}`,
              },
      },
      reason: msg(`prep.av.reason.scep.${which}`, { prev: prev === null ? '-' : prev }),
      what: `SCEP ${p.value}`,
    });
  }
  return out;
}

function defenderCommands(state: AntivirusState): Command[] {
  const d = state.defender;
  if (!d.active) return [];
  const out: Command[] = [];
  const pref = d.preference;
  // What Defender reports wins; without a status, the preference says whether it is meant to be on.
  const rtpOn = d.status?.realTimeProtectionEnabled ?? pref?.disableRealtimeMonitoring !== true;
  if (rtpOn) {
    out.push({
      command: POWERSHELL,
      args: powershellArgs(setRealtimeScript(true)),
      revert: {
        command: POWERSHELL,
        args: powershellArgs(setRealtimeScript(pref?.disableRealtimeMonitoring === true)),
        // Tamper Protection makes Set-MpPreference exit 0 having changed nothing: the value is read back.
        check: {
          command: POWERSHELL,
          args: powershellArgs('(Get-MpPreference).DisableRealtimeMonitoring'),
          stdout: pref?.disableRealtimeMonitoring === true ? 'True' : 'False',
        },
      },
      reason: msg('prep.av.reason.defender.realtime'),
      what: 'Defender DisableRealtimeMonitoring',
    });
  }
  if (pref?.scanScheduleDay !== SCHEDULE_NEVER) {
    out.push({
      command: POWERSHELL,
      args: powershellArgs(setScanDayScript(SCHEDULE_NEVER)),
      revert: {
        command: POWERSHELL,
        args: powershellArgs(setScanDayScript(pref?.scanScheduleDay ?? 0)),
        check: {
          command: POWERSHELL,
          args: powershellArgs('(Get-MpPreference).ScanScheduleDay'),
          stdout: String(pref?.scanScheduleDay ?? 0),
        },
      },
      reason: msg('prep.av.reason.defender.scan', { prev: orUnknown(pref?.scanScheduleDay) }),
      what: 'Defender ScanScheduleDay',
    });
  }
  return out;
}

async function avWork(sys: SystemContext): Promise<AvWork> {
  if (sys.os !== 'windows') throw fail('prep.av.notWindows', msg('prep.av.notWindows'), { exit: ExitCode.badInput });
  const state = await detectAntivirus(sys);
  const notes: Message[] = [...state.reasons];
  const commands = scepCommands(state);
  let defender = defenderCommands(state);
  let tamperBlocked = false;
  if (defender.length && state.defender.status?.isTamperProtected) {
    tamperBlocked = true;
    defender = [];
    notes.push(msg('prep.av.note.tamperBlocks'));
  }
  commands.push(...defender);
  if (!state.scep.installed && state.defender.service.exists === false) notes.push(msg('prep.av.note.none'));
  if (commands.length) notes.push(msg('prep.av.note.verifyByReading'));
  // Nothing to change because nothing could be read is no "up to date": applying fails, naming what was not read.
  // SCEP's policy values unread block all: their undo ("delete a value not set") could erase the admin's own.
  const unreadable = (commands.length === 0 && state.unreadable.length > 0) || state.scep.policyUnreadable;
  return { state, commands, tamperBlocked, unreadable, notes };
}

function unreadableError(state: AntivirusState): DsaError {
  return fail('prep.av.unreadable', msg('prep.av.unreadable', { what: state.unreadable[0]! }), {
    remedy: msg('prep.av.unreadableRemedy'),
  });
}

function tamperError(): DsaError {
  return fail('prep.av.tamperProtected', msg('prep.av.tamperProtected'), {
    remedy: msg('prep.av.tamperProtectedRemedy'),
  });
}

/** The antivirus that conflicts with the agent off: SCEP's policy values and Defender's preferences. */
export const antivirusStep: StepDescriptor<AntivirusStepInput> = {
  id: 'antivirus',
  titleKey: 'prep.av.title',
  input: AntivirusStepInput,
  flags: [{ flags: '--disable-scep', helpKey: 'prep.cli.disableScep' }],
  platforms: ['windows'],
  defaultOn: ['windows'],
  needs: [],
  fromOptions: (opts) => (opts.disableScep ? {} : null),

  async plan(sys): Promise<StepPlanBody> {
    const w = await avWork(sys);
    const changes: CommandActionInput[] = w.commands.map((c) => ({
      kind: 'command',
      command: c.command,
      args: c.args,
      timeoutSec: 60,
      reason: c.reason,
      undo: c.revert,
    }));
    return {
      changes,
      notes: w.notes,
      rebootRequired: false,
      upToDate: changes.length === 0 && !w.tamperBlocked && !w.unreadable,
      // Tamper Protection blocks Defender's changes: applying fails with the reason, after the other actions.
      ...(w.tamperBlocked ? { blocked: tamperError().toInfo() } : {}),
      ...(w.unreadable ? { blocked: unreadableError(w.state).toInfo() } : {}),
    };
  },

  async verify(sys): Promise<Verification> {
    const w = await avWork(sys);
    if (w.tamperBlocked) return { ok: false, detail: msg('prep.av.tamperStillOn') };
    if (w.unreadable) return { ok: false, detail: msg('prep.av.unreadable', { what: w.state.unreadable[0]! }) };
    if (w.commands.length)
      return {
        ok: false,
        // Defender's real-time protection that stays on after Set-MpPreference is Tamper Protection's doing.
        detail: w.state.defender.status?.isTamperProtected
          ? msg('prep.av.tamperStillOn')
          : msg('prep.av.notVerified', { what: w.commands.map((c) => c.what).join(', ') }),
      };
    return { ok: true, detail: msg('prep.av.verified') };
  },
};
