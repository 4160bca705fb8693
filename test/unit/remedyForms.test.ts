// Remedies fit the surface they are read on: the window never shows a dsa-setup flag outside the folded CLI form,
// and the CLI keeps its own text.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localeResources, translator, type Lang } from '../../main/core/i18n.js';
import { msg, renderMessage, type Message } from '../../main/core/message.js';
import {
  CLI_COMMAND_PATTERN,
  CLI_ONLY_KEYS,
  FLAG_PATTERN,
  GUI_SUFFIX,
  REMEDY_FORMS,
  remedyForm,
  windowMessage,
} from '../../main/core/ipc/remedyForms.js';
import { flatten } from '../helpers/locales.js';

const LOCALES: Record<Lang, Map<string, string>> = { ja: flatten(localeResources.ja), en: flatten(localeResources.en) };
const has = (key: string): boolean => LOCALES.en.has(key);
/** A message of `key` with every placeholder of its text filled by a harmless word. */
const sample = (key: string): Message =>
  msg(key, Object.fromEntries([...LOCALES.en.get(key)!.matchAll(/\{\{\s*(\w+)/g)].map((m) => [m[1]!, 'x'])));
const PROJECT = join(import.meta.dirname, '../..');
/** Every source file of the app, by its path from the project. */
const sources = (dir: string): [string, string][] =>
  readdirSync(join(PROJECT, dir), { withFileTypes: true }).flatMap((e): [string, string][] => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return /\.tsx?$/.test(e.name) ? [[rel, readFileSync(join(PROJECT, rel), 'utf8')]] : [];
  });
const SOURCES = [...sources('main'), ...sources('renderer/src')];
/** A key written only by the CLI's commands (main/commands, main/cli.ts): the window never shows it. */
const onlyTheCliWrites = (key: string): boolean => {
  const users = SOURCES.filter(([, text]) => ["'", '"', '`'].some((q) => text.includes(`${q}${key}${q}`)));
  return users.length > 0 && users.every(([path]) => path.startsWith('main/commands/') || path === 'main/cli.ts');
};
/** Keys the window may show (a key built at run time counts: it is written nowhere whole). */
const windowKeys = [...LOCALES.en.keys()].filter(
  (k) => !k.endsWith(GUI_SUFFIX) && !CLI_ONLY_KEYS.test(k) && !onlyTheCliWrites(k),
);
const namesFlag = (k: string): boolean => (['en', 'ja'] as const).some((l) => FLAG_PATTERN.test(LOCALES[l].get(k)!));
const namesCommand = (k: string): boolean => /emedy/.test(k) && CLI_COMMAND_PATTERN.test(LOCALES.en.get(k)!);

/**
 * Remedies with no button, in words only: a reboot or another kernel, a file system to put right by hand (then the
 * screen's own button runs the job again), rights the window cannot give itself, what only the CLI can do.
 */
const NO_BUTTON = [
  'agent.activate.remedy.ok',
  'agent.activate.remedy.selfProtectionPassword',
  'agent.installer.unknownArchRemedy',
  'agent.kernel.unsupportedRemedy',
  'doctor.agentLog.deniedRemedy',
  'doctor.platform.kernelListBadRemedy',
  'doctor.prep.ipv6RebootRemedy',
  'elevation.cancelledRemedy',
  'elevation.manualRemedy',
  'elevation.manualRemedyWindows',
  'lock.busyRemedy',
  'prep.elevation.unsafePathRemedy',
  'prep.ipv6.unknownOsRemedy',
];
const byHand = /^fsx\./;

describe('remedies in the window', () => {
  it('every text the window may show that names a flag has a window wording without one, in both languages', () => {
    const flagged = windowKeys.filter(namesFlag);
    expect(flagged.length).toBeGreaterThan(40);
    const missing = flagged.filter((k) => !has(k + GUI_SUFFIX));
    expect(missing).toEqual([]);
    const stillFlagged = flagged.flatMap((k) =>
      (['en', 'ja'] as const)
        .filter((l) => FLAG_PATTERN.test(LOCALES[l].get(k + GUI_SUFFIX)!))
        .map((l) => `${l} ${k}${GUI_SUFFIX}: ${LOCALES[l].get(k + GUI_SUFFIX)}`),
    );
    expect(stillFlagged).toEqual([]);
  });

  it('a remedy that tells to run a dsa-setup command names the screen in the window instead', () => {
    const commands = windowKeys.filter(namesCommand);
    expect(commands).toEqual(expect.arrayContaining(['doctor.remedy.generic', 'agent.activate.noContactRemedy']));
    const left = commands.filter(
      (k) => !has(k + GUI_SUFFIX) || CLI_COMMAND_PATTERN.test(LOCALES.en.get(k + GUI_SUFFIX)!),
    );
    expect(left).toEqual([]);
  });

  it('every text the window renders, nested remedies included, is free of dsa-setup flags in both languages', () => {
    const offenders: string[] = [];
    for (const lang of ['en', 'ja'] as const) {
      const t = translator(lang);
      for (const key of windowKeys) {
        // A remedy wrapped in another (resetRefusedRemedy wraps the reason's remedy) is worded for the window too.
        const wrapped = msg('agent.activate.resetRefusedRemedy', { remedy: sample(key) });
        for (const m of [sample(key), wrapped]) {
          const text = renderMessage(t, windowMessage(m, has));
          if (FLAG_PATTERN.test(text)) offenders.push(`${lang} ${key}: ${text}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the command line keeps its own wording, flags and all', () => {
    const t = translator('en');
    const add = msg('doctor.hosts.addRemedy', { source: 'VMSecurity_hosts_cln.txt', file: '/etc/hosts' });
    expect(renderMessage(t, add)).toBe(
      'Add the lines of VMSecurity_hosts_cln.txt to /etc/hosts: dsa-setup apply --hosts-file VMSecurity_hosts_cln.txt.',
    );
    expect(renderMessage(t, windowMessage(add, has))).toBe(
      'Add the lines of VMSecurity_hosts_cln.txt to /etc/hosts: choose it under Files, review and apply.',
    );
    expect(renderMessage(translator('ja'), windowMessage(msg('agent.activate.remedy.alreadyActivated'), has))).toBe(
      '「先にリセット」を選び、登録済みのホスト名を入力してもう一度有効化してください(Cloudn のマニュアルの再登録の手順)。またはコンソールから先にコンピューターを削除してください。',
    );
  });

  it('each remedy with a window wording has its CLI form to copy, and a button where this machine can do it', () => {
    const remedies = windowKeys.filter((k) => (namesFlag(k) || namesCommand(k)) && /emedy|skip\./.test(k));
    expect(remedies.filter((k) => !REMEDY_FORMS[k]?.cli)).toEqual([]);
    // The buttons: the field to fill, the reset to tick, the diagnosis to run again.
    expect(remedyForm(msg('doctor.hosts.addRemedy', { source: 'hosts.txt', file: '/etc/hosts' }))).toEqual({
      action: { kind: 'go', screen: 'inputs', focus: 'pick-hosts' },
      command: 'dsa-setup apply --hosts-file hosts.txt',
    });
    expect(remedyForm(msg('agent.activate.remedy.alreadyActivated')).action).toEqual({ kind: 'activateReset' });
    expect(remedyForm(msg('doctor.skip.noInstaller')).action).toEqual({
      kind: 'go',
      screen: 'inputs',
      focus: 'pick-installer',
    });
    // A parameter the message does not carry stays a placeholder a person fills in.
    expect(remedyForm(msg('revert.newerFirstRemedy', {})).command).toBe('dsa-setup revert --run NEWER');
    // A wrapping remedy takes the button of its own key.
    const wrapped = msg('agent.activate.resetRefusedRemedy', { remedy: msg('doctor.hosts.addRemedy') });
    expect(remedyForm(wrapped).action).toEqual({ kind: 'doctor' });
    // Every CLI form is a command the CLI has (dsa-setup or sudo dsa-setup), never prose.
    for (const [k, f] of Object.entries(REMEDY_FORMS))
      for (const line of f.cli?.split('\n') ?? []) expect(line, k).toMatch(/^(sudo )?dsa-setup [a-z]/);
  });

  it('every remedy the window may show has a button: the screen and field where it is done, or what runs it', () => {
    const remedies = windowKeys.filter((k) => !k.startsWith('ui.') && /(?:Remedy[A-Za-z]*|\.remedy\.\w+)$/.test(k));
    expect(remedies.length).toBeGreaterThan(100);
    // Only others can act on these, and nothing in the window helps: they say so in words alone.
    const wordsOnly = new Set(NO_BUTTON);
    const without = remedies.filter((k) => !remedyForm(sample(k)).action && !wordsOnly.has(k) && !byHand.test(k));
    expect(without).toEqual([]);
    // The list of exceptions stays true: each is a remedy and has no button.
    for (const k of [...NO_BUTTON, ...remedies.filter((r) => byHand.test(r))])
      expect(remedyForm(sample(k)).action, k).toBeUndefined();
  });

  it('a flag is a dsa-setup flag: not a dash in prose, not a flag of the system tools a remedy names', () => {
    expect(FLAG_PATTERN.test('pass --kernel-list FILE')).toBe(true);
    expect(FLAG_PATTERN.test('(--disable-ipv6 protocol)')).toBe(true);
    expect(FLAG_PATTERN.test('「--reset」')).toBe(true);
    expect(FLAG_PATTERN.test('method: disable addressing — sysctl --system')).toBe(false);
    expect(FLAG_PATTERN.test('rpm --rebuilddb; dpkg --configure -a')).toBe(false);
  });
});
