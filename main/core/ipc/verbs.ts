/**
 * The verbs `window.dsaSetup` offers and the IPC channel behind each. The preload and the Playwright
 * harness both build the API from this one table, so they cannot drift. No imports: it is serialised
 * into the harness page as is.
 */
export const VERBS = {
  appInfo: 'app:info',
  inspect: 'inspect',
  parseInput: 'inputs:parse',
  pickInput: 'inputs:pick',
  loadInput: 'inputs:load',
  plan: 'plan',
  apply: 'apply',
  revertPreview: 'revert:preview',
  revert: 'revert',
  activate: 'activate',
  doctor: 'doctor',
  doctorFix: 'doctor:fix',
  exportReport: 'export:report',
  exportBundle: 'export:bundle',
  showInFolder: 'export:showInFolder',
  openExternal: 'app:openExternal',
  setLang: 'app:setLang',
  openFleet: 'fleet:open',
} as const;

/** Events main sends to the renderer (subscribed through `dsaSetup.on…`, never the raw IPC event). */
export const EVENTS = {
  applyProgress: 'apply:progress',
  /** A long operation's progress message (activation attempts, waiting for the agent), as `{key, params}`. */
  progress: 'progress',
} as const;

export type Verb = keyof typeof VERBS;

/**
 * Builds the `window.dsaSetup` object from the verb table over an invoke function, an event subscription
 * and the path of a dropped file (Electron's webUtils; a stand-in in the harness). Self-contained (uses only its arguments) so the test harness can inject its source into
 * a page as is: the preload and the harness run this same code.
 */
export function buildDsaSetupApi(
  verbs: Readonly<Record<string, string>>,
  events: Readonly<Record<string, string>>,
  invoke: (channel: string, payload: unknown) => Promise<unknown>,
  subscribe: (channel: string, listener: (payload: unknown) => void) => () => void,
  pathForFile: (file: unknown) => Promise<string | null>,
): Record<string, unknown> {
  const api: Record<string, unknown> = {};
  for (const [verb, channel] of Object.entries(verbs)) api[verb] = (req?: unknown) => invoke(channel, req ?? {});
  api.onApplyProgress = (listener: (payload: unknown) => void) => subscribe(events.applyProgress!, listener);
  api.onProgress = (listener: (payload: unknown) => void) => subscribe(events.progress!, listener);
  api.pathForFile = (file: unknown) => pathForFile(file);
  return Object.freeze(api);
}
