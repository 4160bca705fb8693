import { afterAll, describe, expect, it } from 'vitest';
import {
  agentTool,
  agentToolPath,
  agentServiceState,
  programFiles64,
  serviceCommand,
} from '../../main/core/agent/agentTools.js';
import { installCommand, uninstallCommand } from '../../main/core/agent/agentPackage.js';
import { createSystemContext, type SystemContext } from '../../main/core/system.js';
import { detectAgentPackage, noSearchMatch } from '../../main/core/platform/inspect.js';
import { cleanupRoots, makeRoot } from '../helpers/sandbox.js';

function win(env: NodeJS.ProcessEnv, live = true): SystemContext {
  return {
    root: 'C:\\',
    os: 'windows',
    live,
    exec: {
      run: async () => {
        throw new Error('no');
      },
      runReal: async () => {
        throw new Error('no');
      },
    },
    path: (p) => p,
    stateDir: 'C:\\ProgramData\\dsa-setup',
    env,
  };
}

describe('Windows agent paths and commands', () => {
  it('uses the 64-bit Program Files, also from a 32-bit process', () => {
    expect(agentToolPath(win({ ProgramFiles: 'C:\\Program Files' }), 'dsa_control')).toBe(
      'C:\\Program Files\\Trend Micro\\Deep Security Agent\\dsa_control.cmd',
    );
    // A 32-bit process sees ProgramFiles as the (x86) one; ProgramW6432 is the real one.
    expect(programFiles64(win({ ProgramFiles: 'D:\\Program Files (x86)', ProgramW6432: 'D:\\Program Files' }))).toBe(
      'D:\\Program Files',
    );
    expect(programFiles64(win({ ProgramFiles: 'C:\\Program Files (x86)' }))).toBe('C:\\Program Files');
    const c = agentTool(win({ ProgramW6432: 'C:\\Program Files' }), 'dsa_control', ['-a', 'dsm://dsm:4120/']);
    expect(c).toEqual({
      command: 'C:\\Program Files\\Trend Micro\\Deep Security Agent\\dsa_control.cmd',
      args: ['-a', 'dsm://dsm:4120/'],
      real: false,
    });
    expect(c.command).not.toContain('(x86)');
  });

  it('installs with msiexec /i FILE /qn ADDLOCAL=ALL /l*v LOG and uninstalls with /x', () => {
    const sys = win({});
    expect(
      installCommand(sys, 'msi', 'C:\\dl\\Agent-Core-Windows-20.0.0-5995.x86_64.msi', {
        upgrade: false,
        msiLog: 'C:\\log.txt',
      }),
    ).toEqual({
      command: 'msiexec',
      args: ['/i', 'C:\\dl\\Agent-Core-Windows-20.0.0-5995.x86_64.msi', '/qn', 'ADDLOCAL=ALL', '/l*v', 'C:\\log.txt'],
      real: false,
    });
    expect(uninstallCommand(sys, 'msi', 'C:\\dl\\a.msi')).toEqual({
      command: 'msiexec',
      args: ['/x', 'C:\\dl\\a.msi', '/qn'],
      real: false,
    });
    expect(serviceCommand(sys, 'status')).toEqual({ command: 'sc', args: ['query', 'ds_agent'], real: false });
  });

  it('reads sc query output by service name (recorded outputs)', () => {
    const running =
      'SERVICE_NAME: ds_agent \r\n        TYPE               : 10  WIN32_OWN_PROCESS  \r\n        STATE              : 4  RUNNING \r\n                                (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)\r\n        WIN32_EXIT_CODE    : 0  (0x0)\r\n';
    expect(agentServiceState(running, 0)).toBe('running');
    expect(agentServiceState(running.replace('4  RUNNING', '1  STOPPED'), 0)).toBe('stopped');
    expect(agentServiceState(running.replace('4  RUNNING', '2  START_PENDING'), 0)).toBe('stopped');
    expect(agentServiceState(running.replace('4  RUNNING', '7  PAUSED'), 0)).toBe('unknown');
    // Localized labels (Portuguese / Spanish Windows): read by shape.
    expect(agentServiceState(running.replace('STATE              :', 'ESTADO             :'), 0)).toBe('running');
    expect(
      agentServiceState(
        '[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n',
        1060,
      ),
    ).toBe('absent');
  });
});

describe('Windows agent package: only a finished search with no match is "not installed"', () => {
  afterAll(() => cleanupRoots());
  const reply = (r: object) =>
    createSystemContext({
      root: makeRoot({ windows: true, files: { '.sandbox/exec-replies.json': JSON.stringify([r]) } }),
    });
  const uninstall = {
    command: 'reg',
    args: ['query', 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall'],
  };

  it('reg counting 0 matches (English, Russian as published) is not installed', async () => {
    expect(noSearchMatch('\r\nEnd of search: 0 match(es) found.\r\n')).toBe(true);
    expect(noSearchMatch('\r\nПоиск завершен: найдено совпадений: 0.\r\n')).toBe(true);
    expect(noSearchMatch('\r\nEnd of search: 10 match(es) found.\r\n')).toBe(false);
    const pkg = await detectAgentPackage(
      reply({ ...uninstall, exitCode: 1, stdout: '\r\nEnd of search: 0 match(es) found.\r\n' }),
    );
    expect(pkg).toMatchObject({ installed: false, via: 'registry' });
  });

  it('reg refused (Japanese "アクセスが拒否されました") or answering nothing is "cannot tell", never "not installed"', async () => {
    const denied = reply({ ...uninstall, exitCode: 1, stderr: 'エラー: アクセスが拒否されました。\r\n' });
    expect(await detectAgentPackage(denied)).toMatchObject({ installed: null, via: 'registry-unreadable' });
    expect(await detectAgentPackage(reply({ ...uninstall, exitCode: 0, stdout: '' }))).toMatchObject({
      installed: null,
    });
  });
});
