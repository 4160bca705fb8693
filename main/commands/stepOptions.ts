import type { Command } from 'commander';
import type { Translate } from '../core/i18n.js';

/** Adds the options that select steps (inputs and flags) to plan/apply. */
export function addStepOptions(cmd: Command, t: Translate): Command {
  return cmd.option('--hosts-file <file>', t('cli.help.hostsFile'));
}
