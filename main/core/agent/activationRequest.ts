import { inputError } from '../errors.js';
import { loadActivation, unwrapParse } from '../inputs/load.js';
import { parseActivationUrl, type ActivationArg, type ActivationInput } from '../inputs/activation.js';
import { formatHostPort, parseHostPort } from '../inputs/hostPort.js';
import { issueAt } from '../inputs/issues.js';
import { lookalikeIssue } from '../inputs/textFile.js';
import { isHostName, isIpAddress } from '../inputs/names.js';
import { inspectSystem } from '../platform/inspect.js';
import type { SystemContext } from '../system.js';
import type { ActivationRequest } from './activationArgs.js';
import { msg, type Message } from '../message.js';
import { managerFlavour } from '../openings.js';
import { hostNameSource, type PlatformKind } from '../platformText.js';

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

/**
 * Stops (exit 2) when the activation file takes a value from outside (`$1`, an environment variable, a param()
 * without default) that no option gives: the error names the value, where the script takes it from and the option.
 */
function requireExternalValues(fileName: string, file: ActivationInput, o: ActivationRequestOptions): void {
  const given: Record<string, string | undefined> = {
    manager: o.manager,
    tenantID: o.tenantId,
    token: o.token,
    policyid: o.policyId,
    groupid: o.groupId,
    hostname: o.hostname,
    proxy: o.proxy,
    proxyAuth: o.proxyAuth,
  };
  const missing = file.external.filter((e) => !given[e.key]);
  if (missing.length === 0) return;
  unwrapParse(fileName, {
    ok: false,
    issues: missing.map((e) =>
      issueAt(
        fileName,
        e.line,
        e.column,
        e.option ? 'inputs.activation.fromOutside' : 'inputs.activation.fromOutsideNoOption',
        { what: e.key, from: e.from, ...(e.option ? { option: e.option } : {}) },
      ),
    ),
  });
}

/**
 * Refuses (exit 2) a value given for the activation that is empty, has a space, or a character pasted from a web
 * page or typed with the input method on (a typographic quote, a full-width or invisible character): the agent
 * would send it as it is and the manager refuse a token that only looks right. Names the value and the character,
 * never the value itself (a secret).
 */
function checkGivenValues(o: ActivationRequestOptions): void {
  const given: [string, string | undefined][] = [
    ['manager', o.manager],
    ['tenantID', o.tenantId],
    ['token', o.token],
    ['policyid', o.policyId],
    ['groupid', o.groupId],
    ['hostname', o.hostname],
    ['proxy', o.proxy],
  ];
  for (const [key, value] of given) {
    if (value === undefined) continue;
    if (value.trim() === '') throw inputError('agent.activate.emptyValue', msg('agent.activate.emptyValue', { key }));
    const look = lookalikeIssue('', 0, value);
    const space = /\s/.exec(value);
    if (look || space)
      throw inputError(
        'agent.activate.badCharacter',
        msg('agent.activate.badCharacter', {
          key,
          column: look?.column ?? space!.index + 1,
          problem: look?.message ?? msg('agent.activate.space'),
        }),
      );
  }
}

/** Builds the activation request from the activation file and the flags (flags win); exit 2 on bad input. */
export async function activationRequest(sys: SystemContext, o: ActivationRequestOptions): Promise<ActivationRequest> {
  checkGivenValues(o);
  const file = o.activationFile ? await loadActivation(o.activationFile) : null;
  if (file && o.activationFile) requireExternalValues(o.activationFile, file, o);
  let manager = file?.manager ?? null;
  if (o.manager) {
    manager = parseActivationUrl(o.manager);
    if (!manager) throw inputError('agent.activate.badManager', msg('agent.activate.badManager', { value: o.manager }));
  }
  if (!manager) throw inputError('agent.activate.noManager', msg('agent.activate.noManager'));
  const args: ActivationArg[] = [...(file?.args ?? [])];
  const set = (key: ActivationArg['key'], value: string | undefined, secret: boolean): void => {
    if (value === undefined) return;
    if ((key === 'policyid' || key === 'groupid') && !/^\d+$/.test(value))
      throw inputError('agent.activate.notNumber', msg('agent.activate.notNumber', { key, value }));
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
    throw inputError('agent.activate.tenantTokenPair', msg('agent.activate.tenantTokenPair'));
  let hostname: ActivationRequest['hostname'] = null;
  const fromFile = args.find((a) => a.key === 'hostname')?.value;
  if (o.hostname) {
    if (!isHostName(o.hostname) && !isIpAddress(o.hostname))
      throw inputError('agent.activate.badHostname', msg('agent.activate.badHostname', { value: o.hostname }));
    hostname = { value: o.hostname, source: 'flag' };
  } else if (fromFile) hostname = { value: fromFile, source: 'activationFile' };
  else {
    const h = (await inspectSystem(sys)).hostname;
    if (h) hostname = { value: h, source: 'system' };
  }
  if (o.proxy && !parseHostPort(o.proxy.replace(/^dsm_proxy:\/\//, '').replace(/\/$/, '')))
    throw inputError('agent.activate.badProxy', msg('agent.activate.badProxy', { value: o.proxy }));
  if (o.proxyAuth && !o.proxyAuth.includes(':'))
    throw inputError('agent.activate.badProxyAuth', msg('agent.activate.badProxyAuth'));
  const password = o.password ?? process.env.DSA_SETUP_AGENT_PASSWORD;
  const proxy = o.proxy ?? (file?.proxy ? formatHostPort(file.proxy) : undefined);
  const proxyAuth = o.proxyAuth ?? (o.proxy ? undefined : file?.proxy?.auth);
  const relay = file?.relayProxy;
  return {
    manager,
    args: args.filter((a) => a.key !== 'hostname'),
    hostname,
    ...(proxy ? { proxy } : {}),
    ...(proxyAuth ? { proxyAuth } : {}),
    ...(relay ? { relayProxy: formatHostPort(relay) } : {}),
    ...(relay?.auth ? { relayProxyAuth: relay.auth } : {}),
    ...(file?.warnings.length ? { warnings: file.warnings } : {}),
    ...(password ? { password } : {}),
  };
}

/**
 * The notice of the host name sent with the activation, worded for the manager in use: on Cloudn / Deep Security
 * Manager it must be the name registered in the order; Cloud One has no order form (the name is how the console
 * lists this computer). The system's name is named as the platform has it (uname -n, or the computer name).
 */
export function hostnameNotice(req: ActivationRequest, platform: PlatformKind): Message {
  const flavour = managerFlavour(
    req.manager,
    req.args.some((a) => a.key === 'tenantID'),
  );
  const h = req.hostname;
  if (!h) return msg('agent.activate.hostnameNone');
  const source = h.source === 'system' ? hostNameSource(platform) : msg(`agent.activate.hostnameSource.${h.source}`);
  return msg(flavour === 'cloud-one' ? 'agent.activate.hostnameUsedCloudOne' : 'agent.activate.hostnameUsed', {
    name: h.value,
    source,
  });
}
