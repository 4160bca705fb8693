import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { translator } from '../../main/core/i18n.js';
import { renderMessage } from '../../main/core/message.js';
import {
  asAdmin,
  commandLine,
  dsaControlPath,
  hostNameSource,
  platformKind,
  startAgentCommand,
} from '../../main/core/platformText.js';

const en = translator('en');

describe('commands as the admin types them on each platform', () => {
  it('tells RHEL 6 from RHEL 7+, Ubuntu, SUSE and Windows', () => {
    expect(platformKind({ family: 'rhel', major: 6 })).toBe('el6');
    expect(platformKind({ family: 'rhel', major: 8 })).toBe('el');
    expect(platformKind({ family: 'debian', major: 22 })).toBe('debian');
    expect(platformKind({ family: 'suse', major: 15 })).toBe('suse');
    expect(platformKind({ family: 'windows', major: 10 })).toBe('windows');
  });

  it('RHEL 6 starts the agent with service, RHEL 8 with systemctl, Windows in PowerShell', () => {
    expect(commandLine('el6', startAgentCommand('el6'))).toBe('service ds_agent start');
    expect(commandLine('el', startAgentCommand('el'))).toBe('systemctl start ds_agent');
    expect(commandLine('windows', startAgentCommand('windows'))).toBe('Start-Service ds_agent');
  });

  it('Windows has no sudo: an administrator PowerShell, and dsa_control.cmd by its full path behind the call operator', () => {
    const m = asAdmin('windows', [dsaControlPath('windows'), '-a', 'dsm://dsm01.example.jp:4120/']);
    expect(renderMessage(en, m)).toBe(
      "& 'C:\\Program Files\\Trend Micro\\Deep Security Agent\\dsa_control.cmd' -a dsm://dsm01.example.jp:4120/ (in an administrator PowerShell)",
    );
    expect(renderMessage(en, asAdmin('el', ['/opt/ds_agent/dsa_control', '-r']))).toBe(
      'sudo /opt/ds_agent/dsa_control -r',
    );
  });

  it('a file name with spaces, parentheses, quotes and Japanese survives the POSIX shell as one argument', () => {
    const name = "cln12345_Activation_Command (1) it's 有効化.txt";
    const line = commandLine('el', ['printf', '%s', name]);
    expect(execFileSync('sh', ['-c', line], { encoding: 'utf8' })).toBe(name);
  });

  it('the host name the order form asks for is uname -n on Linux and the computer name on Windows', () => {
    expect(renderMessage(en, hostNameSource('windows'))).not.toContain('uname');
    expect(renderMessage(en, hostNameSource('el'))).toContain('uname -n');
  });
});
