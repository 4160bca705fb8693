import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { EVENTS, VERBS, buildDsaSetupApi } from '../main/core/ipc/verbs.js';

// One verb per channel (the shared table); the renderer never sees ipcRenderer or the raw event.
const api = buildDsaSetupApi(
  VERBS,
  EVENTS,
  (channel, payload) => ipcRenderer.invoke(channel, payload),
  (channel, listener) => {
    const handler = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
  async (file) => webUtils.getPathForFile(file as File) || null,
);

contextBridge.exposeInMainWorld('dsaSetup', api);
