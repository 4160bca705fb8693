import { Option, type Command } from 'commander';
import type { Translate } from '../core/i18n.js';

/** Adds the options that select steps (inputs and flags) to plan/apply. */
export function addStepOptions(cmd: Command, t: Translate): Command {
  return cmd
    .option('--hosts-file <file>', t('cli.help.hostsFile'))
    .option('--rewrite-utf16-hosts', t('cli.help.rewriteUtf16Hosts'))
    .option('--installer <file>', t('agent.help.installer'))
    .option('--kernel-list <file>', t('agent.help.kernelList'))
    .option('--service-wait <seconds>', t('agent.help.serviceWait'))
    .addOption(new Option('--disable-ipv6 [method]', t('prep.cli.disableIpv6')).choices(['addressing', 'protocol']))
    .option('--disable-scep', t('prep.cli.disableScep'))
    .option('--open-firewall', t('prep.cli.openFirewall'))
    .option('--manager-initiated', t('prep.cli.managerInitiated'))
    .option('--firewall-allow <address:port...>', t('prep.cli.firewallAllow'));
}
