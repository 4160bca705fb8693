import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/** Processes that answer polkit's password prompts on a desktop (full command lines, any path). */
const AGENT_PATTERN =
  /(polkit-gnome-authentication-agent|polkit-kde-authentication-agent|polkit-mate-authentication-agent|lxpolkit|xfce-polkit|lxqt-policykit-agent|polkit-agent-helper|gnome-shell|cinnamon|budgie-polkit|ukui-polkit|deepin-polkit|hyprpolkitagent|polkit-efl|mate-polkit)/;

/** The program @vscode/sudo-prompt uses on Linux (kdesudo, else pkexec), or null. */
export function linuxElevationProgram(): string | null {
  for (const p of ['/usr/bin/kdesudo', '/usr/bin/pkexec']) if (existsSync(p)) return p;
  return null;
}

/**
 * Whether a graphical polkit authentication agent runs in this session (read from /proc). Without one,
 * pkexec cannot ask for a password and the elevated run must be started with sudo instead.
 */
export async function hasGraphicalPolkitAgent(
  procDir = '/proc',
  program: string | null = linuxElevationProgram(),
): Promise<boolean> {
  if (!program) return false;
  if (program.endsWith('kdesudo')) return true;
  const pids = (await readdir(procDir).catch(() => [] as string[])).filter((d) => /^\d+$/.test(d));
  for (const pid of pids) {
    const cmd = await readFile(`${procDir}/${pid}/cmdline`, 'utf8').catch(() => '');
    if (AGENT_PATTERN.test(cmd.split('\0')[0] ?? '')) return true;
  }
  return false;
}
