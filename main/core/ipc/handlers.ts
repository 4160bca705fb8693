import pkg from '../../../package.json' with { type: 'json' };
import { toErrorInfo } from '../errors.js';
import { detectLang } from '../i18n.js';
import { inspectSystem } from '../platform/inspect.js';
import type { SystemContext } from '../system.js';
import { channels, type ChannelName, type Reply, type Request, type Response } from './contract.js';

export type HandlerTable = { [C in ChannelName]: (req: Request<C>) => Promise<Response<C>> };

/** The handlers of every channel, built over the core for one system. */
export function createHandlers(sys: SystemContext): HandlerTable {
  return {
    'app:info': async () => ({ version: pkg.version, lang: detectLang(), platform: sys.os }),
    inspect: async () => inspectSystem(sys),
  };
}

/**
 * Runs one IPC call: validates the payload against the contract, calls the handler, validates the
 * response, and returns an `{ok, value|error}` reply (never throws across the process boundary).
 */
export async function dispatch(table: HandlerTable, channel: string, payload: unknown): Promise<Reply<ChannelName>> {
  if (!Object.hasOwn(channels, channel)) {
    return {
      ok: false,
      error: { code: 'ipc.unknownChannel', messageKey: 'errors.ipcUnknownChannel', params: { channel } },
    };
  }
  const name = channel as ChannelName;
  const req = channels[name].request.safeParse(payload ?? {});
  if (!req.success) {
    return {
      ok: false,
      error: {
        code: 'ipc.badRequest',
        messageKey: 'errors.ipcBadRequest',
        params: { channel, detail: req.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') },
      },
    };
  }
  try {
    const handler = table[name] as (r: unknown) => Promise<unknown>;
    const value = channels[name].response.parse(await handler(req.data));
    return { ok: true, value } as Reply<ChannelName>;
  } catch (e) {
    return { ok: false, error: toErrorInfo(e) };
  }
}
