import { activationUrl, type ActivationArg, type ManagerAddress } from '../inputs/activation.js';

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
  /** The agent's self-protection password (`-p`). */
  password?: string;
}

const ORDER = ['tenantID', 'token', 'policyid', 'groupid', 'relaygroupid', 'description', 'displayname'];

/**
 * The argument array of `dsa_control`: options first (`-x dsm_proxy://…/`, `-u USER:PASS`, `-p PASSWORD`),
 * then `-a dsm://HOST:PORT/ hostname:NAME tenantID:… token:… policyid:… groupid:…`.
 */
export function buildActivationArgs(req: ActivationRequest): string[] {
  const out: string[] = [];
  if (req.proxy) out.push('-x', `dsm_proxy://${req.proxy.replace(/^dsm_proxy:\/\//, '').replace(/\/$/, '')}/`);
  if (req.proxy && req.proxyAuth) out.push('-u', req.proxyAuth);
  if (req.password) out.push('-p', req.password);
  out.push('-a', activationUrl(req.manager));
  if (req.hostname) out.push(`hostname:${req.hostname.value}`);
  const args = [...req.args.filter((a) => a.key !== 'hostname')].sort(
    (a, b) => ORDER.indexOf(a.key) - ORDER.indexOf(b.key),
  );
  for (const a of args) out.push(`${a.key}:${a.value}`);
  return out;
}

/** The reset's argument array: `-r` (with `-p PASSWORD` when the agent has self-protection on). */
export function buildResetArgs(req: Pick<ActivationRequest, 'password'>): string[] {
  return [...(req.password ? ['-p', req.password] : []), '-r'];
}

/** Every secret value of a request (token, tenant ID, proxy password, self-protection password). */
export function requestSecrets(req: ActivationRequest): string[] {
  const s = req.args.filter((a) => a.secret).map((a) => a.value);
  if (req.proxyAuth?.includes(':')) s.push(req.proxyAuth.slice(req.proxyAuth.indexOf(':') + 1));
  if (req.password) s.push(req.password);
  return s.filter((v) => v.length > 0);
}
