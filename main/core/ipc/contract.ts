import { z } from 'zod';

/**
 * Every IPC channel with its request and response schemas. The Electron shell and the test harness both
 * register the handler table built from this (ipcMain.handle vs page.exposeBinding), and the preload exposes
 * one verb per channel. This module is shared by the Node side and the renderer: no Node imports here.
 */
export const ErrorInfoSchema = z.object({
  code: z.string(),
  messageKey: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  remedyKey: z.string().optional(),
  issues: z
    .array(
      z.object({
        file: z.string(),
        line: z.number(),
        column: z.number(),
        messageKey: z.string(),
        params: z.record(z.string(), z.union([z.string(), z.number()])),
      }),
    )
    .optional(),
});

/** Every reply crosses IPC as `{ok: true, value}` or `{ok: false, error}`, so errors keep their keys. */
export const replySchema = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: ErrorInfoSchema }),
  ]);

export const channels = {
  'app:info': {
    request: z.object({}),
    response: z.object({ version: z.string(), lang: z.enum(['ja', 'en']), platform: z.string() }),
  },
  inspect: {
    request: z.object({}),
    response: z.unknown(),
  },
} as const;

export type ChannelName = keyof typeof channels;
export type Request<C extends ChannelName> = z.infer<(typeof channels)[C]['request']>;
export type Response<C extends ChannelName> = z.infer<(typeof channels)[C]['response']>;
export type Reply<C extends ChannelName> =
  { ok: true; value: Response<C> } | { ok: false; error: z.infer<typeof ErrorInfoSchema> };
export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];
