import { msg, type Message } from './message.js';
import { detectOs } from './platform/inspect.js';
import type { SystemContext } from './system.js';

/**
 * The platforms whose commands differ in what an admin types: RHEL 6 (SysV `service`, `chkconfig`, ntpd),
 * RHEL 7+ and Amazon Linux (systemctl, chrony), Debian/Ubuntu (systemctl, timesyncd, ufw), SUSE (systemctl, zypper;
 * chrony on SLES 15, ntpd on SLES 12 — see `timeSyncPlatform`), Windows (no sudo; an administrator PowerShell, `sc`,
 * `w32tm`).
 */
export type PlatformKind = 'el6' | 'el' | 'debian' | 'suse' | 'windows' | 'linux';

/** The platform kind of an OS as `detectOs` reports it (family and major version). */
export function platformKind(os: { family: string; major: number | null } | null | undefined): PlatformKind {
  if (!os) return 'linux';
  switch (os.family) {
    case 'windows':
      return 'windows';
    case 'rhel':
      return os.major !== null && os.major <= 6 ? 'el6' : 'el';
    case 'amazon':
      return 'el';
    case 'debian':
      return 'debian';
    case 'suse':
      return 'suse';
    default:
      return 'linux';
  }
}

/** Quotes one argument for the shell the admin types into (POSIX sh, or PowerShell on Windows). */
export function quoteArg(kind: PlatformKind, arg: string): string {
  if (/^[A-Za-z0-9_\-.,/:=@+%^]+$/.test(arg)) return arg;
  if (kind === 'windows') return `'${arg.replace(/'/g, "''")}'`;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line from an argument array, quoted so it works as written when pasted on that platform. */
export function commandLine(kind: PlatformKind, args: readonly string[]): string {
  const [first, ...rest] = args;
  if (first === undefined) return '';
  // PowerShell runs a quoted program path only behind the call operator.
  const head = kind === 'windows' && /\s/.test(first) ? `& ${quoteArg(kind, first)}` : quoteArg(kind, first);
  return [head, ...rest.map((a) => quoteArg(kind, a))].join(' ');
}

/** Says how to run a command with administrator rights: `sudo …` on Linux, an administrator PowerShell on Windows. */
export function asAdmin(kind: PlatformKind, args: readonly string[]): Message {
  const command = commandLine(kind, args);
  return kind === 'windows'
    ? msg('platform.asAdmin.windows', { command })
    : msg('platform.asAdmin.posix', { command: `sudo ${command}` });
}

/** Where `dsa_control` is on the platform (the full path, as the agent installs it). */
export function dsaControlPath(kind: PlatformKind): string {
  return kind === 'windows'
    ? 'C:\\Program Files\\Trend Micro\\Deep Security Agent\\dsa_control.cmd'
    : '/opt/ds_agent/dsa_control';
}

/** The command that starts the agent's service on the platform. */
export function startAgentCommand(kind: PlatformKind): string[] {
  switch (kind) {
    case 'windows':
      return ['Start-Service', 'ds_agent'];
    case 'el6':
      return ['service', 'ds_agent', 'start'];
    default:
      return ['systemctl', 'start', 'ds_agent'];
  }
}

/** The command that makes the agent's service start at boot. */
export function enableAgentCommand(kind: PlatformKind): string[] {
  switch (kind) {
    case 'windows':
      return ['Set-Service', 'ds_agent', '-StartupType', 'Automatic'];
    case 'el6':
      return ['chkconfig', 'ds_agent', 'on'];
    default:
      return ['systemctl', 'enable', 'ds_agent'];
  }
}

/** Where the agent writes its log on the platform. */
export function agentLogPath(kind: PlatformKind): string {
  return kind === 'windows'
    ? 'C:\\ProgramData\\Trend Micro\\Deep Security Agent\\diag\\ds_agent.log'
    : '/var/log/ds_agent/ds_agent.log';
}

/** What the order form's "host name" is on the platform: `uname -n`, or the Windows computer name. */
export function hostNameSource(kind: PlatformKind): Message {
  return msg(kind === 'windows' ? 'platform.hostName.windows' : 'platform.hostName.posix');
}

/** The command that restarts the agent's service on the platform. */
export function restartAgentCommand(kind: PlatformKind): string[] {
  switch (kind) {
    case 'windows':
      return ['Restart-Service', 'ds_agent'];
    case 'el6':
      return ['service', 'ds_agent', 'restart'];
    default:
      return ['systemctl', 'restart', 'ds_agent'];
  }
}

/**
 * The package tools of the platform, for a remedy about a busy package database: the pattern that finds them
 * running (`ps -ef | grep -E …`) and the command that repairs the database.
 */
export function packageDbTools(kind: PlatformKind): { running: string; repair: string } {
  switch (kind) {
    case 'debian':
      return { running: 'dpkg|apt', repair: 'dpkg --configure -a' };
    case 'suse':
      return { running: 'rpm|zypper', repair: 'rpm --rebuilddb' };
    case 'el6':
      return { running: 'rpm|yum', repair: 'rpm --rebuilddb' };
    default:
      return { running: 'rpm|yum|dnf', repair: 'rpm --rebuilddb' };
  }
}

/** `dsa_control` with arguments, by its full path, as administrator (sudo, or an administrator PowerShell). */
export function dsaControl(kind: PlatformKind, args: readonly string[]): Message {
  return asAdmin(kind, [dsaControlPath(kind), ...args]);
}

/**
 * The activation command to run: `dsa_control -a URL` when the manager is known (never a URL with a missing host),
 * else "the command in the activation file".
 */
export function activateCommand(kind: PlatformKind, url: string | null): Message {
  return url ? dsaControl(kind, ['-a', url]) : msg('platform.agent.activationFileCommand');
}

/** The platform kind of the system (RHEL 6, RHEL 7+, Ubuntu…), read from its OS release files. */
export async function platformOf(sys: SystemContext): Promise<PlatformKind> {
  if (sys.os === 'windows') return 'windows';
  return platformKind(await detectOs(sys).catch(() => null));
}
