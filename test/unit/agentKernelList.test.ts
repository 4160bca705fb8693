import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../helpers/fixtures.js';
import { checkKernelSupport, parseKernelList, platformOfHeading } from '../../main/core/agent/kernelList.js';

describe('parseKernelList', () => {
  it('reads the text form: platform headings, one kernel per line, comments, CRLF and a BOM', () => {
    const text =
      '\ufeff# Deep Security Agent 20 supported kernels\r\nRed Hat Enterprise Linux 8 (64-bit)\r\n4.18.0-80.el8.x86_64\r\n  4.18.0-553.el8_10.x86_64  \r\n\r\nUbuntu 22.04 (64-bit)\r\n5.15.0-105-generic\r\n';
    const r = parseKernelList('kernels.txt', Buffer.from(text));
    expect(r.ok && r.value.byPlatform).toEqual({
      RedHat_EL8: ['4.18.0-80.el8.x86_64', '4.18.0-553.el8_10.x86_64'],
      'Ubuntu_22.04': ['5.15.0-105-generic'],
    });
  });

  it('reads a CSV export with a header row, quoted cells, and several kernels per row', () => {
    const csv =
      'Platform,Kernel Version\n"RedHat_EL9","5.14.0-427.13.1.el9_4.x86_64","5.14.0-362.el9.x86_64"\nAmazon Linux 2,4.14.336-257.562.amzn2.x86_64\n';
    const r = parseKernelList('kernels.csv', Buffer.from(csv));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.byPlatform.RedHat_EL9).toHaveLength(2);
    expect(r.value.byPlatform.amzn2).toEqual(['4.14.336-257.562.amzn2.x86_64']);
  });

  it('names the line and column of anything it does not understand', () => {
    const r = parseKernelList('k.csv', Buffer.from('RedHat_EL8,4.18.0-80.el8.x86_64\nRedHat_EL8,not a kernel\n'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([
      {
        file: 'k.csv',
        line: 2,
        column: 12,
        message: { key: 'agent.kernelList.badCell', params: { value: 'not a kernel' } },
      },
    ]);
    const empty = parseKernelList('e.txt', Buffer.from('# nothing\n'));
    expect(!empty.ok && empty.issues[0]!.message.key).toBe('agent.kernelList.empty');
  });

  it('maps descriptive headings to platform strings', () => {
    expect(platformOfHeading('Rocky Linux 9 (64-bit)')).toBe('RedHat_EL9');
    expect(platformOfHeading('[SuSE_15]')).toBe('SuSE_15');
    expect(platformOfHeading('Debian 11')).toBe('Debian_11');
    expect(platformOfHeading('Amazon Linux 2023')).toBe('amzn2023');
    expect(platformOfHeading('4.18.0-80.el8.x86_64')).toBeNull();
  });
});

describe('checkKernelSupport', () => {
  const list = { file: 'k', byPlatform: { RedHat_EL8: ['4.18.0-80.el8.x86_64', '4.18.0-553.el8_10.x86_64'] } };
  it('supported when listed, unknown when newer than the list or the platform is missing, else unsupported', () => {
    expect(checkKernelSupport(list, 'RedHat_EL8', '4.18.0-553.el8_10.x86_64')).toBe('supported');
    expect(checkKernelSupport(list, 'RedHat_EL8', '4.18.0-600.1.el8_10.x86_64')).toBe('unknown');
    expect(checkKernelSupport(list, 'RedHat_EL8', '4.18.0-100.el8.x86_64')).toBe('unsupported');
    expect(checkKernelSupport(list, 'RedHat_EL8', '5.14.0-1.el9.x86_64')).toBe('unsupported');
    expect(checkKernelSupport(list, 'RedHat_EL9', '5.14.0-1.el9.x86_64')).toBe('unknown');
  });
});

describe('the supported-kernel page saved from the browser', () => {
  const page = fixtureBytes('agent/supported-kernels-20.0.html');
  const r = parseKernelList('Deep Security Agent 20.0 Supported Linux Kernels.html', page);
  const list = r.ok ? r.value : null;

  it('reads one section per distribution, tables and lists, nothing from the notes', () => {
    expect(r.ok).toBe(true);
    expect(list!.byPlatform).toEqual({
      RedHat_EL7: ['3.10.0-1160.el7.x86_64', '3.10.0-1160.105.1.el7.x86_64'],
      RedHat_EL8: ['4.18.0-513.5.1.el8_9.x86_64', '4.18.0-513.9.1.el8_9.x86_64'],
      'Ubuntu_22.04': [
        '5.15.0-91-generic',
        '5.15.0-91-lowlatency',
        '5.15.0-1052-aws',
        '5.15.0-1052-gcp',
        '6.2.0-1018-azure',
      ],
      CloudLinux_7: ['3.10.0-962.3.2.lve1.5.79.el7.x86_64'],
      CloudLinux_8: ['4.18.0-477.10.1.lve.el8.x86_64'],
    });
  });

  it('matches uname -r exactly, the Ubuntu flavour included', () => {
    expect(checkKernelSupport(list!, 'Ubuntu_22.04', '5.15.0-91-generic')).toBe('supported');
    // The row 5.15.0-91 has no Y under aws: that flavour is not supported.
    expect(checkKernelSupport(list!, 'Ubuntu_22.04', '5.15.0-91-aws')).toBe('unsupported');
    expect(checkKernelSupport(list!, 'Ubuntu_22.04', '5.15.0-1052-aws')).toBe('supported');
    expect(checkKernelSupport(list!, 'RedHat_EL7', '3.10.0-1160.105.1.el7.x86_64')).toBe('supported');
    expect(checkKernelSupport(list!, 'RedHat_EL7', '3.10.0-1062.el7.x86_64')).toBe('unsupported');
  });

  it('a page with no kernel at all is an error, not an empty list', () => {
    const empty = parseKernelList('k.html', Buffer.from('<!DOCTYPE html><html><body><h1>Sign in</h1></body></html>'));
    expect(!empty.ok && empty.issues[0]!.message.key).toBe('agent.kernelList.empty');
  });
});
