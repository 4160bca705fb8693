import { hostsStep } from './hostsStep.js';
import { installStep } from '../agent/installStep.js';
import { ipv6Step } from '../prep/ipv6Step.js';
import { antivirusStep } from '../prep/antivirusStep.js';
import { firewallStep } from '../prep/firewallStep.js';
import { timeSyncStep } from '../prep/timeSyncStep.js';
import type { AnyStep, StepNeed, StepOptions } from './types.js';
import type { OsFamily } from '../platform/inspect.js';

/** Every step, in the order a plan applies them. */
export const STEPS: readonly AnyStep[] = [hostsStep, ipv6Step, antivirusStep, firewallStep, timeSyncStep, installStep];

/** The step with this id, or undefined. */
export function findStep(id: string): AnyStep | undefined {
  return STEPS.find((s) => s.id === id);
}

/** A step as the window offers it: selected by default on this platform, or unavailable with the reason. */
export interface StepChoice {
  id: string;
  titleKey: string;
  available: boolean;
  unavailableKey?: string;
  defaultSelected: boolean;
  selected: boolean;
}

const NEED_KEYS: Record<StepNeed, string> = {
  hostsFile: 'ui.plan.needsHostsFile',
  installer: 'ui.plan.needsInstaller',
  ntpServer: 'ui.plan.needsNtpServer',
};

/**
 * The steps the window offers, from the descriptors: each step's platform default (IPv6 on RHEL, the old
 * antivirus on Windows), unavailable with the reason while an input it needs is missing.
 */
export function stepChoices(
  family: OsFamily,
  given: Partial<Record<StepNeed, boolean>>,
  selected: Record<string, boolean> = {},
): StepChoice[] {
  return STEPS.map((s) => {
    const missing = s.needs.find((n) => !given[n]);
    const defaultOn = !missing && (s.defaultOn === 'all' || s.defaultOn.includes(family));
    return {
      id: s.id,
      titleKey: s.titleKey,
      available: !missing,
      ...(missing ? { unavailableKey: NEED_KEYS[missing] } : {}),
      defaultSelected: defaultOn,
      selected: !missing && (selected[s.id] ?? defaultOn),
    };
  });
}

/** The options that select exactly the chosen steps, with the files the window holds. */
export function optionsForChoices(
  choices: readonly StepChoice[],
  files: { hostsFile?: string | undefined; installer?: string | undefined },
): StepOptions {
  const on = (id: string): boolean => choices.some((c) => c.id === id && c.selected);
  return {
    ...(on('hosts') && files.hostsFile ? { hostsFile: files.hostsFile } : {}),
    ...(on('install') && files.installer ? { installer: files.installer } : {}),
    disableIpv6: on('ipv6'),
    disableScep: on('antivirus'),
    openFirewall: on('firewall'),
  };
}
