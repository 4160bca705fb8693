import { contextBridge, ipcRenderer } from 'electron';
import type { ChannelName, Reply, Request } from '../main/core/ipc/contract.js';

// One verb per channel; the renderer never sees ipcRenderer or the raw event.
const call = <C extends ChannelName>(channel: C, req: Request<C>): Promise<Reply<C>> =>
  ipcRenderer.invoke(channel, req) as Promise<Reply<C>>;

const api = {
  appInfo: () => call('app:info', {}),
  inspect: () => call('inspect', {}),
};
export type DsaSetupApi = typeof api;

contextBridge.exposeInMainWorld('dsaSetup', api);
