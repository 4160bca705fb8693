import type { ChannelName, ProgressEvent, Reply, Request } from './contract.js';
import type { VERBS, Verb } from './verbs.js';

/** `window.dsaSetup`: one verb per channel (verbs.ts) plus the progress subscription. */
export type DsaSetupApi = {
  [V in Verb]: (req: Request<(typeof VERBS)[V] & ChannelName>) => Promise<Reply<(typeof VERBS)[V] & ChannelName>>;
} & {
  /** Calls `listener` with each journal event of a running apply; returns the unsubscribe function. */
  onApplyProgress(listener: (event: ProgressEvent) => void): () => void;
};
