import type { SystemContext } from '../system.js';

const WIN_DATA = 'C:\\ProgramData\\Trend Micro\\Deep Security Agent';

/** The agent's log files, newest-first candidates, as paths of the target system. */
export function agentLogPaths(sys: SystemContext): string[] {
  if (sys.os === 'windows')
    return [`${WIN_DATA}\\diag\\ds_agent.log`, `${WIN_DATA}\\diag\\ds_agent-err.log`, `${WIN_DATA}\\diag\\ds_am.log`];
  return [
    '/var/opt/ds_agent/diag/ds_agent.log',
    '/var/opt/ds_agent/diag/ds_agent-err.log',
    '/var/opt/ds_agent/diag/ds_am.log',
    '/var/log/ds_agent/ds_agent.log',
    '/var/log/ds_agent/ds_agent-err.log',
  ];
}

/** The agent's configuration files (those that exist are read for a proxy setting and go into the bundle). */
export function agentConfigPaths(sys: SystemContext): string[] {
  if (sys.os === 'windows')
    return [
      `${WIN_DATA}\\dsa_core\\ds_agent.ini`,
      `${WIN_DATA}\\dsa_core\\ds_agent.config`,
      `${WIN_DATA}\\ds_agent.ini`,
    ];
  return [
    '/var/opt/ds_agent/dsa_core/ds_agent.ini',
    '/var/opt/ds_agent/dsa_core/ds_agent.config',
    '/var/opt/ds_agent/ds_agent.ini',
    '/etc/use_dsa_with_iptables',
    '/etc/sysconfig/ds_agent',
    '/etc/default/ds_agent',
  ];
}
