import { describe, expect, it } from 'vitest';
import {
  expectedAgentPlatform,
  normalizeArch,
  parseAgentFileName,
  parseMsiProperties,
  parseRpmQuery,
  suggestedPackageName,
} from '../../main/core/agent/platform.js';
import { pickCoreEntry } from '../../main/core/agent/installerZip.js';
import { compareVersions } from '../../main/core/agent/agentPackage.js';
import { agentDownloadUrl, downloadFileName } from '../../main/core/agent/download.js';
import { osFamily, type OsInfo } from '../../main/core/platform/inspect.js';

function os(id: string, versionId: string, idLike = ''): OsInfo {
  return {
    family: osFamily(id, idLike),
    id,
    versionId,
    major: Number.parseInt(versionId, 10) || null,
    name: `${id} ${versionId}`,
  };
}

describe('expectedAgentPlatform', () => {
  it.each([
    [os('rhel', '8.10'), 'x86_64', 'RedHat_EL8'],
    [os('rocky', '9.4'), 'x86_64', 'RedHat_EL9'],
    [os('almalinux', '8.9'), 'aarch64', 'RedHat_EL8'],
    [os('miraclelinux', '8.8'), 'x86_64', 'RedHat_EL8'],
    [os('centos', '7'), 'x86_64', 'RedHat_EL7'],
    [os('centos', '6.10'), 'i686', 'RedHat_EL6'],
    [os('ol', '8.9'), 'x86_64', 'Oracle_OL8'],
    [os('cloudlinux', '8.9'), 'x86_64', 'CloudLinux_8'],
    [os('amzn', '2'), 'x86_64', 'amzn2'],
    [os('amzn', '2023'), 'aarch64', 'amzn2023'],
    [os('amzn', '2018.03'), 'x86_64', 'amzn1'],
    [os('sles', '15.5', 'suse'), 'x86_64', 'SuSE_15'],
    [os('sles', '12.5', 'suse'), 'x86_64', 'SuSE_12'],
    [os('sles', '12.5'), 'x86_64', 'SuSE_12'],
    [os('opensuse-leap', '15.5', 'suse opensuse'), 'x86_64', 'SuSE_15'],
    [os('opensuse-leap', '42.3', 'suse'), 'x86_64', 'SuSE_12'],
    [os('ubuntu', '22.04', 'debian'), 'x86_64', 'Ubuntu_22.04'],
    [os('debian', '12'), 'x86_64', 'Debian_12'],
    [
      { family: 'windows', id: 'windows', versionId: '2022', major: 2022, name: 'Windows Server 2022' } as OsInfo,
      'x86_64',
      'Windows',
    ],
  ])('%o on %s needs %s', (o, arch, platform) => {
    expect(expectedAgentPlatform(o, arch)?.platform).toBe(platform);
  });

  it('normalises the architecture and has no package for non-LTS Ubuntu, Fedora, or an unknown arch', () => {
    expect(expectedAgentPlatform(os('rhel', '8.10'), 'amd64')).toEqual({ platform: 'RedHat_EL8', arch: 'x86_64' });
    expect(expectedAgentPlatform(os('ubuntu', '23.10', 'debian'), 'x86_64')).toBeNull();
    expect(expectedAgentPlatform(os('fedora', '40'), 'x86_64')).toBeNull();
    // openSUSE Tumbleweed's VERSION_ID is a date: no SuSE_20240101 package exists.
    expect(expectedAgentPlatform(os('opensuse-tumbleweed', '20240101', 'opensuse suse'), 'x86_64')).toBeNull();
    expect(expectedAgentPlatform(os('rhel', '8.10'), null)).toBeNull();
    expect(normalizeArch('arm64')).toBe('aarch64');
    expect(normalizeArch('i686')).toBe('i386');
  });
});

describe('installer names and metadata', () => {
  it('reads real file names and suggests the right package', () => {
    expect(parseAgentFileName('/x/Agent-Core-RedHat_EL8-20.0.0-2395.x86_64.rpm')).toEqual({
      platform: 'RedHat_EL8',
      version: '20.0.0',
      build: '2395',
      arch: 'x86_64',
      core: true,
    });
    expect(parseAgentFileName('Agent-Core-Ubuntu_22.04-20.0.1-19250.x86_64.deb')?.platform).toBe('Ubuntu_22.04');
    expect(parseAgentFileName('Agent-Ubuntu_22.04-20.0.1-19250.x86_64.zip')?.core).toBe(false);
    expect(parseAgentFileName('agent.rpm')).toBeNull();
    expect(suggestedPackageName({ platform: 'Windows', arch: 'x86_64' }, { version: '20.0.0', build: '5995' })).toBe(
      'Agent-Core-Windows-20.0.0-5995.x86_64.msi',
    );
    expect(suggestedPackageName({ platform: 'Debian_12', arch: 'aarch64' }, null)).toBe(
      'Agent-Core-Debian_12-<version>-<build>.aarch64.deb',
    );
  });

  it('picks the Core package out of the portal ZIP, never the PGPCore one', () => {
    expect(
      pickCoreEntry([
        'Agent-PGPCore-RedHat_EL8-20.0.0-2395.x86_64.rpm',
        'Agent-Core-RedHat_EL8-20.0.0-2395.x86_64.rpm',
        'readme.txt',
      ]),
    ).toBe('Agent-Core-RedHat_EL8-20.0.0-2395.x86_64.rpm');
    expect(pickCoreEntry(['Agent-PGPCore-RedHat_EL8-20.0.0-2395.x86_64.rpm'])).toBeNull();
  });

  it('parses rpm query output and MSI properties (recorded msiinfo output)', () => {
    expect(
      parseRpmQuery('ds_agent\x1f20.0.0\x1f2395.el8\x1fx86_64\x1fTrend Micro Deep Security Agent\x1f(none)'),
    ).toMatchObject({
      name: 'ds_agent',
      release: '2395.el8',
      arch: 'x86_64',
    });
    expect(parseRpmQuery('')).toBeNull();
    const props =
      'Property\tValue\ns72\tl0\nProperty\tProperty\nProductName\tTrend Micro Deep Security Agent\nProductVersion\t20.0.0.5995\nProductCode\t{2E0E6C9B-0000-4C4B-9C5F-2B9E0B1A2C3D}\n';
    const sum =
      'Title: Installation Database\nTemplate: x64;1033\nRevision number (UUID): {00000000-0000-0000-0000-000000000000}\n';
    expect(parseMsiProperties(props, sum)).toEqual({
      name: 'Trend Micro Deep Security Agent',
      version: '20.0.0.5995',
      arch: 'x86_64',
    });
    expect(parseMsiProperties(props, 'Template: Intel;1033\n').arch).toBe('i386');
  });

  it('compares package versions numerically', () => {
    expect(compareVersions('20.0.0-2395.el8', '20.0.0-2395.el8')).toBe(0);
    expect(compareVersions('20.0.0-2395.el8', '20.0.0-2400.el8')).toBe(-1);
    expect(compareVersions('20.0.1-100', '20.0.0-19250')).toBe(1);
  });

  it('builds the manager download address and keeps the server file name', () => {
    const p = { platform: 'Ubuntu_22.04', arch: 'x86_64' };
    expect(agentDownloadUrl('https://dsm.example.jp:4119/', p, 'T-1')).toBe(
      'https://dsm.example.jp:4119/software/agent/Ubuntu_22.04/x86_64/agent.deb?tenantID=T-1',
    );
    expect(() => agentDownloadUrl('http://dsm.example.jp/', p)).toThrow();
    expect(downloadFileName('attachment; filename="Agent-Core-Ubuntu_22.04-20.0.1-19250.x86_64.deb"', p)).toBe(
      'Agent-Core-Ubuntu_22.04-20.0.1-19250.x86_64.deb',
    );
    expect(downloadFileName('attachment; filename="../../etc/passwd"', p)).toBe(
      'Agent-Core-Ubuntu_22.04-download.x86_64.deb',
    );
  });
});
