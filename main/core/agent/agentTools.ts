import { existsSync } from 'node:fs';
import type { ExecOptions, ExecResult } from '../exec.js';
import type { SystemContext } from '../system.js';
import { parseScQuery } from '../platform/scQuery.js';

/** A command of the agent, resolved for the target: what to run, and whether it runs for real under a root. */
export interface AgentCommand {
  command: string;
  args: string[];
  /** Run for real even under a sandbox root (the root's own test program). */
  real: boolean;
  env?: Record<string, string>;
}

/** The 64-bit Program Files directory (never `Program Files (x86)`, also from a 32-bit process). */
export function programFiles64(sys: SystemContext): string {
  if (!sys.live) return 'C:\\Program Files';
  const w = sys.env.ProgramW6432;
  if (w) return w;
  const pf = sys.env.ProgramFiles ?? 'C:\\Program Files';
  return pf.replace(/\s*\(x86\)\s*$/i, '');
}

/** Where the agent's tools live: Linux `/opt/ds_agent`, Windows `<Program Files>\Trend Micro\Deep Security Agent`. */
export function agentToolPath(sys: SystemContext, tool: 'dsa_control' | 'dsa_query'): string {
  if (sys.os === 'windows') return `${programFiles64(sys)}\\Trend Micro\\Deep Security Agent\\${tool}.cmd`;
  return `/opt/ds_agent/${tool}`;
}

/**
 * Resolves `dsa_control` / `dsa_query` for the target. Live: the installed tool. Under `--root DIR`: when
 * `DIR/opt/ds_agent/<tool>` exists it is run for real with `DSA_ROOT=DIR` in its environment (in tests it is the
 * scripted tool the test package installed); otherwise the call goes to the sandbox executor (recorded, canned
 * replies) under its system path.
 */
export function agentTool(sys: SystemContext, tool: 'dsa_control' | 'dsa_query', args: string[]): AgentCommand {
  const path = agentToolPath(sys, tool);
  if (!sys.live && sys.os === 'linux' && existsSync(sys.path(path)))
    return { command: sys.path(path), args, real: true, env: { DSA_ROOT: sys.root } };
  return { command: path, args, real: false };
}

/** Runs an agent command through the system's executor. */
export function runAgentCommand(sys: SystemContext, c: AgentCommand, opts: ExecOptions = {}): Promise<ExecResult> {
  const o: ExecOptions = { ...opts, ...(c.env ? { env: { ...opts.env, ...c.env } } : {}) };
  return (c.real ? sys.exec.runReal : sys.exec.run)(c.command, c.args, o);
}

/** The agent's service, `ds_agent` everywhere (matched by service name, never by its display name). */
export const AGENT_SERVICE = 'ds_agent';

export type ServiceState = 'running' | 'stopped' | 'absent' | 'unknown';

/** The agent service's state from `sc query ds_agent` (read by shape, any Windows language); 1060: no such service. */
export function agentServiceState(out: string, exitCode: number | null): ServiceState {
  // A state line wins over a "1060" elsewhere (an exit code field); only sc's own error line says "not installed".
  const s = parseScQuery(out, exitCode);
  if (s.exists === false) return 'absent';
  if (!s.exists) return 'unknown';
  // 2 START_PENDING and 3 STOP_PENDING are not running yet: a wait goes on.
  return s.running ? 'running' : s.stateCode! >= 1 && s.stateCode! <= 3 ? 'stopped' : 'unknown';
}

/** How to ask for (and change) the agent service's state on the target. */
export function serviceCommand(sys: SystemContext, verb: 'status' | 'start'): AgentCommand | null {
  if (sys.os === 'windows')
    return { command: 'sc', args: [verb === 'status' ? 'query' : 'start', AGENT_SERVICE], real: false };
  const init = `/etc/init.d/${AGENT_SERVICE}`;
  if (!sys.live) {
    if (existsSync(sys.path(init)))
      return { command: sys.path(init), args: [verb], real: true, env: { DSA_ROOT: sys.root } };
    return null;
  }
  if (existsSync('/run/systemd/system'))
    return { command: 'systemctl', args: [verb === 'status' ? 'is-active' : 'start', AGENT_SERVICE], real: false };
  if (existsSync(init)) return { command: init, args: [verb], real: false };
  return null;
}

/** The agent service's state: systemd (`is-active`), the SysV script (exit 0 running, 3 stopped) or `sc query`. */
export async function queryServiceState(sys: SystemContext): Promise<ServiceState> {
  const c = serviceCommand(sys, 'status');
  if (!c) {
    // Under a root without the SysV script: a systemd unit file tells us it is installed, not whether it runs.
    const unit = ['/usr/lib/systemd/system', '/lib/systemd/system', '/etc/systemd/system'].some((d) =>
      existsSync(sys.path(`${d}/${AGENT_SERVICE}.service`)),
    );
    return unit ? 'unknown' : 'absent';
  }
  const r = await runAgentCommand(sys, c, { timeoutMs: 15_000 });
  if (r.notFound) return 'absent';
  if (sys.os === 'windows') return agentServiceState(r.stdout + r.stderr, r.exitCode);
  if (c.command === 'systemctl') {
    const s = r.stdout.trim();
    if (s === 'active' || s === 'reloading') return 'running';
    // `activating` is not running yet: also what a unit that keeps dying shows between restarts (auto-restart).
    if (s === 'inactive' || s === 'failed' || s === 'deactivating' || s === 'activating') {
      const load = await sys.exec.run('systemctl', ['show', '-p', 'LoadState', '--value', AGENT_SERVICE], {
        timeoutMs: 15_000,
      });
      return load.stdout.trim() === 'not-found' ? 'absent' : 'stopped';
    }
    return 'unknown';
  }
  if (r.exitCode === 0) return 'running';
  if (r.exitCode === 3 || r.exitCode === 1 || r.exitCode === 2) return 'stopped';
  return 'unknown';
}
