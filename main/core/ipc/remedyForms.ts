import { msg, type Message } from '../message.js';

/**
 * The window's form of a remedy (and of any text that names a command-line flag): the GUI wording, the button
 * that does it (a screen and the field on it, or an action), and the CLI form folded under it to copy.
 * Remedies fit the surface they are read on: the CLI keeps its text (the key itself); the window reads the
 * key's `Gui` sibling when there is one (`doctor.hosts.addRemedy` → `doctor.hosts.addRemedyGui`).
 * Shared by the Node side and the renderer: no Node imports here.
 */

/** What a remedy's button does in the window. */
export type GuiAction =
  /** Opens a screen and puts the focus on one of its fields (a `data-testid`). */
  | { kind: 'go'; screen: 'inputs' | 'plan' | 'apply' | 'activate' | 'diagnose'; focus?: string }
  /** Opens Activate with "reset it first" ticked (and the host name field focused). */
  | { kind: 'activateReset' }
  /** Runs the diagnosis again. */
  | { kind: 'doctor' }
  /** Writes a support bundle (Diagnose → Support bundle). */
  | { kind: 'bundle' };

/** A remedy key's window form: its button, and the command that does the same from a terminal. */
export interface RemedyForm {
  action?: GuiAction;
  /** The CLI form, `{{param}}` filled from the message's string parameters (else left as a placeholder). */
  cli?: string;
}

/** The suffix of a key's window wording. */
export const GUI_SUFFIX = 'Gui';

/**
 * A dsa-setup flag written in a text (`--hosts-file`): not a dash in prose, and not a flag of the system's own
 * tools that a remedy tells the admin to run (`sysctl --system`, `rpm --rebuilddb`, `dpkg --configure -a`,
 * `systemctl enable --now`).
 */
export const FLAG_PATTERN = /(?<![\w-])--(?!(?:system|rebuilddb|configure|now)\b)[a-z][\w-]*/;

/** A `dsa-setup VERB` command named in a text (the window names its screen instead). */
export const CLI_COMMAND_PATTERN = /dsa-setup (?:inspect|plan|apply|revert|activate|status|doctor|report)\b/;

/**
 * Keys the window never shows, so they keep only their CLI wording: the CLI's own output and help, its
 * argument errors, the report and fleet commands, and option texts (`prep.cli.*`). Everything else that
 * names a flag has a `Gui` sibling (test/unit/remedyForms.test.ts).
 */
export const CLI_ONLY_KEYS =
  /^(?:cli\.|doctor\.input\.|doctor\.fix\.written$|report\.(?:help|error)\.|fleet\.(?:help|error)\.|fleet\.generated$|prep\.cli\.|apply\.revertHint$|revert\.(?:deactivateSays|activationKept)$|agent\.download\.fits|agent\.activate\.badProxyAuth$)|\.help\./;

const HOSTS: GuiAction = { kind: 'go', screen: 'inputs', focus: 'pick-hosts' };
const ACTIVATION: GuiAction = { kind: 'go', screen: 'inputs', focus: 'pick-activation' };
const INSTALLER: GuiAction = { kind: 'go', screen: 'inputs', focus: 'pick-installer' };
const ACTIVATE: GuiAction = { kind: 'go', screen: 'activate', focus: 'activate' };
const RESET: GuiAction = { kind: 'activateReset' };
const DOCTOR: GuiAction = { kind: 'doctor' };
const REVIEW: GuiAction = { kind: 'go', screen: 'plan' };
const APPLY: GuiAction = { kind: 'go', screen: 'apply' };
/** The command line of the doctor's fix plan and its apply (what **Fix** does). */
export const FIX_CLI = 'dsa-setup doctor --fix --out fix-plan.json\ndsa-setup apply --plan fix-plan.json';
const HOSTS_CLI = 'dsa-setup apply --hosts-file {{source}}';
const DOCTOR_CLI = 'dsa-setup doctor --hosts-file FILE --activation-file FILE';
const ACTIVATE_CLI = 'dsa-setup activate --activation-file FILE';
/** The forms many remedies share. */
const HOSTS_FILE: RemedyForm = { action: HOSTS, cli: 'dsa-setup apply --hosts-file FILE' };
const RESET_FORM: RemedyForm = { action: RESET, cli: `${ACTIVATE_CLI} --reset` };
const RESET_NAMED: RemedyForm = { action: RESET, cli: `${ACTIVATE_CLI} --reset --hostname NAME` };
const RETRY: RemedyForm = { action: ACTIVATE, cli: `${ACTIVATE_CLI} --retries 3` };
const FIX_FORM: RemedyForm = { cli: FIX_CLI };
/** Run the diagnosis again (once the cause named is fixed). */
const DIAGNOSE_AGAIN: RemedyForm = { action: DOCTOR, cli: 'dsa-setup doctor' };
/** Run the job again from the Apply screen (once what was in the way is gone). */
const RUN_AGAIN: RemedyForm = { action: APPLY };
/** Plan again (once the system's tool answers). */
const PLAN_AGAIN: RemedyForm = { action: REVIEW };
const FIREWALL_HOSTS: RemedyForm = {
  action: HOSTS,
  cli: 'dsa-setup plan --open-firewall --hosts-file VMSecurity_hosts_cln.txt',
};

/** Every remedy key the window shows with a button or a command of its own. */
export const REMEDY_FORMS: Readonly<Record<string, RemedyForm>> = {
  'errors.internalRemedy': { action: { kind: 'bundle' }, cli: 'dsa-setup doctor --bundle dsa-setup-bundle.tar.gz' },
  'hosts.utf16Remedy': { action: HOSTS, cli: 'dsa-setup apply --hosts-file FILE --rewrite-utf16-hosts' },
  'hosts.brokenBlockRemedy': { action: HOSTS },
  'apply.stalePlanRemedy': { action: REVIEW, cli: 'dsa-setup plan --hosts-file FILE --out plan.json' },
  'apply.interruptedRun': { action: APPLY, cli: 'dsa-setup revert --list\ndsa-setup revert --run {{run}}' },
  'revert.emptyRun': { action: APPLY, cli: 'dsa-setup revert --list' },
  'revert.activationNeedsDeactivate': { action: APPLY, cli: 'dsa-setup revert --run {{run}} --deactivate' },
  'revert.newerFirstRemedy': { action: APPLY, cli: 'dsa-setup revert --run {{newer}}' },
  'revert.agentKeptRemedy': { action: APPLY, cli: 'dsa-setup revert --run {{run}} --remove-agent' },
  'revert.installNeedsDeactivateRemedy': { action: APPLY, cli: 'dsa-setup revert --deactivate' },
  'doctor.skip.noManager': { action: ACTIVATION, cli: 'dsa-setup doctor --activation-file FILE' },
  'doctor.skip.noHostsFile': { action: HOSTS, cli: 'dsa-setup doctor --hosts-file VMSecurity_hosts_cln.txt' },
  'doctor.skip.noInstaller': { action: INSTALLER, cli: 'dsa-setup doctor --installer FILE' },
  'doctor.skip.noKernelList': { cli: 'dsa-setup doctor --kernel-list FILE' },
  'doctor.common.timedOutRemedy': { action: DOCTOR, cli: 'dsa-setup doctor --timeout 30000' },
  'doctor.remedy.generic': DIAGNOSE_AGAIN,
  'doctor.hosts.shadowedRemedy': HOSTS_FILE,
  'doctor.hosts.addRemedy': { action: HOSTS, cli: HOSTS_CLI },
  'doctor.hosts.utf16Remedy': { action: HOSTS, cli: 'dsa-setup apply --hosts-file {{source}} --rewrite-utf16-hosts' },
  'doctor.dns.wrongAddressRemedy': HOSTS_FILE,
  'doctor.dns.hostsLine': HOSTS_FILE,
  'doctor.dns.hostsLineUnknown': HOSTS_FILE,
  'doctor.time.noSourceReachableRemedy': { action: DOCTOR, cli: 'dsa-setup doctor --ntp-server HOST' },
  'doctor.time.cannotTellRemedy': { action: DOCTOR, cli: 'dsa-setup doctor --ntp-server HOST' },
  'doctor.time.cannotTellRemedyWindows': { action: DOCTOR, cli: 'dsa-setup doctor --ntp-server HOST' },
  'doctor.time.fixWindows': FIX_FORM,
  'doctor.time.fixEl6': FIX_FORM,
  'doctor.time.fixNtpd': FIX_FORM,
  'doctor.time.fixChrony': FIX_FORM,
  'doctor.time.fixChronyInstall': FIX_FORM,
  'doctor.proxy.direct': { cli: 'dsa-setup doctor --proxy HOST:PORT' },
  'doctor.agentLog.sig.resolveRemedy': HOSTS_FILE,
  'doctor.agentLog.sig.resolveRemedyNoHost': HOSTS_FILE,
  'doctor.agentLog.sig.alreadyRegisteredRemedyCloudOne': RESET_FORM,
  'doctor.agentLog.deniedRemedy': { cli: 'sudo dsa-setup doctor' },
  'doctor.platform.kernelListBadRemedy': { cli: 'dsa-setup doctor --kernel-list FILE' },
  'doctor.agent.notInstalledRemedy': { action: INSTALLER, cli: 'dsa-setup apply --installer FILE' },
  'doctor.agent.notActivatedRemedy': { action: ACTIVATE, cli: 'dsa-setup activate --activation-file FILE' },
  'doctor.agent.packageDbHungRemedy': DIAGNOSE_AGAIN,
  'doctor.fix.what.whichClock': { cli: 'dsa-setup doctor --ntp-server HOST' },
  'report.bundle.error.existsRemedy': { action: { kind: 'bundle' }, cli: 'dsa-setup doctor --bundle FILE --force' },
  'report.bundle.error.isFolder': { action: { kind: 'bundle' }, cli: 'dsa-setup doctor --bundle FILE' },
  'prep.ipv6.note.addressing': { cli: 'dsa-setup plan --disable-ipv6 protocol' },
  'prep.ipv6.note.protocol': { cli: 'dsa-setup plan --disable-ipv6 addressing' },
  'prep.ipv6.note.manualRhel6Addressing': { cli: 'dsa-setup plan --disable-ipv6 protocol' },
  'prep.fw.noTargets': FIREWALL_HOSTS,
  'prep.fw.noTargetsRemedy': FIREWALL_HOSTS,
  'prep.fw.unresolvedRemedy': { action: HOSTS, cli: 'dsa-setup plan --open-firewall --firewall-allow ADDRESS:PORT' },
  'agent.install.serviceNotRunningRemedy': DIAGNOSE_AGAIN,
  'agent.install.serviceDiedRemedy': DIAGNOSE_AGAIN,
  'agent.install.serviceDiedRemedyWindows': DIAGNOSE_AGAIN,
  'agent.install.serviceDiedRemedyEl6': DIAGNOSE_AGAIN,
  // Wait for the other package manager (or move what is in the way), then run the job again.
  'agent.install.rpmBusyRemedy': RUN_AGAIN,
  'agent.install.dpkgBusyRemedy': RUN_AGAIN,
  'agent.install.dpkgBusyPidRemedy': RUN_AGAIN,
  'agent.install.msiBusyRemedy': RUN_AGAIN,
  'agent.install.notInstalledAfterRemedy': RUN_AGAIN,
  'lock.notAFileRemedy': RUN_AGAIN,
  'agent.install.kernelListNeedsInstaller': { action: INSTALLER, cli: 'dsa-setup doctor --kernel-list {{file}}' },
  'agent.activate.noManager': { action: ACTIVATION, cli: 'dsa-setup activate --activation-file FILE' },
  'agent.activate.notInstalledRemedy': { action: INSTALLER, cli: 'sudo dsa-setup apply --installer FILE' },
  'agent.activate.notInstalledRemedyWindows': { action: INSTALLER, cli: 'dsa-setup apply --installer FILE' },
  'agent.activate.identity.alreadyActivatedRemedy': RESET_FORM,
  'agent.activate.identity.otherManagerRemedy': RESET_FORM,
  'agent.activate.identity.clonedImageRemedy': RESET_NAMED,
  'agent.activate.identity.clonedImageRemedyCloudOne': RESET_NAMED,
  'agent.activate.noContactRemedy': { action: DOCTOR, cli: 'dsa-setup status\ndsa-setup doctor' },
  'agent.activate.remedy.nameNotResolvable': HOSTS_FILE,
  'agent.activate.remedy.unreachable': RETRY,
  'agent.activate.remedy.alreadyActivated': RESET_NAMED,
  'agent.activate.remedy.alreadyActivatedCloudOne': RESET_FORM,
  'agent.activate.remedy.selfProtectionPassword': { cli: 'dsa-setup activate --activation-file FILE --password …' },
  'agent.activate.remedy.agentNotRunning': { action: ACTIVATE, cli: 'dsa-setup status' },
  'agent.activate.remedy.timeout': RETRY,
  'agent.activate.remedy.unreachablePathOpen': RETRY,
  'agent.activate.remedy.timeoutPathOpen': RETRY,
  'agent.activate.remedy.managerError': RETRY,
  'agent.activate.remedy.managerErrorCloudOne': RETRY,
  'agent.activate.resetRefusedRemedy': { action: DOCTOR, cli: 'dsa-setup activate --activation-file FILE --reset' },
  'agent.download.failedRemedy': { action: DOCTOR, cli: 'dsa-setup doctor --activation-file FILE' },
  'elevation.timedOutRemedy': { action: APPLY, cli: 'dsa-setup revert --list' },
  // A Windows tool that did not answer: once it answers in an administrator PowerShell, plan again.
  'prep.av.unreadableRemedy': PLAN_AGAIN,
  'prep.fw.unreadableRemedy': PLAN_AGAIN,
  'prep.time.w32UnreadableRemedy': PLAN_AGAIN,
  'agent.install.registryUnreadableRemedy': PLAN_AGAIN,
  'elevation.interruptedRemedy': { action: APPLY, cli: 'dsa-setup revert --list\ndsa-setup revert --run {{run}}' },
  'elevation.unknownOutcomeRemedy': { action: APPLY, cli: 'dsa-setup revert --list\ndsa-setup doctor' },
};

/**
 * The remaining remedies by family: what is fixed elsewhere (the network, DNS, the manager, the clock) is
 * followed by running the diagnosis again; an activation's by activating again; first match wins.
 */
export const REMEDY_RULES: ReadonlyArray<readonly [RegExp, RemedyForm]> = [
  [/^doctor\.hosts\./, HOSTS_FILE],
  [/^doctor\.(?:agentLog\.sig\.alreadyRegistered|agent\.otherManager)/, RESET_FORM],
  [/^doctor\.platform\.installerRemedy/, { action: INSTALLER, cli: 'dsa-setup doctor --installer FILE' }],
  [
    /^doctor\.prep\.avRemedy/,
    { action: { kind: 'go', screen: 'plan', focus: 'toggle-antivirus' }, cli: 'dsa-setup plan --disable-scep' },
  ],
  [
    /^doctor\.prep\.ipv6OnRhel/,
    { action: { kind: 'go', screen: 'plan', focus: 'toggle-ipv6' }, cli: 'dsa-setup plan --disable-ipv6' },
  ],
  [/^doctor\.prep\.ipv6Reboot/, { cli: 'dsa-setup inspect' }],
  [/^doctor\./, { action: DOCTOR, cli: DOCTOR_CLI }],
  [/^agent\.installer\.(?!unknownArch)/, { action: INSTALLER, cli: 'dsa-setup plan --installer FILE' }],
  [
    /^agent\.(?:install\.newerInstalled|resources\.)/,
    { action: { kind: 'go', screen: 'plan', focus: 'toggle-install' } },
  ],
  [/^prep\.av\.tamperProtected/, { action: { kind: 'go', screen: 'plan', focus: 'toggle-antivirus' } }],
  [/^report\.bundle\.error\./, { action: { kind: 'bundle' }, cli: 'dsa-setup doctor --bundle FILE' }],
  [/^revert\./, { action: APPLY, cli: 'dsa-setup revert --list' }],
  [/^agent\.activate\.remedy\.refused/, { action: ACTIVATION, cli: ACTIVATE_CLI }],
  [
    /^agent\.activate\.remedy\.unknown/,
    { action: { kind: 'bundle' }, cli: 'dsa-setup doctor --bundle dsa-setup-bundle.tar.gz' },
  ],
  [/^agent\.activate\.remedy\.untrustedPeer/, RESET_FORM],
  [/^agent\.activate\.remedy\.(?!ok$)/, { action: ACTIVATE, cli: ACTIVATE_CLI }],
];

/** The screen of the window where a check's finding is fixed, when its remedy names none and no step does it. */
export const CHECK_SCREENS: Readonly<Record<string, GuiAction>> = {
  'hosts.entries': HOSTS,
  'installer.match': INSTALLER,
  'kernel.supported': INSTALLER,
  'agent.installed': REVIEW,
  'agent.service': REVIEW,
  'ipv6.state': REVIEW,
  'agent.activated': ACTIVATE,
};

/** The command behind a screen, for a remedy whose key names no command of its own. */
export function screenCli(action: GuiAction | undefined): string | undefined {
  if (action?.kind !== 'go') return undefined;
  if (action.screen === 'inputs' || action.screen === 'plan')
    return 'dsa-setup plan --hosts-file FILE --activation-file FILE --installer FILE';
  if (action.screen === 'activate') return ACTIVATE_CLI;
  return undefined;
}

/** The window form of a remedy key: its own entry, else its family's rule. */
function formOf(key: string): RemedyForm | undefined {
  return REMEDY_FORMS[key] ?? REMEDY_RULES.find(([re]) => re.test(key))?.[1];
}

/**
 * A message in the window's wording: each key (nested ones too) replaced by its `Gui` sibling where the
 * locale has one (`has` tells); the CLI reads the message as it is.
 */
export function windowMessage(m: Message, has: (key: string) => boolean): Message {
  const params: Message['params'] = {};
  for (const [k, v] of Object.entries(m.params ?? {})) params[k] = typeof v === 'object' ? windowMessage(v, has) : v;
  const gui = m.key + GUI_SUFFIX;
  return msg(has(gui) ? gui : m.key, params);
}

/** The window form of a remedy message: its button and its filled-in CLI command (either may be absent). */
export function remedyForm(m: Message): { action?: GuiAction; command?: string } {
  const form = formOf(m.key) ?? nestedForm(m);
  if (!form) return {};
  const command = form.cli?.replace(/\{\{(\w+)\}\}/g, (_whole, name: string) => {
    const v = m.params?.[name];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : name === 'source' ? 'FILE' : name.toUpperCase();
  });
  return { ...(form.action ? { action: form.action } : {}), ...(command ? { command } : {}) };
}

/** The form of the first nested remedy (a message whose parameter is the remedy it wraps). */
function nestedForm(m: Message): RemedyForm | undefined {
  for (const v of Object.values(m.params ?? {}))
    if (typeof v === 'object') {
      const f = formOf(v.key) ?? nestedForm(v);
      if (f) return f;
    }
  return undefined;
}
