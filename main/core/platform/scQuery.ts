/** A Windows service as `sc query` shows it. */
export interface ServiceState {
  exists: boolean;
  /** sc.exe state code: 1 stopped, 2 start pending, 3 stop pending, 4 running… (null: not installed). */
  stateCode: number | null;
  running: boolean;
}

/** The service states `sc query` prints after the number (never translated, unlike the labels). */
const SC_STATES = 'STOPPED|START_PENDING|STOP_PENDING|RUNNING|CONTINUE_PENDING|PAUSE_PENDING|PAUSED';

/**
 * Parses `sc query NAME` by shape — `<label> : <code> <STATE>` — not by its label: the labels are translated on
 * some Windows languages (`ESTADO : 4 RUNNING` in Portuguese and Spanish), the state words and codes never are.
 */
export function parseScQuery(text: string, exitCode: number | null): ServiceState {
  const m = new RegExp(`^[^\\r\\n:]+:\\s*(\\d+)\\s+(?:${SC_STATES})\\b`, 'm').exec(text);
  if (!m || (exitCode !== null && exitCode !== 0)) return { exists: false, stateCode: null, running: false };
  const code = Number(m[1]);
  return { exists: true, stateCode: code, running: code === 4 };
}
