import type { ChannelName, MessageView, ProgressEvent, Reply, Request } from './contract.js';
import type { VERBS, Verb } from './verbs.js';

/** `window.dsaSetup`: one verb per channel (verbs.ts) plus the progress subscription. */
export type DsaSetupApi = {
  [V in Verb]: (req: Request<(typeof VERBS)[V] & ChannelName>) => Promise<Reply<(typeof VERBS)[V] & ChannelName>>;
} & {
  /** Calls `listener` with each journal event of a running apply; returns the unsubscribe function. */
  onApplyProgress(listener: (event: ProgressEvent) => void): () => void;
  /** Calls `listener` with each progress message of a long operation (activation); returns the unsubscribe. */
  onProgress(listener: (message: MessageView) => void): () => void;
  /** Where a dropped File is on disk (null when the page cannot know, e.g. a plain browser). */
  pathForFile(file: object): Promise<string | null>;
};
