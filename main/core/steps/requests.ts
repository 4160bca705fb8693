import type { StepRequest } from '../engine/plan.js';
import { loadManagerHosts } from '../inputs/load.js';

/** The inputs and flags that select steps (the CLI's options and the GUI's form share this shape). */
export interface StepOptions {
  hostsFile?: string;
}

/** The steps whose inputs or flags are given, in registry order, with their inputs loaded and parsed. */
export async function stepRequests(opts: StepOptions): Promise<StepRequest[]> {
  const out: StepRequest[] = [];
  if (opts.hostsFile)
    out.push({ stepId: 'hosts', input: { source: opts.hostsFile, entries: await loadManagerHosts(opts.hostsFile) } });
  return out;
}
