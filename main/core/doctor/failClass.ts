/**
 * Who or what a failure is on, so scripts can branch on it (and the fleet report groups hosts by it), in the
 * order the fleet report lists them: name resolution, the network path, TLS, a clock, a proxy, the manager
 * (its server errors, its certificate's dates, an answer that is not the manager's), the agent, a conflict,
 * the inputs.
 */
export const FAIL_CLASSES = ['dns', 'tcp', 'tls', 'clock', 'proxy', 'manager', 'agent', 'conflict', 'input'] as const;

/** The class of a failure (see FAIL_CLASSES). */
export type FailClass = (typeof FAIL_CLASSES)[number];
