import { detectOs } from '../platform/inspect.js';
import type { SystemContext } from '../system.js';
import { stepChoices as descriptorChoices } from '../steps/registry.js';
import type { StepChoice } from '../ipc/contract.js';

/** What the window has given that steps need. */
export interface ChoiceInputs {
  hostsFile?: string;
  installer?: string;
}

/**
 * The step catalogue as the window offers it, from the engine's step descriptors: every step with its platform
 * default and, when its input is missing, the reason it cannot be chosen.
 */
export async function stepChoices(
  sys: SystemContext,
  inputs: ChoiceInputs,
  selected: Record<string, boolean>,
): Promise<StepChoice[]> {
  const family = sys.os === 'windows' ? 'windows' : (await detectOs(sys)).family;
  return descriptorChoices(family, { hostsFile: !!inputs.hostsFile, installer: !!inputs.installer }, selected);
}
