import { hostsStep } from './hostsStep.js';
import { installStep } from '../agent/installStep.js';
import { ipv6Step } from '../prep/ipv6Step.js';
import { antivirusStep } from '../prep/antivirusStep.js';
import { firewallStep } from '../prep/firewallStep.js';
import { timeSyncStep } from '../prep/timeSyncStep.js';
import type { AnyStep } from './types.js';

/** Every step, in the order a plan applies them. */
export const STEPS: readonly AnyStep[] = [hostsStep, ipv6Step, antivirusStep, firewallStep, timeSyncStep, installStep];

/** The step with this id, or undefined. */
export function findStep(id: string): AnyStep | undefined {
  return STEPS.find((s) => s.id === id);
}
