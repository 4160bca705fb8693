import type { CheckContext, CheckDef } from '../types.js';
import { hostsEntriesCheck } from './hosts.js';
import { networkChecks } from './network.js';
import { timeSkewCheck } from './time.js';
import { proxyCheck } from './proxy.js';
import { agentLogCheck } from './agentLog.js';
import { platformChecks } from './platform.js';
import { agentChecks } from './agent.js';
import { prepChecks } from './prep.js';

/** Every check of a doctor run, in display order (relay/extra targets add one `net.*` each). */
export function allChecks(ctx: Pick<CheckContext, 'inputs'>): CheckDef[] {
  return [
    hostsEntriesCheck,
    ...networkChecks(ctx),
    timeSkewCheck,
    proxyCheck,
    ...platformChecks,
    ...agentChecks,
    agentLogCheck,
    ...prepChecks,
  ];
}
