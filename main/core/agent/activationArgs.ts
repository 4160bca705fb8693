import { activationUrl, type ActivationArg, type ManagerAddress } from '../inputs/activation.js';
import type { ParseIssue } from '../inputs/issues.js';

/** Everything `dsa_control -a` is run with. */
export interface ActivationRequest {
  manager: ManagerAddress;
  /** Activation arguments (tenantID, token, policyid, groupid…) other than the host name. */
  args: ActivationArg[];
  /** The host name to register, and where it came from. */
  hostname: { value: string; source: 'flag' | 'activationFile' | 'system' } | null;
  /** `HOST:PORT` of a proxy to the manager (`-x dsm_proxy://HOST:PORT/`). */
  proxy?: string;
  /** `USER:PASS` for the proxy (`-u`). */
  proxyAuth?: string;
  /** `HOST:PORT` of a proxy to relays (`-y relay_proxy://HOST:PORT/`). */
  relayProxy?: string;
  /** `USER:PASS` for the relay proxy (`-w`). */
  relayProxyAuth?: string;
  /** Things in the activation file passed on as they are (an activation key this version does not know). */
  warnings?: ParseIssue[];
  /** The agent's self-protection password (`-p`). */
  password?: string;
}

const ORDER = [
  'tenantID',
  'tenantPassword',
  'token',
  'policyid',
  'policy',
  'policyname',
  'groupid',
  'group',
  'relaygroupid',
  'relaygroup',
  'relayid',
  'description',
  'displayname',
];

/**
 * The argument array of `dsa_control`: options first (`-x dsm_proxy://…/`, `-u USER:PASS`, `-p PASSWORD`),
 * then `-a dsm://HOST:PORT/ hostname:NAME tenantID:… token:… policyid:… groupid:…`.
 */
export function buildActivationArgs(req: ActivationRequest): string[] {
  const out: string[] = [];
  if (req.proxy) out.push('-x', `dsm_proxy://${req.proxy.replace(/^dsm_proxy:\/\//, '').replace(/\/$/, '')}/`);
  if (req.proxy && req.proxyAuth) out.push('-u', req.proxyAuth);
  if (req.relayProxy)
    out.push('-y', `relay_proxy://${req.relayProxy.replace(/^relay_proxy:\/\//, '').replace(/\/$/, '')}/`);
  if (req.relayProxy && req.relayProxyAuth) out.push('-w', req.relayProxyAuth);
  if (req.password) out.push('-p', req.password);
  out.push('-a', activationUrl(req.manager));
  if (req.hostname) out.push(`hostname:${req.hostname.value}`);
  // Known keys in the agent's usual order, unknown ones (passed on with a warning) after them.
  const rank = (k: string): number => (ORDER.includes(k) ? ORDER.indexOf(k) : ORDER.length);
  const args = [...req.args.filter((a) => a.key !== 'hostname')].sort((a, b) => rank(a.key) - rank(b.key));
  for (const a of args) out.push(`${a.key}:${a.value}`);
  return out;
}

/** The reset's argument array: `-r` (with `-p PASSWORD` when the agent has self-protection on). */
export function buildResetArgs(req: Pick<ActivationRequest, 'password'>): string[] {
  return [...(req.password ? ['-p', req.password] : []), '-r'];
}

/** Every secret value of a request (token, tenant ID and password, proxy passwords, self-protection password). */
export function requestSecrets(req: ActivationRequest): string[] {
  const s = req.args.filter((a) => a.secret).map((a) => a.value);
  for (const auth of [req.proxyAuth, req.relayProxyAuth])
    if (auth?.includes(':')) s.push(auth.slice(auth.indexOf(':') + 1));
  if (req.password) s.push(req.password);
  return s.filter((v) => v.length > 0);
}
