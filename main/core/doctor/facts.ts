import { queryAgentState, type AgentState } from '../agent/agentState.js';
import { inspectSystem, type Inspection } from '../platform/inspect.js';
import type { CheckContext } from './types.js';

/**
 * One reading of each machine fact per doctor run, shared by every check and the result's host line, so that
 * two checks of one run never see two states of the machine. The readers are the ones `inspect` and `status`
 * call (see docs/architecture.md, "One reader per fact").
 */
const inspections = new WeakMap<CheckContext, Promise<Inspection>>();
const agentStates = new WeakMap<CheckContext, Promise<AgentState>>();

/** The value `read` gives, read once per run (`ctx`) and shared by every check that asks for it. */
export function once<T>(
  cache: WeakMap<CheckContext, Promise<T>>,
  ctx: CheckContext,
  read: () => Promise<T>,
): Promise<T> {
  let p = cache.get(ctx);
  if (!p) {
    p = read();
    cache.set(ctx, p);
  }
  return p;
}

/** The OS, kernel, architecture, host name and agent package of this run's machine (`inspectSystem`). */
export function inspectionOf(ctx: CheckContext): Promise<Inspection> {
  return once(inspections, ctx, () => inspectSystem(ctx.sys));
}

/**
 * The agent's package, service and activation on this run's machine (`queryAgentState`, as `status` reads it),
 * with the package as this run's inspection read it.
 */
export function agentStateOf(ctx: CheckContext): Promise<AgentState> {
  return once(agentStates, ctx, async () => queryAgentState(ctx.sys, (await inspectionOf(ctx)).agent));
}
