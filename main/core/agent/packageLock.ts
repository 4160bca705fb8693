import { fail, ExitCode, type DsaError } from '../errors.js';
import { msg } from '../message.js';
import type { ExecResult } from '../exec.js';

// What the package tools print when another one holds their database (shapes from public reports):
//   rpm:  "error: can't create transaction lock on /var/lib/rpm/.rpm.lock (Resource temporarily unavailable)"
//         (interactive rpm instead waits: "warning: waiting for transaction lock on /var/lib/rpm/.rpm.lock")
//   dpkg: "dpkg: error: dpkg frontend lock was locked by another process with pid 12749"
//         "dpkg: error: dpkg database lock was locked by another process with pid 12993"
//         older dpkg: "dpkg: error: dpkg status database is locked by another process"
//   msiexec: exit 1618, ERROR_INSTALL_ALREADY_RUNNING ("Another installation is already in progress").
const RPM_LOCK = /can't create \S+ lock on (\S+) \((Resource temporarily unavailable|[^)]*EAGAIN[^)]*)\)/;
const RPM_WAIT = /waiting for \S+ lock on (\S+)/;
const DPKG_LOCK =
  /dpkg (?:frontend lock|database lock|status database) (?:was|is) locked by another process(?: with pid (\d+))?/;
const MSI_ALREADY_RUNNING = 1618;

/**
 * The error for a package install refused because another package manager holds the package database (exit 2:
 * the admin waits for it and runs again; nothing was installed), or null when the failure is something else.
 */
export function packageDatabaseBusy(command: string, r: ExecResult): DsaError | null {
  const out = `${r.stderr}\n${r.stdout}`;
  const rpm = command === 'rpm' ? (RPM_LOCK.exec(out) ?? RPM_WAIT.exec(out)) : null;
  if (rpm) {
    const params = { file: rpm[1]! };
    return fail('agent.install.rpmBusy', msg('agent.install.rpmBusy', params), {
      remedy: msg('agent.install.rpmBusyRemedy', params),
      exit: ExitCode.badInput,
    });
  }
  const dpkg = command === 'dpkg' ? DPKG_LOCK.exec(out) : null;
  if (dpkg) {
    const pid = dpkg[1] ?? '';
    return fail('agent.install.dpkgBusy', msg(pid ? 'agent.install.dpkgBusyPid' : 'agent.install.dpkgBusy', { pid }), {
      remedy: msg(pid ? 'agent.install.dpkgBusyPidRemedy' : 'agent.install.dpkgBusyRemedy', { pid }),
      exit: ExitCode.badInput,
    });
  }
  if (/^msiexec(\.exe)?$/i.test(command) && r.exitCode === MSI_ALREADY_RUNNING)
    return fail('agent.install.msiBusy', msg('agent.install.msiBusy'), {
      remedy: msg('agent.install.msiBusyRemedy'),
      exit: ExitCode.badInput,
    });
  return null;
}
