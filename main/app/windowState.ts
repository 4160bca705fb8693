import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { atomicWrite } from '../core/fsx.js';

const WindowStateSchema = z.object({
  width: z.number().int().min(640).max(10_000),
  height: z.number().int().min(480).max(10_000),
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof WindowStateSchema>;

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1100, height: 780, maximized: false };

/** Reads the remembered window size and position; the default when missing or not valid. */
export function loadWindowStateSync(file: string): WindowState {
  try {
    const r = WindowStateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return r.success ? r.data : DEFAULT_WINDOW_STATE;
  } catch {
    return DEFAULT_WINDOW_STATE;
  }
}

/** Remembers the window's size and position (atomically). */
export async function saveWindowState(file: string, state: WindowState): Promise<void> {
  await atomicWrite(file, JSON.stringify(state) + '\n');
}
