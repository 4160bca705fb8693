import { detectAgentPackage } from '../platform/inspect.js';
import type { SystemContext } from '../system.js';
import { agentTool, queryServiceState, runAgentCommand, type ServiceState } from './agentTools.js';

/** The agent as the machine sees it: package, service, activation. */
export interface AgentState {
  /** Whether the package is installed (null: no package database could be asked). */
  installed: boolean | null;
  version?: string;
  service: ServiceState;
  /** Activated with a manager (null: dsa_query could not be asked). */
  activated: boolean | null;
  /** The manager the agent is bound to (`AgentStatus.dsmUrl`). */
  dsmUrl?: string;
  /** `AgentStatus.agentState` (`green`… in contact with the manager). */
  agentState?: string;
  /** Activated and in contact with its manager. */
  inContact: boolean | null;
  /** The host name the agent registered with, when dsa_query reports it. */
  registeredHostname?: string;
  /** Last contact with the manager, as dsa_query reports it. */
  lastContact?: string;
  /** Every `AgentStatus.*` value dsa_query printed (hashes included). */
  raw: Record<string, string>;
}

/** Parses `dsa_query` output (`Name.key: value` lines) into a record. */
export function parseDsaQuery(out: string): Record<string, string> {
  const rec: Record<string, string> = {};
  for (const line of out.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z][\w.]*)\s*:\s?(.*?)\s*$/.exec(line);
    if (m) rec[m[1]!] = m[2]!;
  }
  return rec;
}

/**
 * Reads activation from `dsa_query -c GetAgentStatus` output: activated when it names a manager URL and an
 * agent certificate hash that is not the agent's bootstrap hash; in contact when also `agentState` is green.
 */
export function activationFromStatus(
  rec: Record<string, string>,
): Pick<AgentState, 'activated' | 'dsmUrl' | 'agentState' | 'inContact' | 'registeredHostname' | 'lastContact'> {
  const dsmUrl = rec['AgentStatus.dsmUrl'] ?? '';
  const cert = rec['AgentStatus.agentCertHash'] ?? '';
  const bootstrap = rec['AgentStatus.bootstrapCertHash'] ?? rec['AgentStatus.agentBootstrapCertHash'] ?? '';
  const activated = dsmUrl !== '' && cert !== '' && cert.toLowerCase() !== bootstrap.toLowerCase();
  const agentState = rec['AgentStatus.agentState'];
  const lastKey = Object.keys(rec).find((k) => /^AgentStatus\.last(Heartbeat|Contact|Communication)/i.test(k));
  const hostKey = Object.keys(rec).find((k) => /^AgentStatus\.(hostname|hostName|computerName)$/.test(k));
  return {
    activated,
    ...(dsmUrl ? { dsmUrl } : {}),
    ...(agentState ? { agentState } : {}),
    inContact: activated && /^(green|online|managed)$/i.test(agentState ?? ''),
    ...(hostKey && rec[hostKey] ? { registeredHostname: rec[hostKey] } : {}),
    ...(lastKey && rec[lastKey] ? { lastContact: rec[lastKey] } : {}),
  };
}

/** Runs `dsa_query -c COMMAND`; null when the tool is missing or fails. */
export async function dsaQuery(sys: SystemContext, command: string): Promise<Record<string, string> | null> {
  const r = await runAgentCommand(sys, agentTool(sys, 'dsa_query', ['-c', command]), { timeoutMs: 30_000 });
  if (r.notFound || r.timedOut || r.exitCode !== 0) return null;
  return parseDsaQuery(r.stdout);
}

/**
 * The agent's state: package (rpm/dpkg/registry), service (`ds_agent`), and activation from
 * `dsa_query -c GetAgentStatus`. Never throws for a missing agent.
 */
export async function queryAgentState(sys: SystemContext): Promise<AgentState> {
  const pkg = await detectAgentPackage(sys);
  const service = await queryServiceState(sys);
  const rec = pkg.installed === false ? null : await dsaQuery(sys, 'GetAgentStatus');
  const act = rec ? activationFromStatus(rec) : { activated: pkg.installed === false ? false : null, inContact: null };
  return {
    installed: pkg.installed,
    ...(pkg.version ? { version: pkg.version } : {}),
    service,
    ...act,
    inContact: act.inContact ?? null,
    raw: rec ?? {},
  };
}
