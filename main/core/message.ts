import { z } from 'zod';

/**
 * The one message type of the app: a translation key and its parameters (a parameter may itself be a
 * message). Details, remedies, notes, progress and errors all carry this shape; nothing is translated
 * before it reaches the surface that shows it (the CLI's output, the report, the window).
 * Shared by the Node side and the renderer: no Node imports here.
 */
export type MessageParam = string | number | Message;
export interface Message {
  key: string;
  params: Record<string, MessageParam>;
}

/** Builds a message: `msg('steps.hosts.verified', { n: 3 })`. */
export function msg(key: string, params: Record<string, MessageParam> = {}): Message {
  return { key, params };
}

/** The zod schema of a message (for IPC payloads, plans and journals read back from disk). */
export const MessageSchema: z.ZodType<Message> = z.lazy(() =>
  z.object({
    key: z.string(),
    params: z.record(z.string(), z.union([z.string(), z.number(), MessageSchema])).default({}),
  }),
) as z.ZodType<Message>;

/** Translates a message with any translate function (i18next's `t`), nested messages first. */
export function renderMessage(t: (key: string, params?: Record<string, unknown>) => string, m: Message): string {
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m.params ?? {})) params[k] = typeof v === 'object' ? renderMessage(t, v) : v;
  return t(m.key, params);
}
