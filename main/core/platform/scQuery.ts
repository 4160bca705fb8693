/** A Windows service as `sc query` shows it. */
export interface ServiceState {
  /** Null: `sc` said neither a state nor "no such service" (access denied, a timeout, an output we cannot read). */
  exists: boolean | null;
  /** sc.exe state code: 1 stopped, 2 start pending, 3 stop pending, 4 running… (null: not installed). */
  stateCode: number | null;
  running: boolean;
}

/** The service states `sc query` prints after the number (never translated, unlike the labels). */
const SC_STATES = 'STOPPED|START_PENDING|STOP_PENDING|RUNNING|CONTINUE_PENDING|PAUSE_PENDING|PAUSED';

/** `[SC] EnumQueryServicesStatus:OpenService FAILED 1060:` / `… エラー 1060:`: the service is not installed. */
const NO_SUCH_SERVICE = /^\[SC\][^\r\n]*\b1060\s*:/m;

/**
 * Parses `sc query NAME` by shape — `<label> : <code> <STATE>` — not by its label: the labels are translated on
 * some Windows languages (`ESTADO : 4 RUNNING` in Portuguese and Spanish), the state words and codes never are.
 * Only error 1060 is "not installed"; any other failure (`OpenService FAILED 5` access denied, a timeout, text we
 * cannot read) is `exists: null`, never "absent".
 */
export function parseScQuery(text: string, exitCode: number | null): ServiceState {
  const m = new RegExp(`^[^\\r\\n:]+:\\s*(\\d+)\\s+(?:${SC_STATES})\\b`, 'm').exec(text);
  if (m && (exitCode === null || exitCode === 0)) {
    const code = Number(m[1]);
    return { exists: true, stateCode: code, running: code === 4 };
  }
  if (exitCode === 1060 || NO_SUCH_SERVICE.test(text)) return { exists: false, stateCode: null, running: false };
  return { exists: null, stateCode: null, running: false };
}
