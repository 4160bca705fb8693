import { existsSync, readdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJournalLine, type StampedEvent } from '../engine/journal.js';

/** A watcher of the runs directory: follows the `events.jsonl` of every run that appears after it started. */
export interface RunWatcher {
  /** Reads what is left, stops polling, and returns every event seen, in order. */
  stop(): Promise<StampedEvent[]>;
  /** Ids of the runs that appeared since the watcher started. */
  runIds(): string[];
  /**
   * Whether the watcher could not see everything: the runs directory could not be listed, or a new run's
   * journal could not be read. Then "no run of the job appeared" is unknown, not a fact.
   */
  blind(): boolean;
}

interface Followed {
  id: string;
  offset: number;
  partial: string;
  /** Decided at the run's first event: null until then. */
  ours: boolean | null;
}

/**
 * Watches `runsDir` for new run directories and tails their `events.jsonl` as it grows (polling every
 * `pollMs`: portable, and a file written by another user's process is seen the same way). Each complete
 * line is parsed and passed to `onEvent`; a torn last line waits for the next read.
 */
export function watchNewRuns(
  runsDir: string,
  opts: {
    onEvent?: (e: StampedEvent, runId: string) => void;
    pollMs?: number;
    /** Whether a run belongs to the job, judged by its first event (a concurrent job's run is left alone). */
    accept?: (first: StampedEvent) => boolean;
  } = {},
): RunWatcher {
  // An unreadable runs directory (EACCES when the elevated run made it 0700) means no progress, never a crash:
  // the result still comes back from the run's output.
  let blind = false;
  const list = (): string[] => {
    try {
      return readdirSync(runsDir);
    } catch (e) {
      // Not made yet is an empty list; any other error (EACCES, ENOTDIR, EIO) hides what the job did.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') blind = true;
      return [];
    }
  };
  const before = new Set(list());
  const followed = new Map<string, Followed>();
  const seen: StampedEvent[] = [];
  let busy: Promise<void> = Promise.resolve();
  let stopped = false;

  const readRun = async (f: Followed): Promise<void> => {
    const file = join(runsDir, f.id, 'events.jsonl');
    if (!existsSync(file)) return;
    const fh = await open(file, 'r');
    try {
      const { size } = await fh.stat();
      if (size <= f.offset) return;
      const buf = Buffer.alloc(size - f.offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, f.offset);
      f.offset += bytesRead;
      const text = f.partial + buf.subarray(0, bytesRead).toString('utf8');
      const lines = text.split('\n');
      f.partial = lines.pop() ?? '';
      for (const line of lines) {
        const e = parseJournalLine(line);
        if (!e) continue;
        f.ours ??= opts.accept ? opts.accept(e) : true;
        if (!f.ours) continue;
        seen.push(e);
        opts.onEvent?.(e, f.id);
      }
    } finally {
      await fh.close();
    }
  };

  const tick = (): Promise<void> => {
    busy = busy.then(async () => {
      for (const id of list().sort()) {
        if (!before.has(id) && !followed.has(id)) followed.set(id, { id, offset: 0, partial: '', ours: null });
      }
      for (const f of followed.values())
        await readRun(f).catch(() => {
          blind = true;
        });
    });
    return busy;
  };

  const timer = setInterval(() => {
    if (!stopped) void tick();
  }, opts.pollMs ?? 100);

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await tick();
      return [...seen];
    },
    runIds: () => [...followed.values()].filter((f) => f.ours).map((f) => f.id),
    // A new run whose first event was never read might be the job's.
    blind: () => blind || [...followed.values()].some((f) => f.ours === null),
  };
}
