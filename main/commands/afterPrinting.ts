import { exitWhenFlushed } from '../core/deadline.js';
import { action } from './common.js';

/**
 * Wraps a command's action like `action`, and ends the process once its output is printed: a lookup nobody
 * answers or a hung child never holds it (doctor, activate, status).
 */
export function afterPrinting<A extends unknown[]>(fn: Parameters<typeof action<A>>[0]) {
  const run = action(fn);
  return async (...args: unknown[]): Promise<void> => {
    await run(...args);
    exitWhenFlushed();
  };
}
