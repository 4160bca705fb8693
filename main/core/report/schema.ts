import { z } from 'zod';
import type { DoctorResult } from '../doctor/types.js';
import { MessageSchema } from '../message.js';
import { FAIL_CLASSES } from '../doctor/failClass.js';

const Status = z.enum(['pass', 'warn', 'fail', 'skip', 'blocked']);
const Class = z.enum(FAIL_CLASSES);

/** The doctor's JSON document, as `report --from` accepts it. */
export const DoctorResultSchema = z.object({
  verdict: z
    .object({
      check: z.string(),
      class: Class,
      cause: z.string(),
      remedy: z.string(),
      causeRef: MessageSchema,
      remedyRef: MessageSchema,
    })
    .nullable()
    .default(null),
  version: z.string(),
  lang: z.enum(['ja', 'en']).default('en'),
  generatedAt: z.string().default(''),
  host: z.object({
    hostname: z.string().nullable(),
    os: z.string(),
    kernel: z.string().nullable(),
    arch: z.string().nullable().default(null),
    root: z.string().default('/'),
  }),
  checks: z.array(
    z.object({
      id: z.string(),
      status: Status,
      title: z.string(),
      detail: z.string(),
      remedy: z.string(),
      ms: z.number(),
      class: Class.optional(),
      blockedBy: z.string().optional(),
      phases: z
        .array(
          z.object({
            name: z.enum(['dns', 'tcp', 'tls', 'manager']),
            status: Status,
            detail: z.string(),
            detailRef: MessageSchema,
            ms: z.number(),
          }),
        )
        .optional(),
      titleRef: MessageSchema,
      detailRef: MessageSchema,
      remedyRef: MessageSchema.optional(),
    }),
  ),
  summary: z.object({
    pass: z.number(),
    warn: z.number(),
    fail: z.number(),
    skip: z.number(),
    blocked: z.number().default(0),
  }),
  ms: z.number(),
});

/** Validates a parsed doctor.json. */
export function parseDoctorResult(
  value: unknown,
): { ok: true; value: DoctorResult } | { ok: false; path: string; problem: string } {
  const r = DoctorResultSchema.safeParse(value);
  if (r.success) return { ok: true, value: r.data as DoctorResult };
  const i = r.error.issues[0]!;
  return { ok: false, path: i.path.join('.') || '(root)', problem: i.message };
}
