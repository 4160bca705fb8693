import { z } from 'zod';
import { MessageSchema } from '../message.js';
import { FAIL_CLASSES } from '../doctor/failClass.js';

/**
 * The fleet report as the window receives it: untranslated (every text a message the window translates, so a
 * language switch re-renders it). Shared by the Node side and the renderer: no Node imports here.
 */
const ClassSchema = z.enum(FAIL_CLASSES);

export const FleetHostViewSchema = z.object({
  source: z.string(),
  hostname: z.string().nullable(),
  os: z.string(),
  kernel: z.string().nullable(),
  verdict: z
    .object({
      check: z.string(),
      class: ClassSchema,
      cause: MessageSchema,
      remedy: MessageSchema,
      derived: z.boolean(),
    })
    .nullable(),
  checks: z.array(
    z.object({
      id: z.string(),
      status: z.enum(['pass', 'warn', 'fail', 'skip', 'blocked']),
      title: MessageSchema,
      detail: MessageSchema,
      remedy: MessageSchema.optional(),
    }),
  ),
});
export type FleetHostView = z.infer<typeof FleetHostViewSchema>;

export const FleetViewSchema = z.object({
  /** The folder that was read. */
  folder: z.string(),
  total: z.number(),
  groups: z.array(
    z.object({
      class: ClassSchema,
      hosts: z.array(FleetHostViewSchema),
      remedies: z.array(z.object({ remedy: MessageSchema, hosts: z.array(z.number()) })),
      derived: z.number(),
    }),
  ),
  clean: z.array(FleetHostViewSchema),
  apart: z.array(z.object({ source: z.string(), reason: MessageSchema })),
});
export type FleetView = z.infer<typeof FleetViewSchema>;
