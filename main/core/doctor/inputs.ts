import { z } from 'zod';
import { parseHostPort, type HostPort } from '../inputs/hostPort.js';
import { managerFlavour } from '../openings.js';
import type { Lang } from '../i18n.js';
import { inputError } from '../errors.js';
import { msg } from '../message.js';
import { loadActivation, loadManagerHosts } from '../inputs/load.js';
import { parseActivationUrl } from '../inputs/activation.js';
import { sameHostName } from '../inputs/names.js';
import type { DoctorInputs } from './types.js';

/** Default port of a relay. */
export const RELAY_PORT = 4122;

/** The doctor's options as the CLI and the GUI give them (validated before use). */
export const DoctorOptionsSchema = z.object({
  hostsFile: z.string().min(1).optional(),
  activationFile: z.string().min(1).optional(),
  manager: z.string().min(1).optional(),
  tenantId: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  relay: z.array(z.string().min(1)).optional(),
  target: z.array(z.string().min(1)).optional(),
  ntpServer: z.string().min(1).optional(),
  proxy: z.string().min(1).optional(),
  installer: z.string().min(1).optional(),
  kernelList: z.string().min(1).optional(),
});
export type DoctorOptionsInput = z.infer<typeof DoctorOptionsSchema>;

/** `HOST`, `HOST:PORT` or `[V6]:PORT` of an option (the one host:port parser), or bad input naming the option. */
export function hostPortOption(s: string, defaultPort: number | null, option: string): HostPort {
  const hp = parseHostPort(s, defaultPort);
  if (!hp)
    throw inputError(
      'doctor.badTarget',
      msg('doctor.input.badTarget', {
        option,
        value: s,
        expected: defaultPort === null ? 'HOST:PORT' : 'HOST[:PORT]',
      }),
    );
  return hp;
}

/** Reads and checks the doctor's inputs; a bad file or value is a bad-input error (exit 2) naming it. */
export async function loadDoctorInputs(raw: unknown, lang: Lang): Promise<DoctorInputs> {
  const parsed = DoctorOptionsSchema.safeParse(raw);
  if (!parsed.success)
    throw inputError(
      'doctor.badOptions',
      msg('doctor.input.badOptions', {
        problem: parsed.error.issues[0]?.message ?? '',
      }),
    );
  const o = parsed.data;
  const inputs: DoctorInputs = { lang, secrets: [], secretFields: [] };
  if (o.hostsFile) inputs.hostsFile = { path: o.hostsFile, entries: await loadManagerHosts(o.hostsFile) };
  let hasTenant = Boolean(o.tenantId);
  if (o.manager) {
    const m = parseActivationUrl(o.manager);
    if (!m)
      throw inputError(
        'doctor.badManager',
        msg('doctor.input.badManager', { value: o.manager }),
        msg('doctor.input.badManagerRemedy'),
      );
    inputs.manager = { ...m, saas: false, source: '--manager' };
  } else if (o.activationFile) {
    const a = await loadActivation(o.activationFile);
    for (const arg of a.args)
      if (arg.secret) {
        inputs.secrets!.push(arg.value);
        inputs.secretFields!.push({ value: arg.value, kind: arg.key });
      }
    hasTenant ||= a.args.some((x) => x.key === 'tenantID');
    inputs.manager = { ...a.manager, saas: false, source: o.activationFile };
    // The proxy the deployment script gives the agent (`dsa_control -x`) is the path activation will take.
    if (a.proxy && !o.proxy) inputs.agentProxy = { host: a.proxy.host, port: a.proxy.port, source: o.activationFile };
  }
  if (inputs.manager) inputs.manager.saas = managerFlavour(inputs.manager, hasTenant) === 'cloud-one';
  for (const [value, kind] of [
    [o.token, 'token'],
    [o.tenantId, 'tenantID'],
  ] as const)
    if (value) {
      inputs.secrets!.push(value);
      inputs.secretFields!.push({ value, kind });
    }
  const relays = (o.relay ?? []).map((r) => hostPortOption(r, RELAY_PORT, '--relay'));
  // Relay names from the manager hosts file (the provider's file lists them next to the manager).
  for (const e of inputs.hostsFile?.entries ?? []) {
    const m = inputs.manager;
    if (m && e.names.some((x) => sameHostName(x, m.host))) continue;
    const n = e.names.find((x) => /relay/i.test(x));
    if (n && !relays.some((r) => sameHostName(r.host, n))) relays.push({ host: n, port: RELAY_PORT });
  }
  if (relays.length) inputs.relays = relays;
  if (o.target?.length) inputs.extraTargets = o.target.map((t) => hostPortOption(t, null, '--target'));
  if (o.ntpServer) inputs.ntpServer = o.ntpServer;
  if (o.proxy)
    inputs.agentProxy = {
      ...hostPortOption(o.proxy.replace(/^(dsm_proxy|https?):\/\/|\/$/g, ''), null, '--proxy'),
      source: '--proxy',
    };
  if (o.installer) inputs.installer = o.installer;
  if (o.kernelList) inputs.kernelList = o.kernelList;
  return inputs;
}
