import type { Lang } from '../i18n.js';
import { activationUrl } from '../inputs/activation.js';
import type { SystemContext } from '../system.js';
import { loadDoctorInputs } from '../doctor/inputs.js';
import { runDoctor, type DoctorResult } from '../doctor/runDoctor.js';
import type { ActivationRequest } from './activationArgs.js';

/** The doctor's checks of the path to the manager, in order: hosts lines, DNS, the proxy, TCP, TLS and HTTP. */
export const MANAGER_PATH_CHECKS = ['hosts.entries', 'dns.manager', 'proxy', 'net.manager', 'tls.manager'] as const;

/** How the doctor is run for an activation: in the user's language, with the portal's hosts file when given. */
export interface ManagerCheckOptions {
  lang: Lang;
  hostsFile?: string;
  signal?: AbortSignal;
}

/**
 * Runs the doctor's checks for the activation's manager (the same code as `dsa-setup doctor`): the path checks
 * (DNS → TCP → TLS → the manager's HTTP answer of the activation URL) plus `extra` check ids.
 */
export async function checkManager(
  sys: SystemContext,
  req: ActivationRequest,
  o: ManagerCheckOptions,
  extra: readonly string[] = [],
): Promise<DoctorResult> {
  const arg = (key: string): string | undefined => req.args.find((a) => a.key === key)?.value;
  const tenantId = arg('tenantID');
  const token = arg('token');
  const inputs = await loadDoctorInputs(
    {
      manager: activationUrl(req.manager),
      ...(o.hostsFile ? { hostsFile: o.hostsFile } : {}),
      ...(tenantId ? { tenantId } : {}),
      ...(token ? { token } : {}),
      ...(req.proxy ? { proxy: req.proxy } : {}),
    },
    o.lang,
  );
  const only = [...new Set([...MANAGER_PATH_CHECKS, ...extra])];
  return runDoctor(sys, inputs, { only, ...(o.signal ? { signal: o.signal } : {}) });
}

/**
 * Whether the doctor found the manager unreachable from here: the hosts lines, the name, the proxy or the TCP
 * connection failed, or TLS failed before the manager answered over it. A warning, or a certificate finding on a
 * connection the manager still answered (HTTP), is not "unreachable".
 */
export function managerUnreachable(d: DoctorResult): boolean {
  return d.checks.some((c) => {
    if (c.status !== 'fail' || !(MANAGER_PATH_CHECKS as readonly string[]).includes(c.id)) return false;
    if (c.id !== 'tls.manager') return true;
    return c.phases?.find((p) => p.name === 'manager')?.status !== 'pass';
  });
}
