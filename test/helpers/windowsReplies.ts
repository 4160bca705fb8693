import type { SandboxReply } from '../../main/core/system.js';
import {
  MP_PREFERENCE_SCRIPT,
  MP_STATUS_SCRIPT,
  SCEP_UNINSTALL_KEY,
  powershellArgs,
} from '../../main/core/prep/antivirus.js';
import { fixture } from './fixtures.js';

const fx = (name: string): string => fixture(`windows/${name}`);

/**
 * What a Japanese Windows Server with Defender on (Tamper Protection on), no SCEP and the firewall on in every
 * profile answers the preparation's queries with (recorded outputs of test/fixtures/windows).
 */
export function windowsPrepReplies(): SandboxReply[] {
  return [
    { command: 'reg', args: ['query', SCEP_UNINSTALL_KEY], exitCode: 1, stderr: fx('reg-query-not-found.ja.txt') },
    { command: 'sc', args: ['query', 'MsMpSvc'], exitCode: 1060, stdout: fx('sc-query-missing.ja.txt') },
    { command: 'sc', args: ['query', 'WinDefend'], stdout: fx('sc-query-windefend-running.en.txt') },
    { command: 'powershell.exe', args: powershellArgs(MP_STATUS_SCRIPT), stdout: fx('get-mpcomputerstatus.fl.ja.txt') },
    { command: 'powershell.exe', args: powershellArgs(MP_PREFERENCE_SCRIPT), stdout: fx('get-mppreference.fl.ja.txt') },
    { command: 'netsh', args: ['advfirewall', 'show', 'allprofiles'], stdout: fx('netsh-allprofiles.ja.txt') },
    { command: 'netsh', args: ['advfirewall', 'firewall', 'show', 'rule'], stdout: fx('netsh-no-rules.ja.txt') },
  ];
}
