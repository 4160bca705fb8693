import { describeError } from '../errorLog.js';
import { createAppService, type ShellServices } from '../application/service.js';
import type { JobContext } from '../application/jobContext.js';
import { progressEvent } from '../application/views.js';
import { detectLang } from '../i18n.js';
import { msg } from '../message.js';
import { redactJson } from '../secrets.js';
import { isAdmin, type SystemContext } from '../system.js';
import { channels, type ChannelName, type ParsedRequest, type Reply, type Response } from './contract.js';
import { EVENTS } from './verbs.js';

export type HandlerTable = { [C in ChannelName]: (req: ParsedRequest<C>) => Promise<Response<C>> };

/** The shell's services plus the way events reach the window. */
export interface AppServices extends ShellServices {
  /** Sends an event to the window. */
  emit(event: string, payload: unknown): void;
}

/** The services of a headless run: no dialogs, no window, the process's own rights, no elevation. */
export const headlessServices: AppServices = {
  pickFile: async () => null,
  saveFile: async () => null,
  openExternal: async () => {},
  emit: () => {},
  isAdmin,
  lang: () => detectLang(),
};

/** The handlers of every channel: each calls the application service (validation is `dispatch`'s). */
export function createHandlers(sys: SystemContext, services: AppServices = headlessServices): HandlerTable {
  const app = createAppService(sys, services);
  /** One job's context: its journal events and progress messages go to the window, tagged by its run. */
  const job = (): JobContext => {
    let runId = '';
    return {
      progress: (m) => services.emit(EVENTS.progress, m),
      event: (e) => {
        if (e.type === 'run.start') runId = e.runId;
        services.emit(EVENTS.applyProgress, progressEvent(runId, e));
      },
    };
  };
  return {
    'app:info': () => app.info(),
    inspect: () => app.inspect(),
    'inputs:parse': ({ kind, name, contentBase64 }) => app.parseInput(kind, name, Buffer.from(contentBase64, 'base64')),
    'inputs:pick': async ({ kind }) => (await app.pickInput(kind)) ?? { canceled: true as const },
    'inputs:load': ({ kind, path }) => app.loadInput(kind, path),
    plan: ({ selected }) => app.plan(selected),
    apply: ({ planId, lang }) => app.apply(planId, job(), lang ?? services.lang()),
    'revert:preview': async ({ runId }) => app.revertPreview(runId),
    revert: ({ runId, deactivate, agent }) =>
      app.revert(runId, { deactivate: deactivate === true, agent }, job(), services.lang()),
    activate: ({ lang, ...opts }) => app.activate(opts, job(), lang ?? services.lang()),
    doctor: () => app.doctor(),
    'doctor:fix': () => app.doctorFix(),
    'export:report': ({ lang }) => app.exportReport(lang),
    'export:bundle': ({ lang }) => app.exportBundle(lang),
    'export:showInFolder': async ({ path }) => ({ shown: app.showInFolder(path) }),
    'app:openExternal': async ({ url }) => ({ opened: await app.openExternal(url) }),
    'app:setLang': async ({ lang }) => ({ lang: app.setLang(lang) }),
    'fleet:open': async () => (await app.openFleet()) ?? { canceled: true as const },
  };
}

/**
 * Runs one IPC call: validates the payload against the contract, calls the handler, validates the
 * response, and returns an `{ok, value|error}` reply with every known secret masked (never throws across the
 * process boundary; a bug is logged with its stack and named as one).
 */
export async function dispatch(table: HandlerTable, channel: string, payload: unknown): Promise<Reply<ChannelName>> {
  return redactJson(await dispatchRaw(table, channel, payload));
}

async function dispatchRaw(table: HandlerTable, channel: string, payload: unknown): Promise<Reply<ChannelName>> {
  if (!Object.hasOwn(channels, channel))
    return {
      ok: false,
      error: { code: 'ipc.unknownChannel', message: msg('errors.ipcUnknownChannel', { channel }) },
    };
  const name = channel as ChannelName;
  const req = channels[name].request.safeParse(payload ?? {});
  if (!req.success) {
    const detail = req.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return {
      ok: false,
      error: { code: 'ipc.badRequest', message: msg('errors.ipcBadRequest', { channel, detail }) },
    };
  }
  try {
    const handler = table[name] as (r: unknown) => Promise<unknown>;
    const value = channels[name].response.parse(await handler(req.data));
    return { ok: true, value } as Reply<ChannelName>;
  } catch (e) {
    return { ok: false, error: describeError(e, `ipc ${channel}`) };
  }
}
