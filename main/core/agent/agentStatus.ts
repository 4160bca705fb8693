import type { AgentStatusView } from '../ipc/contract.js';
import type { SystemContext } from '../system.js';
import { dsaQuery, queryAgentState, type AgentState } from './agentState.js';

/** One protection module and its component version, as `dsa_query -c GetComponentInfo` reports it. */
export interface ModuleInfo {
  module: string;
  /** `on`, `off`, `not installed`… as the agent says it. */
  mode?: string;
  version?: string;
}

export interface AgentStatus {
  state: AgentState;
  modules: ModuleInfo[];
  /** Plug-in → version from `dsa_query -c GetPluginVersion`. */
  plugins: Record<string, string>;
}

/** Groups `Component.<MODULE>.<field>: value` lines (GetComponentInfo) by module. */
export function parseComponentInfo(rec: Record<string, string>): ModuleInfo[] {
  const by = new Map<string, ModuleInfo>();
  for (const [k, v] of Object.entries(rec)) {
    const m = /^Component\.([^.]+)\.(\w+)$/.exec(k);
    if (!m) continue;
    const mod = by.get(m[1]!) ?? { module: m[1]! };
    if (/^(mode|state|status)$/i.test(m[2]!)) mod.mode = v;
    else if (/version/i.test(m[2]!)) mod.version = v;
    by.set(m[1]!, mod);
  }
  return [...by.values()];
}

/** Reads `PluginVersion.<name>: version` lines (GetPluginVersion). */
export function parsePluginVersions(rec: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec)) {
    const m = /^PluginVersion\.(.+)$/.exec(k);
    if (m && v) out[m[1]!] = v;
  }
  return out;
}

/**
 * The agent's status for `dsa-setup status` and the app: version, service, activation and manager URL, last
 * contact, protection modules with their component versions, plug-in versions.
 */
export async function agentStatus(sys: SystemContext): Promise<AgentStatus> {
  const state = await queryAgentState(sys);
  if (!state.installed || state.service !== 'running') return { state, modules: [], plugins: {} };
  const [components, plugins] = await Promise.all([
    dsaQuery(sys, 'GetComponentInfo'),
    dsaQuery(sys, 'GetPluginVersion'),
  ]);
  return {
    state,
    modules: components ? parseComponentInfo(components) : [],
    plugins: plugins ? parsePluginVersions(plugins) : {},
  };
}

/** Whether the agent protects this machine: installed, running, activated and in contact with its manager. */
export function isProtecting(s: AgentStatus): boolean {
  return (
    s.state.installed === true &&
    s.state.service === 'running' &&
    s.state.activated === true &&
    s.state.inContact === true
  );
}

/** The verdict in plain words (a translation key): protecting, or the first thing that keeps it from it. */
export function statusVerdictKey(s: AgentStatus): string {
  const st = s.state;
  if (isProtecting(s)) return 'agent.status.protecting';
  if (st.installed === false) return 'agent.status.verdict.notInstalled';
  if (st.service !== 'running') return 'agent.status.verdict.notRunning';
  if (st.activated === false) return 'agent.status.verdict.notActivated';
  if (st.activated && st.inContact === false) return 'agent.status.verdict.noContact';
  return 'agent.status.verdict.unknown';
}

/** The status as the app and `status` present it (see `statusRows`). */
export function toStatusView(st: AgentStatus): AgentStatusView {
  return {
    installed: st.state.installed,
    version: st.state.version ?? null,
    service: st.state.service,
    activated: st.state.activated,
    dsmUrl: st.state.dsmUrl ?? null,
    agentState: st.state.agentState ?? null,
    lastContact: st.state.lastContact ?? null,
    modules: st.modules.map((m) => ({ module: m.module, mode: m.mode ?? null, version: m.version ?? null })),
    protecting: isProtecting(st),
    verdictKey: statusVerdictKey(st),
  };
}
