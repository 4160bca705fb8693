import { detectOs } from '../platform/inspect.js';
import type { SystemContext } from '../system.js';
import { STEPS } from '../steps/registry.js';
import type { StepChoice } from '../ipc/contract.js';

/** What the window has given that steps need. */
export interface ChoiceInputs {
  hostsFile?: string;
  installer?: string;
}

/** The input a step needs before it can be chosen (a translation key saying so), if any. */
const NEEDS: Record<string, (i: ChoiceInputs) => string | null> = {
  hosts: (i) => (i.hostsFile ? null : 'ui.plan.needsHostsFile'),
  firewall: (i) => (i.hostsFile ? null : 'ui.plan.needsHostsFile'),
  install: (i) => (i.installer ? null : 'ui.plan.needsInstaller'),
};

/** Each step's platform default (IPv6 off on RHEL, the old antivirus on Windows). */
const DEFAULT_ON: Record<string, (family: string) => boolean> = {
  hosts: () => true,
  ipv6: (f) => f === 'rhel',
  antivirus: (f) => f === 'windows',
  firewall: () => false,
  install: () => true,
};

/**
 * The step catalogue as the window offers it: every step with its platform default and, when its input is
 * missing, the reason it cannot be chosen. (The one place to swap for the engine's step descriptors.)
 */
export async function stepChoices(
  sys: SystemContext,
  inputs: ChoiceInputs,
  selected: Record<string, boolean>,
): Promise<StepChoice[]> {
  const family = sys.os === 'windows' ? 'windows' : (await detectOs(sys)).family;
  return STEPS.map((s): StepChoice => {
    const missing = NEEDS[s.id]?.(inputs) ?? null;
    const defaultOn = !missing && (DEFAULT_ON[s.id]?.(family) ?? false);
    return {
      id: s.id,
      titleKey: s.titleKey,
      available: !missing,
      ...(missing ? { unavailableKey: missing } : {}),
      defaultSelected: defaultOn,
      selected: !missing && (selected[s.id] ?? defaultOn),
    };
  });
}
