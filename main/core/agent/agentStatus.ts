import type { AgentStatusView } from '../ipc/contract.js';
import type { SystemContext } from '../system.js';
import { dsaQuery, queryAgentState, type AgentState } from './agentState.js';

/** One protection module and its component versions, as `dsa_query -c GetComponentInfo` reports it. */
export interface ModuleInfo {
  module: string;
  /** `on`, `off`, `driver-offline`, `not installed`… as the agent says it. */
  mode?: string;
  /** The module's version: a flat `version`, else its first engine's. */
  version?: string;
  /** Engine → version (`Component.AM.version.engine.ATSE`). */
  engines?: Record<string, string>;
  /** Pattern files (`Component.AM.version.pattern.N.name` / `.version`). */
  patterns?: { name: string; version: string }[];
  /** On and its driver online: `mode: driver-offline` or `driverOffline: true` is a module that does not protect. */
  protecting: boolean;
}

export interface AgentStatus {
  state: AgentState;
  modules: ModuleInfo[];
  /** Plug-in → version from `dsa_query -c GetPluginVersion`. */
  plugins: Record<string, string>;
}

type ModuleAcc = Omit<ModuleInfo, 'protecting'> & {
  driverOffline?: boolean;
  pat: Map<string, { name?: string; version?: string }>;
};

/** Groups `Component.<MODULE>.…` lines (GetComponentInfo, nested keys included) by module. */
export function parseComponentInfo(rec: Record<string, string>): ModuleInfo[] {
  const by = new Map<string, ModuleAcc>();
  for (const [k, v] of Object.entries(rec)) {
    const m = /^Component\.([^.]+)\.(.+)$/.exec(k);
    if (!m) continue;
    const mod: ModuleAcc = by.get(m[1]!) ?? { module: m[1]!, pat: new Map() };
    const field = m[2]!;
    let p: RegExpExecArray | null;
    if (/^(mode|state|status)$/i.test(field)) mod.mode = v;
    else if (/^driverOffline$/i.test(field)) mod.driverOffline = /^true$/i.test(v);
    else if (/^version$/i.test(field)) mod.version = v;
    else if ((p = /^version\.engine\.(.+)$/i.exec(field))) mod.engines = { ...mod.engines, [p[1]!]: v };
    else if ((p = /^version\.pattern\.(\d+)\.(name|version)$/i.exec(field))) {
      const e = mod.pat.get(p[1]!) ?? {};
      e[p[2]!.toLowerCase() as 'name' | 'version'] = v;
      mod.pat.set(p[1]!, e);
    }
    by.set(m[1]!, mod);
  }
  return [...by.values()].map(({ pat, driverOffline, ...mod }) => {
    const patterns = [...pat.entries()]
      .sort((a, b) => Number(a[0]) - Number(b[0]))
      .filter(([, e]) => e.name && e.version)
      .map(([, e]) => ({ name: e.name!, version: e.version! }));
    const version = mod.version ?? Object.values(mod.engines ?? {})[0];
    return {
      ...mod,
      ...(version ? { version } : {}),
      ...(patterns.length ? { patterns } : {}),
      protecting: /^on$/i.test(mod.mode ?? '') && driverOffline !== true,
    };
  });
}

/** Modules that are meant to protect but cannot: `mode: driver-offline`, or on with `driverOffline: true`. */
export function offlineModules(modules: readonly ModuleInfo[]): ModuleInfo[] {
  return modules.filter((m) => /driver-offline/i.test(m.mode ?? '') || (/^on$/i.test(m.mode ?? '') && !m.protecting));
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

/**
 * Whether the agent protects this machine: installed, running, activated, in contact with its manager, and no
 * module's driver offline.
 */
export function isProtecting(s: AgentStatus): boolean {
  return (
    s.state.installed === true &&
    s.state.service === 'running' &&
    s.state.activated === true &&
    s.state.inContact === true &&
    offlineModules(s.modules).length === 0
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
  if (offlineModules(s.modules).length) return 'agent.status.verdict.driverOffline';
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
