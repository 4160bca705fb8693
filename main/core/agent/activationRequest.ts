import { inputError } from '../errors.js';
import { loadActivation } from '../inputs/load.js';
import { parseActivationUrl, type ActivationArg } from '../inputs/activation.js';
import { isHostName, isIpAddress } from '../inputs/names.js';
import { inspectSystem } from '../platform/inspect.js';
import type { SystemContext } from '../system.js';
import type { ActivationRequest } from './activationArgs.js';

/** What an activation is asked with: the activation file and the flags that override it (CLI and app alike). */
export interface ActivationRequestOptions {
  activationFile?: string;
  manager?: string;
  tenantId?: string;
  token?: string;
  policyId?: string;
  groupId?: string;
  hostname?: string;
  proxy?: string;
  proxyAuth?: string;
  password?: string;
}

/** Builds the activation request from the activation file and the flags (flags win); exit 2 on bad input. */
export async function activationRequest(sys: SystemContext, o: ActivationRequestOptions): Promise<ActivationRequest> {
  const file = o.activationFile ? await loadActivation(o.activationFile) : null;
  let manager = file?.manager ?? null;
  if (o.manager) {
    manager = parseActivationUrl(o.manager);
    if (!manager) throw inputError('agent.activate.badManager', 'agent.activate.badManager', { value: o.manager });
  }
  if (!manager) throw inputError('agent.activate.noManager', 'agent.activate.noManager', {});
  const args: ActivationArg[] = [...(file?.args ?? [])];
  const set = (key: ActivationArg['key'], value: string | undefined, secret: boolean): void => {
    if (value === undefined) return;
    if ((key === 'policyid' || key === 'groupid') && !/^\d+$/.test(value))
      throw inputError('agent.activate.notNumber', 'agent.activate.notNumber', { key, value });
    const i = args.findIndex((a) => a.key === key);
    const arg = { key, value, secret };
    if (i >= 0) args[i] = arg;
    else args.push(arg);
  };
  set('tenantID', o.tenantId, true);
  set('token', o.token, true);
  set('policyid', o.policyId, false);
  set('groupid', o.groupId, false);
  if (args.some((a) => a.key === 'tenantID') !== args.some((a) => a.key === 'token'))
    throw inputError('agent.activate.tenantTokenPair', 'agent.activate.tenantTokenPair', {});
  let hostname: ActivationRequest['hostname'] = null;
  const fromFile = args.find((a) => a.key === 'hostname')?.value;
  if (o.hostname) {
    if (!isHostName(o.hostname) && !isIpAddress(o.hostname))
      throw inputError('agent.activate.badHostname', 'agent.activate.badHostname', { value: o.hostname });
    hostname = { value: o.hostname, source: 'flag' };
  } else if (fromFile) hostname = { value: fromFile, source: 'activationFile' };
  else {
    const h = (await inspectSystem(sys)).hostname;
    if (h) hostname = { value: h, source: 'system' };
  }
  if (o.proxy && !/^(\[[0-9a-f:.]+\]|[^\s:/]+):\d{1,5}\/?$/i.test(o.proxy.replace(/^dsm_proxy:\/\//, '')))
    throw inputError('agent.activate.badProxy', 'agent.activate.badProxy', { value: o.proxy });
  if (o.proxyAuth && !o.proxyAuth.includes(':'))
    throw inputError('agent.activate.badProxyAuth', 'agent.activate.badProxyAuth', {});
  const password = o.password ?? process.env.DSA_SETUP_AGENT_PASSWORD;
  return {
    manager,
    args: args.filter((a) => a.key !== 'hostname'),
    hostname,
    ...(o.proxy ? { proxy: o.proxy } : {}),
    ...(o.proxyAuth ? { proxyAuth: o.proxyAuth } : {}),
    ...(password ? { password } : {}),
  };
}
