import type { DsaSetupApi } from '../../main/core/ipc/api';
import {
  internalErrorInfo,
  type ErrorInfoView,
  type MessageView,
  type ProgressEvent,
} from '../../main/core/ipc/contract';
import type { Verb } from '../../main/core/ipc/verbs';
import { msg } from '../../main/core/message';

declare global {
  interface Window {
    dsaSetup?: DsaSetupApi;
  }
}

/** An error that came back over IPC, with its keys intact for translation. */
export class UiError extends Error {
  constructor(readonly info: ErrorInfoView) {
    super(info.code);
  }
}

type Req<V extends Verb> = Parameters<DsaSetupApi[V]>[0];
type Val<V extends Verb> = Extract<Awaited<ReturnType<DsaSetupApi[V]>>, { ok: true }>['value'];

const NO_API: ErrorInfoView = { code: 'ui.noApi', message: msg('ui.error.noApi') };

/** Calls one verb of `window.dsaSetup`; returns its value or throws a UiError (only store actions call this). */
export async function call<V extends Verb>(verb: V, req: Req<V>): Promise<Val<V>> {
  const api = window.dsaSetup;
  if (!api) throw new UiError(NO_API);
  const fn = api[verb] as (r: Req<V>) => Promise<{ ok: true; value: Val<V> } | { ok: false; error: ErrorInfoView }>;
  const reply = await fn(req);
  if (!reply.ok) throw new UiError(reply.error);
  return reply.value;
}

/** Subscribes to apply progress; a no-op when there is no API. */
export function onApplyProgress(listener: (e: ProgressEvent) => void): () => void {
  return window.dsaSetup?.onApplyProgress(listener) ?? (() => {});
}

/** Subscribes to progress messages of long operations; a no-op when there is no API. */
export function onProgress(listener: (m: MessageView) => void): () => void {
  return window.dsaSetup?.onProgress(listener) ?? (() => {});
}

/** Where a dropped file is on disk; null when the window cannot know. */
export async function pathForFile(file: File): Promise<string | null> {
  return (await window.dsaSetup?.pathForFile(file)) ?? null;
}

/**
 * Turns anything an action caught into the error shape the window shows: an error that came over IPC as it
 * is, anything else is a bug of the window itself (the main process's errors were converted and logged there).
 */
export function asErrorInfo(e: unknown): ErrorInfoView {
  return e instanceof UiError ? e.info : internalErrorInfo(e instanceof Error ? e.message : String(e));
}
