import { Option, type Command } from 'commander';
import type { Translate } from '../core/i18n.js';
import { STEPS } from '../core/steps/registry.js';

/** Adds the options that select steps (inputs and flags), as each step's descriptor declares them, to plan/apply. */
export function addStepOptions(cmd: Command, t: Translate): Command {
  for (const step of STEPS)
    for (const f of step.flags) {
      const o = new Option(f.flags, t(f.helpKey));
      cmd.addOption(f.choices ? o.choices(f.choices) : o);
    }
  return cmd;
}
