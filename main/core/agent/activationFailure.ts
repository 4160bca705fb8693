import { msg, type Message } from '../message.js';
import type { ManagerFlavour } from '../openings.js';
import { asAdmin, dsaControl, startAgentCommand, type PlatformKind } from '../platformText.js';

/** Why `dsa_control -a` did not activate the agent (or `ok`). */
export type ActivationReason =
  | 'ok'
  | 'nameNotResolvable'
  | 'unreachable'
  | 'proxy'
  | 'proxyAuth'
  | 'managerError'
  | 'tlsOrClock'
  | 'agentInitiatedRefused'
  | 'alreadyActivated'
  | 'untrustedPeer'
  | 'refused'
  | 'selfProtectionPassword'
  | 'agentNotRunning'
  | 'timeout'
  | 'noAnswer'
  | 'unknown';

export interface ActivationOutcome {
  reason: ActivationReason;
  ok: boolean;
  /** The reason (with the agent's line) and what to do, before it is worded for the platform (activationRemedy). */
  message: Message;
  remedy: Message;
  /** The output line that gave the reason away (secrets are masked by the caller). */
  detail: string;
  /** Worth trying again later (the manager may be busy, or the network not ready yet). */
  retryable: boolean;
  /** The doctor's checks that can tell what is wrong. */
  doctorChecks: string[];
  /** Commands the manager sent on success (`Received a 'X' command`). */
  managerCommands: string[];
}

/** Patterns in dsa_control's output, most specific first. Exit codes are not documented: output decides. */
const RULES: { reason: Exclude<ActivationReason, 'ok' | 'timeout' | 'unknown'>; re: RegExp }[] = [
  {
    reason: 'selfProtectionPassword',
    re: /self[- ]?protection|requires? (a |the )?password|password (is )?(required|incorrect|invalid)|authentication password/i,
  },
  {
    reason: 'agentNotRunning',
    re: /agent (service )?(is )?not running|failed to connect to (the )?(local )?agent|unable to (contact|connect to) (the )?(local )?agent|ds_agent (is )?not running|connection to (the )?agent (failed|refused)/i,
  },
  {
    // The agent's proxy asks for its user and password (libcurl: "Received HTTP code 407 from proxy after CONNECT").
    reason: 'proxyAuth',
    re: /HTTP Status:\s*407\b|Proxy Authentication Required|HTTP code 407 from proxy/i,
  },
  {
    // The agent's proxy, not the manager: its name does not resolve, or it refused the tunnel (libcurl's words).
    reason: 'proxy',
    re: /could ?n[o']t resolve proxy|unable to resolve proxy|HTTP code \d{3} from proxy|proxy CONNECT (aborted|failed)|failed to connect to (the )?proxy|proxy (connection )?(refused|error)/i,
  },
  {
    reason: 'nameNotResolvable',
    re: /could ?n[o']t resolve|unable to resolve|name or service not known|unknown host|resolve host|getaddrinfo|no address associated/i,
  },
  {
    reason: 'tlsOrClock',
    re: /ssl handshake failed|certificate (verify|verification) failed|certificate (has )?expired|not yet valid|unable to get local issuer|self[- ]signed certificate|ssl certificate problem|tls (handshake|alert)|clock skew|time (is )?out of sync/i,
  },
  {
    reason: 'agentInitiatedRefused',
    // The manager's real answer: "HTTP Status: 400 … Error: activation was not successful. The manager may not be
    // configured to allow agent-initiated activation, or … to allow re-activation of existing hosts."
    re: /agent[- ]initiated[- ](activation|re-?activation)?.*(not allowed|disabled|refused|denied)|agent-initiated-activation-disabled|re-?activation (is )?not allowed|not be configured to allow (agent[- ]initiated activation|re-?activation)/i,
  },
  {
    reason: 'alreadyActivated',
    re: /already (registered|activated|exists|been activated)|already-registered|HTTP Status:\s*409/i,
  },
  {
    // "403 - Forbidden - untrusted peer": the manager does not trust the identity this agent presents.
    reason: 'untrustedPeer',
    re: /untrusted peer/i,
  },
  {
    reason: 'refused',
    re: /invalid[- ]token|token (is )?(invalid|not valid|expired)|tenant.*(invalid|not valid)|unauthori[sz]ed|not authori[sz]ed|forbidden|HTTP Status:\s*40[13]|activation (was )?(rejected|refused|denied)/i,
  },
  {
    // The manager answered, with a server error (or its load balancer had no manager behind it).
    reason: 'managerError',
    re: /HTTP Status:\s*5\d\d\b/i,
  },
  {
    reason: 'unreachable',
    re: /connection (refused|timed out|reset)|couldn'?t connect|could not connect|failed to connect|unable to connect|no route to host|network is unreachable|empty reply|connection closed|timed out|operation timeout/i,
  },
];

const DOCTOR: Record<ActivationReason, string[]> = {
  ok: [],
  nameNotResolvable: ['hosts.entries', 'dns.manager'],
  unreachable: ['hosts.entries', 'dns.manager', 'net.manager', 'proxy'],
  proxy: ['proxy', 'net.manager'],
  proxyAuth: ['proxy'],
  managerError: ['tls.manager'],
  tlsOrClock: ['tls.manager', 'time.skew'],
  agentInitiatedRefused: [],
  alreadyActivated: ['agent.activated'],
  untrustedPeer: ['tls.manager', 'agent.activated', 'time.skew'],
  refused: ['time.skew'],
  selfProtectionPassword: [],
  agentNotRunning: ['agent.installed', 'agent.service', 'installer.match', 'kernel.supported'],
  timeout: ['hosts.entries', 'dns.manager', 'net.manager', 'proxy', 'tls.manager'],
  noAnswer: ['agent.service', 'agent.activated'],
  unknown: ['hosts.entries', 'dns.manager', 'net.manager', 'tls.manager', 'time.skew', 'agent.service'],
};

const RETRYABLE = new Set<ActivationReason>([
  'unreachable',
  'timeout',
  'unknown',
  'noAnswer',
  'agentNotRunning',
  'managerError',
]);

/** Commands the manager sent, from lines like `Received a 'GetHostInfo' command from the manager.` */
export function managerCommands(output: string): string[] {
  return [...output.matchAll(/Received an? '([^']+)' command/gi)].map((m) => m[1]!);
}

/** Builds the outcome for a reason. */
export function activationOutcome(reason: ActivationReason, detail = '', output = ''): ActivationOutcome {
  return {
    reason,
    ok: reason === 'ok',
    message: msg(`agent.activate.reason.${reason}`, { detail }),
    remedy: msg(`agent.activate.remedy.${reason}`),
    detail,
    retryable: RETRYABLE.has(reason),
    doctorChecks: DOCTOR[reason],
    managerCommands: reason === 'ok' ? managerCommands(output) : [],
  };
}

/**
 * Maps `dsa_control -a`'s exit status and output to a reason with a remedy. Success needs both exit 0 and
 * `HTTP Status: 200 - OK` with no failure in the output; the exit code alone is not trusted (undocumented).
 */
export function classifyActivation(r: {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
  notFound?: boolean;
}): ActivationOutcome {
  const output = `${r.stdout}\n${r.stderr}`;
  if (r.notFound) return activationOutcome('agentNotRunning', 'dsa_control not found', output);
  if (r.timedOut) return activationOutcome('timeout', '', output);
  const lines = output.split(/\r?\n/);
  for (const rule of RULES) {
    const line = lines.find((l) => rule.re.test(l));
    if (line) return activationOutcome(rule.reason, line.trim(), output);
  }
  if (r.exitCode === 0 && /HTTP Status:\s*200\b/i.test(output)) return activationOutcome('ok', '', output);
  const said = lines.map((l) => l.trim()).filter(Boolean);
  // No output at all (seen on Windows when dsa_control.cmd ends at once): the agent said nothing, whatever the exit.
  if (said.length === 0) return activationOutcome('noAnswer', `exit ${r.exitCode ?? '?'}`, output);
  // Not recognised: the agent's reason is its own words; the first line that says what went wrong, else the last.
  const reason =
    said.find(
      (l) => /error|fail|denied|not |invalid|unable|cannot|can't/i.test(l) && !/^HTTP Status:\s*200/i.test(l),
    ) ?? said[said.length - 1]!;
  return activationOutcome('unknown', reason, output);
}

/**
 * The outcome as the doctor's checks confirm it: when the doctor connected and completed the TLS handshake with
 * the manager, a "cannot reach" or "timed out" is not the firewall's — the remedy says so and names what is left.
 */
export function explainWithDoctor(
  o: ActivationOutcome,
  d: { checks: readonly { id: string; status: string; class?: string }[] },
): ActivationOutcome {
  const status = (id: string): string | undefined => d.checks.find((c) => c.id === id)?.status;
  const open = (s: string | undefined): boolean => s === 'pass' || s === 'warn';
  // "Certificate or clock": the checks tell which — a clock the doctor found wrong, or a device inspecting TLS.
  if (o.reason === 'tlsOrClock') {
    const tls = d.checks.find((c) => c.id === 'tls.manager');
    if (status('time.skew') === 'fail' || (tls?.status === 'fail' && tls.class === 'clock'))
      return { ...o, remedy: msg('agent.activate.remedy.tlsOrClockClock') };
    if (tls?.status === 'fail' && tls.class === 'proxy')
      return { ...o, remedy: msg('agent.activate.remedy.tlsOrClockInspected') };
  }
  if (
    (o.reason === 'unreachable' || o.reason === 'timeout') &&
    open(status('net.manager')) &&
    open(status('tls.manager'))
  )
    return { ...o, remedy: msg(`agent.activate.remedy.${o.reason}PathOpen`) };
  return o;
}

/** What the remedy of a failed activation is worded for: the platform's commands and the manager in use. */
export interface RemedyContext {
  platform: PlatformKind;
  flavour: ManagerFlavour;
  /** `HOST:PORT` of the manager. */
  manager: string;
}

/** The support bundle command on the platform (as administrator): what an unrecognised failure asks for. */
export function bundleCommand(kind: PlatformKind): Message {
  const file = kind === 'windows' ? 'dsa-setup-bundle.zip' : 'dsa-setup-bundle.tar.gz';
  return asAdmin(kind, ['dsa-setup', 'doctor', '--bundle', file]);
}

/**
 * The remedy of an outcome, worded for the platform (the command that starts the agent there, how to run as
 * administrator) and the manager flavour (the portal's hosts file and the registered host name are Cloudn's;
 * Cloud One names resolve through DNS and need only the tenant ID and token).
 */
export function activationRemedy(o: ActivationOutcome, c: RemedyContext): Message {
  const cloudOne = c.flavour === 'cloud-one';
  const base = { manager: c.manager };
  switch (o.reason) {
    case 'nameNotResolvable':
    case 'alreadyActivated':
      return msg(`${o.remedy.key}${cloudOne ? 'CloudOne' : ''}`, base);
    case 'agentNotRunning':
      return msg(o.remedy.key, { ...base, command: asAdmin(c.platform, startAgentCommand(c.platform)) });
    case 'noAnswer':
      return msg(`${o.remedy.key}${c.platform === 'windows' ? 'Windows' : ''}`, {
        ...base,
        status: asAdmin(c.platform, ['dsa-setup', 'status']),
      });
    case 'unknown':
      return msg(o.remedy.key, { ...base, bundle: bundleCommand(c.platform) });
    case 'untrustedPeer':
      return msg(o.remedy.key, { ...base, reset: dsaControl(c.platform, ['-r']) });
    case 'proxy':
    case 'proxyAuth':
      return msg(o.remedy.key, {
        ...base,
        show: dsaControl(c.platform, ['-x', 'dsm_proxy://PROXY:PORT/']),
        auth: dsaControl(c.platform, ['-u', 'USER:PASSWORD']),
      });
    case 'managerError':
      return msg(`${o.remedy.key}${cloudOne ? 'CloudOne' : ''}`, base);
    default:
      return msg(o.remedy.key, base);
  }
}
