import { readFileSync } from 'node:fs';

/** Whether a process still runs (kill -0 reaches it and it is not a zombie waiting for its reaper). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits up to 2 s for the processes to be gone (the kernel delivers SIGKILL asynchronously); the ones left. */
export async function survivors(pids: readonly number[]): Promise<number[]> {
  for (let i = 0; i < 20 && pids.some(alive); i++) await new Promise((res) => setTimeout(res, 100));
  return pids.filter(alive);
}
