import { AsyncLocalStorage } from 'node:async_hooks';
import type { Executor, ExecOptions } from './exec.js';
import type { SystemContext } from './system.js';

/** Time the process gets after its deadline to print what it has and exit (the CLI's promise: deadline + 0.5 s). */
export const EXIT_GRACE_MS = 500;

/**
 * One deadline for a command: a signal aborted when it passes (every lookup, connection and child process
 * started under it stops then) and the time left until it.
 */
export class Deadline {
  readonly at: number;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  /** Commands still running, by the task that started them (see `runAs`). */
  readonly running = new Map<string, Set<string>>();
  /** Commands stopped at their timeout or at the deadline (they hung), in the order they were stopped. */
  readonly stopped: { command: string; ms: number }[] = [];
  private readonly task = new AsyncLocalStorage<string>();

  constructor(readonly ms: number) {
    this.at = performance.now() + ms;
    this.timer = setTimeout(() => this.controller.abort(), ms);
    this.timer.unref();
  }

  /** Aborted at the deadline (or by `end`). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Milliseconds left (never below 0). */
  remaining(): number {
    return Math.max(0, this.at - performance.now());
  }

  /** Ends the deadline now: whatever still runs under it is stopped. */
  end(): void {
    clearTimeout(this.timer);
    this.controller.abort();
  }

  /** Runs `fn` as a named task: the commands it starts are listed under that name while they run. */
  runAs<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.task.run(name, fn);
  }

  /** The commands a task started that are still running (e.g. a hung `dsa_query`). */
  waitingFor(name: string): string[] {
    return [...(this.running.get(name) ?? [])];
  }

  /** Notes a command as running under the current task until `done` is called. */
  track(command: string, args: readonly string[]): () => void {
    const name = this.task.getStore() ?? '';
    const line = [command, ...args].join(' ');
    const set = this.running.get(name) ?? new Set<string>();
    this.running.set(name, set);
    set.add(line);
    return () => set.delete(line);
  }

  /**
   * The system context whose every process gets this deadline's signal and a timeout that ends by it (and
   * at most `capMs` each, when given: a command's own time limit such as `activate --timeout`).
   */
  system(sys: SystemContext, capMs?: number): SystemContext {
    return { ...sys, exec: deadlineExecutor(sys.exec, this, capMs) };
  }
}

/** Wraps an executor so that each process is stopped (with its process group) at the deadline at the latest. */
export function deadlineExecutor(exec: Executor, d: Deadline, capMs = Infinity): Executor {
  const bound = (opts: ExecOptions | undefined): ExecOptions => ({
    ...opts,
    timeoutMs: Math.max(1, Math.floor(Math.min(opts?.timeoutMs ?? Infinity, capMs, d.remaining()))),
    signal: d.signal,
  });
  const tracked =
    (run: Executor['run']): Executor['run'] =>
    async (command, args, opts) => {
      const done = d.track(command, args);
      try {
        const r = await run(command, args, bound(opts));
        if (r.timedOut) d.stopped.push({ command: [command, ...args].join(' '), ms: r.ms });
        return r;
      } finally {
        done();
      }
    };
  return { run: tracked(exec.run), runReal: tracked(exec.runReal) };
}

/**
 * Makes the process end by `ms` + the grace whatever still holds it (a DNS server that never answers, a child
 * that ignores its signal): the exit code already set, else 1. The timer does not keep the process alive.
 */
export function exitBy(ms: number): NodeJS.Timeout {
  const t = setTimeout(() => process.exit(process.exitCode ?? 1), ms + EXIT_GRACE_MS - 50);
  t.unref();
  return t;
}

/** Exits once stdout and stderr have taken what was printed (pending lookups or children do not hold the exit). */
export function exitWhenFlushed(): void {
  let pending = 2;
  const done = (): void => {
    if (--pending === 0) process.exit(process.exitCode ?? 0);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

/**
 * Gives a CLI command one deadline counted from the process's start: every process it starts is stopped by
 * then (and each after `capMs`), and the process exits by the deadline + 0.5 s whatever still holds it.
 */
export function commandDeadline(
  sys: SystemContext,
  ms: number,
  capMs?: number,
): { sys: SystemContext; deadline: Deadline } {
  const left = Math.max(0, ms - performance.now());
  exitBy(left);
  const deadline = new Deadline(left);
  return { sys: deadline.system(sys, capMs), deadline };
}
