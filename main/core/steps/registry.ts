import { hostsStep } from './hostsStep.js';
import type { AnyStep } from './types.js';

/** Every step, in the order a plan applies them. */
export const STEPS: readonly AnyStep[] = [hostsStep];

/** The step with this id, or undefined. */
export function findStep(id: string): AnyStep | undefined {
  return STEPS.find((s) => s.id === id);
}
