import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { z } from 'zod';
import { activationRequest } from '../agent/activationRequest.js';
import { requestSecrets } from '../agent/activationArgs.js';
import { applyPlan, type ApplyOutcome } from '../engine/apply.js';
import { revertRun, type RevertOutcome } from '../engine/revert.js';
import { inputError } from '../errors.js';
import { msg, type Message } from '../message.js';
import type { Lang } from '../i18n.js';
import { redactJson } from '../secrets.js';
import { PlanSchema, type Plan } from '../steps/types.js';
import type { SystemContext } from '../system.js';
import { privateJobDir, readArgsFile, writeArgsFile } from '../elevation/argsFile.js';
import { shellCommand } from '../elevation/commandLine.js';
import type { ManualCommand } from '../elevation/elevatedJob.js';
import { runActivation, type ActivationRun } from './activation.js';
import type { JobContext } from './jobContext.js';

export const JOB_FORMAT = 'dsa-setup-job/1';

/** A job's arguments: every path and name the user gave travels here, never on the elevated command line. */
export const JobArgsSchema = z.object({
  format: z.literal(JOB_FORMAT),
  /** The system tree (`--root`); null: the running system. */
  root: z.string().min(1).max(4096).nullable(),
  lang: z.enum(['ja', 'en']),
  job: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('apply'), plan: PlanSchema }),
    z.object({
      kind: z.literal('activate'),
      activationFile: z.string().min(1).max(4096),
      hostname: z.string().min(1).max(253).optional(),
      reset: z.boolean(),
      hostsFile: z.string().min(1).max(4096).optional(),
    }),
    z.object({
      kind: z.literal('revert'),
      runId: z.string().min(1).max(200),
      deactivate: z.boolean(),
      /** The agent package the run installed: kept, or removed (deactivated first when `deactivate`). */
      agent: z.enum(['keep', 'remove']),
    }),
  ]),
});
export type JobArgs = z.infer<typeof JobArgsSchema>;
export type Job = JobArgs['job'];

/** Reads and validates an args file (the elevated run trusts nothing it did not check). */
export async function loadJobArgs(file: string): Promise<JobArgs> {
  const r = JobArgsSchema.safeParse(await readArgsFile(file));
  if (!r.success)
    throw inputError(
      'elevation.badArgs',
      msg('elevation.badArgs', {
        file,
        detail: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
      }),
    );
  return r.data;
}

/** The args of a job on `sys`. */
export function jobArgs(sys: SystemContext, lang: Lang, job: Job): JobArgs {
  return { format: JOB_FORMAT, root: sys.live ? null : sys.root, lang, job };
}

/** What a job printed: an apply's or a revert's outcome, or an activation with its checks and status (masked). */
export type JobOutput = ApplyOutcome | ActivationRun | RevertOutcome;

/** Runs a job in this process (already elevated, or the elevated CLI itself), its progress going to `ctx`. */
export async function runJob(sys: SystemContext, args: JobArgs, ctx: JobContext): Promise<JobOutput> {
  const job = args.job;
  if (job.kind === 'apply')
    return applyPlan(sys, job.plan as Plan, {
      onProgress: (_step, m) => ctx.progress(m),
      onNotice: (m) => ctx.progress(m),
    });
  if (job.kind === 'revert')
    return revertRun(sys, job.runId, {
      deactivate: job.deactivate,
      agent: job.agent,
      onNotice: (m) => ctx.progress(m),
    });
  const req = await activationRequest(sys, {
    activationFile: job.activationFile,
    ...(job.hostname ? { hostname: job.hostname } : {}),
  });
  const run = await runActivation(
    sys,
    req,
    { reset: job.reset, lang: args.lang, ...(job.hostsFile ? { hostsFile: job.hostsFile } : {}) },
    ctx,
  );
  return redactJson(run, requestSecrets(req));
}

/**
 * The command a person runs instead when the app cannot ask for rights, quoted and copyable: `apply --plan FILE`
 * (the plan kept in a private directory for it) or `activate --activation-file FILE …`.
 */
export async function manualCommand(
  args: JobArgs,
  platform: NodeJS.Platform = process.platform,
  keepDir: string = tmpdir(),
): Promise<ManualCommand> {
  const win = platform === 'win32';
  const pre = [...(win ? [] : ['sudo']), 'dsa-setup', ...(args.root ? ['--root', args.root] : [])];
  const manual = (argv: string[], message: Message): ManualCommand => {
    const command = shellCommand(argv, platform);
    return {
      command,
      message,
      remedy: msg(win ? 'elevation.manualRemedyWindows' : 'elevation.manualRemedy', { command }),
    };
  };
  const job = args.job;
  if (job.kind === 'apply') {
    await mkdir(keepDir, { recursive: true });
    const file = await writeArgsFile(await privateJobDir(keepDir), job.plan);
    return manual([...pre, 'apply', '--plan', file], msg('elevation.manualApply', { file }));
  }
  if (job.kind === 'revert')
    return manual(
      [
        ...pre,
        'revert',
        '--run',
        job.runId,
        job.agent === 'keep' ? '--keep-agent' : '--remove-agent',
        ...(job.deactivate ? ['--deactivate'] : []),
      ],
      msg('elevation.manualRevert'),
    );
  const argv = [
    ...pre,
    'activate',
    '--activation-file',
    job.activationFile,
    ...(job.hostname ? ['--hostname', job.hostname] : []),
    ...(job.reset ? ['--reset'] : []),
    ...(job.hostsFile ? ['--hosts-file', job.hostsFile] : []),
  ];
  return manual(argv, msg('elevation.manualActivate'));
}
