import { detectAgentPackage, type AgentPackageInfo } from '../platform/inspect.js';
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
  /** Last contact with the manager (ISO time from `lastAgentToManagerSession`, else as dsa_query reports it). */
  lastContact?: string;
  /** Seconds since the last agent → manager session, by the agent's own clock (`currentTime`). */
  lastContactAgeSec?: number;
  /** Every `AgentStatus.*` value dsa_query printed (hashes included). */
  raw: Record<string, string>;
}

/**
 * The agent certificate hash of an agent that was never activated (its bootstrap certificate), colon-separated hex as
 * `dsa_query` prints it — the value Trend's own Chef cookbook and Ansible role test `agentCertHash` against.
 */
export const BOOTSTRAP_CERT_HASH = 'D0:68:DE:48:1B:DC:4D:00:89:07:7F:85:15:20:C5:90:11:EB:56:6A';

/**
 * Parses `dsa_query` output (`Name.key: value` lines) into a record. The index the agent prints first
 * (`AgentStatus.15: driverState`, names without values) is left out.
 */
export function parseDsaQuery(out: string): Record<string, string> {
  const rec: Record<string, string> = {};
  for (const line of out.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z][\w.]*)\s*:\s?(.*?)\s*$/.exec(line);
    if (m && !/\.\d+$/.test(m[1]!)) rec[m[1]!] = m[2]!;
  }
  return rec;
}

const sameHash = (a: string, b: string): boolean =>
  a.replace(/[^0-9a-f]/gi, '').toLowerCase() === b.replace(/[^0-9a-f]/gi, '').toLowerCase();

/**
 * Reads activation from `dsa_query -c GetAgentStatus` output: activated when the agent certificate hash differs
 * from the bootstrap hash (BOOTSTRAP_CERT_HASH, or a `bootstrapCertHash` line where the agent prints one); in contact
 * when also `agentState` is green. Last contact: `lastAgentToManagerSession` against `currentTime` (epoch seconds).
 */
export function activationFromStatus(
  rec: Record<string, string>,
): Pick<
  AgentState,
  'activated' | 'dsmUrl' | 'agentState' | 'inContact' | 'registeredHostname' | 'lastContact' | 'lastContactAgeSec'
> {
  const dsmUrl = rec['AgentStatus.dsmUrl'] ?? '';
  const cert = rec['AgentStatus.agentCertHash'] ?? '';
  const bootstrap = rec['AgentStatus.bootstrapCertHash'] ?? rec['AgentStatus.agentBootstrapCertHash'] ?? '';
  const activated = cert
    ? !sameHash(cert, BOOTSTRAP_CERT_HASH) && !(bootstrap && sameHash(cert, bootstrap))
    : dsmUrl !== '';
  const agentState = rec['AgentStatus.agentState'];
  const session = Number(rec['AgentStatus.lastAgentToManagerSession']);
  const now = Number(rec['AgentStatus.currentTime']);
  const hasSession = /^\d+$/.test(rec['AgentStatus.lastAgentToManagerSession'] ?? '') && session > 0;
  const lastKey = Object.keys(rec).find((k) => /^AgentStatus\.last(Heartbeat|Contact|Communication)/i.test(k));
  const lastContact = hasSession ? new Date(session * 1000).toISOString() : lastKey ? rec[lastKey] : undefined;
  const hostKey = Object.keys(rec).find((k) => /^AgentStatus\.(hostname|hostName|computerName)$/.test(k));
  return {
    activated,
    ...(dsmUrl ? { dsmUrl } : {}),
    ...(agentState ? { agentState } : {}),
    inContact: activated && /^(green|online|managed)$/i.test(agentState ?? ''),
    ...(hostKey && rec[hostKey] ? { registeredHostname: rec[hostKey] } : {}),
    ...(lastContact ? { lastContact } : {}),
    ...(hasSession && Number.isFinite(now) && now >= session ? { lastContactAgeSec: now - session } : {}),
  };
}

/** Runs `dsa_query -c COMMAND` (killed at 30 s or when `signal` aborts); null when the tool is missing or fails. */
export async function dsaQuery(
  sys: SystemContext,
  command: string,
  signal?: AbortSignal,
): Promise<Record<string, string> | null> {
  const r = await runAgentCommand(sys, agentTool(sys, 'dsa_query', ['-c', command]), {
    timeoutMs: 30_000,
    ...(signal ? { signal } : {}),
  });
  if (r.notFound || r.timedOut || r.exitCode !== 0) return null;
  return parseDsaQuery(r.stdout);
}

/**
 * The agent's state: package (rpm/dpkg/registry), service (`ds_agent`), and activation from
 * `dsa_query -c GetAgentStatus`. Never throws for a missing agent. `pkg`: the package as already read in this
 * run (`detectAgentPackage`), so one run reads it once.
 */
export async function queryAgentState(sys: SystemContext, pkg?: AgentPackageInfo): Promise<AgentState> {
  pkg ??= await detectAgentPackage(sys);
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
