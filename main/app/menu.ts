// The application menu, ours instead of Electron's default: editing and zoom (200 % must be reachable from the
// keyboard), and Reload / Developer Tools only when the app is not packaged; its labels in the window's language.
// No `electron` import: the template is plain data for Menu.buildFromTemplate, built and tested in Node.
import { translator, type Lang } from '../core/i18n.js';

/** The roles this menu uses (Electron implements each). */
export type MenuRole =
  | 'quit'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'selectAll'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'togglefullscreen'
  | 'reload'
  | 'forceReload'
  | 'toggleDevTools'
  | 'minimize'
  | 'close';

/** Electron's MenuItemConstructorOptions, as far as this menu uses it. */
export interface MenuItemTemplate {
  label?: string;
  role?: MenuRole;
  type?: 'separator';
  accelerator?: string;
  submenu?: MenuItemTemplate[];
}

export interface MenuOptions {
  /** app.isPackaged: a packaged build has no Reload and no Developer Tools. */
  packaged: boolean;
  /** Translates a `ui.menu.*` key. */
  t(key: string): string;
}

const SEPARATOR: MenuItemTemplate = { type: 'separator' };

/** Builds the application menu's template for Menu.buildFromTemplate. */
export function menuTemplate(o: MenuOptions): MenuItemTemplate[] {
  const item = (role: MenuRole, key: string, accelerator?: string): MenuItemTemplate => ({
    role,
    label: o.t(`ui.menu.${key}`),
    ...(accelerator ? { accelerator } : {}),
  });
  const developer = o.packaged
    ? []
    : [SEPARATOR, item('reload', 'reload'), item('forceReload', 'forceReload'), item('toggleDevTools', 'devTools')];
  return [
    {
      label: o.t('ui.menu.file'),
      submenu: [item('quit', 'quit')],
    },
    {
      label: o.t('ui.menu.edit'),
      submenu: [
        item('undo', 'undo'),
        item('redo', 'redo'),
        SEPARATOR,
        item('cut', 'cut'),
        item('copy', 'copy'),
        item('paste', 'paste'),
        item('selectAll', 'selectAll'),
      ],
    },
    {
      label: o.t('ui.menu.view'),
      submenu: [
        item('resetZoom', 'resetZoom'),
        item('zoomIn', 'zoomIn', 'CmdOrCtrl+='),
        item('zoomOut', 'zoomOut'),
        SEPARATOR,
        item('togglefullscreen', 'fullScreen'),
        ...developer,
      ],
    },
    { label: o.t('ui.menu.window'), submenu: [item('minimize', 'minimize'), item('close', 'close')] },
  ];
}

/** Every role a template uses, submenus included (what the tests and the packaged check look at). */
export function menuRoles(template: readonly MenuItemTemplate[]): MenuRole[] {
  return template.flatMap((i) => [...(i.role ? [i.role] : []), ...menuRoles(i.submenu ?? [])]);
}

/** The application menu in the window's language: set once at start, and again each time the window switches. */
export interface MenuLanguage {
  /** The language the menu (and the shell's jobs) speak now. */
  lang(): Lang;
  /** The window switched to `lang`: the menu is built again in it (nothing happens when it already speaks it). */
  setLang(lang: Lang): void;
}

/** Builds the menu in `o.lang` and hands it to `o.set` (Menu.setApplicationMenu); rebuilds it on a switch. */
export function menuLanguage(o: {
  packaged: boolean;
  lang: Lang;
  set(template: MenuItemTemplate[]): void;
}): MenuLanguage {
  let current = o.lang;
  const build = (): void => o.set(menuTemplate({ packaged: o.packaged, t: translator(current) }));
  build();
  return {
    lang: () => current,
    setLang(lang) {
      if (lang === current) return;
      current = lang;
      build();
    },
  };
}
