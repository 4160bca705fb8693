import { programFiles64 } from './agentTools.js';
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { totalmem } from 'node:os';
import { readIfExists } from '../fsx.js';
import type { SystemContext } from '../system.js';

/** The agent's documented minimums (Deep Security Agent 20 system requirements). */
export const AGENT_MINIMUMS = { diskMb: 500, memoryMb: 512 } as const;

export interface ResourceCheck {
  /** The install location checked (`/opt`, `C:\Program Files`). */
  path: string;
  diskFreeMb: number | null;
  memoryMb: number | null;
  diskMinMb: number;
  memoryMinMb: number;
  diskOk: boolean | null;
  memoryOk: boolean | null;
  /** False only when a known value is below its minimum. */
  ok: boolean;
}

/** Total memory in MiB from a `/proc/meminfo` text (`MemTotal: N kB`), or null. */
export function parseMemTotalMb(text: string): number | null {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(text);
  return m ? Math.floor(Number(m[1]) / 1024) : null;
}

async function freeMbAt(path: string): Promise<number | null> {
  let p = path;
  for (;;) {
    const st = await fs.statfs(p).catch(() => null);
    if (st) return Math.floor((Number(st.bavail) * Number(st.bsize)) / (1024 * 1024));
    const up = dirname(p);
    if (up === p) return null;
    p = up;
  }
}

/**
 * Free disk in the agent's install location and total memory, against the agent's minimums. Under a
 * root, disk is measured where the root's `/opt` is and memory comes from the root's `/proc/meminfo`
 * (unknown when it has none).
 */
export async function checkDiskAndMemory(sys: SystemContext): Promise<ResourceCheck> {
  const path = sys.os === 'windows' ? 'C:\\Program Files' : '/opt';
  const hostPath = sys.os === 'windows' && sys.live ? programFiles64(sys) : sys.path(path);
  const diskFreeMb = await freeMbAt(hostPath);
  let memoryMb: number | null = null;
  const meminfo = sys.os === 'linux' ? await readIfExists(sys.path('/proc/meminfo')) : null;
  if (meminfo) memoryMb = parseMemTotalMb(meminfo.toString('utf8'));
  else if (sys.live) memoryMb = Math.floor(totalmem() / (1024 * 1024));
  const diskOk = diskFreeMb === null ? null : diskFreeMb >= AGENT_MINIMUMS.diskMb;
  const memoryOk = memoryMb === null ? null : memoryMb >= AGENT_MINIMUMS.memoryMb;
  return {
    path,
    diskFreeMb,
    memoryMb,
    diskMinMb: AGENT_MINIMUMS.diskMb,
    memoryMinMb: AGENT_MINIMUMS.memoryMb,
    diskOk,
    memoryOk,
    ok: diskOk !== false && memoryOk !== false,
  };
}
