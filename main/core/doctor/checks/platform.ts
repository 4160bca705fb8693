import { mib, orUnknown } from '../../statusValues.js';
import { basename } from 'node:path';
import { msg } from '../../message.js';
import { inspectionOf } from '../facts.js';
import { expectedAgentPlatform, checkInstallerMatch } from '../../agent/platform.js';
import { parseKernelList, checkKernelSupport } from '../../agent/kernelList.js';
import { checkDiskAndMemory } from '../../agent/resources.js';
import { readInputFile } from '../../inputs/load.js';
import { DsaError } from '../../errors.js';
import { type CheckDef, type CheckOutcome } from '../types.js';

const k = msg;

/** os.supported, kernel.supported, installer.match, disk.space: thin adapters over the agent issue's logic. */
export const platformChecks: CheckDef[] = [
  {
    id: 'os.supported',
    titleKey: 'doctor.title.osSupported',
    defaultClass: 'agent',
    async run(ctx): Promise<CheckOutcome> {
      const ins = await inspectionOf(ctx);
      const os = `${ins.os.name} (${ins.os.id} ${ins.os.versionId})`;
      if (ins.os.family === 'unknown' && ins.os.id === 'unknown')
        return { status: 'skip', detail: k('doctor.platform.osUnknown') };
      if (!ins.arch) return { status: 'skip', detail: k('doctor.platform.archUnknown', { os }) };
      const p = expectedAgentPlatform(ins.os, ins.arch);
      if (!p)
        return {
          status: 'fail',
          class: 'agent',
          detail: k('doctor.platform.osUnsupported', { os, arch: orUnknown(ins.arch) }),
          remedy: k('doctor.platform.osUnsupportedRemedy'),
        };
      return { status: 'pass', detail: k('doctor.platform.osOk', { os, platform: p.platform, arch: p.arch }) };
    },
  },
  {
    id: 'kernel.supported',
    titleKey: 'doctor.title.kernelSupported',
    defaultClass: 'agent',
    async run(ctx): Promise<CheckOutcome> {
      if (ctx.sys.os === 'windows') return { status: 'skip', detail: k('doctor.platform.kernelWindows') };
      const file = ctx.inputs.kernelList;
      if (!file) return { status: 'skip', detail: k('doctor.skip.noKernelList') };
      const ins = await inspectionOf(ctx);
      const p = expectedAgentPlatform(ins.os, ins.arch);
      if (!ins.kernel || !p) return { status: 'skip', detail: k('doctor.platform.kernelUnknown') };
      const parsed = parseKernelList(file, await readInputFile(file));
      if (!parsed.ok) {
        const i = parsed.issues[0]!;
        return {
          status: 'fail',
          class: 'input',
          detail: k('doctor.platform.kernelListBad', { file, line: i.line, problem: i.message }),
          remedy: k('doctor.platform.kernelListBadRemedy', { file }),
        };
      }
      const support = checkKernelSupport(parsed.value, p.platform, ins.kernel);
      const params = { kernel: ins.kernel, platform: p.platform, file: basename(file) };
      if (support === 'supported') return { status: 'pass', detail: k('doctor.platform.kernelOk', params) };
      if (support === 'unknown')
        return {
          status: 'warn',
          class: 'agent',
          detail: k('doctor.platform.kernelNotListed', params),
          remedy: k('doctor.platform.kernelNotListedRemedy', params),
        };
      return {
        status: 'fail',
        class: 'agent',
        detail: k('doctor.platform.kernelUnsupported', params),
        remedy: k('doctor.platform.kernelUnsupportedRemedy', params),
      };
    },
  },
  {
    id: 'installer.match',
    titleKey: 'doctor.title.installerMatch',
    defaultClass: 'agent',
    async run(ctx): Promise<CheckOutcome> {
      const file = ctx.inputs.installer;
      if (!file) return { status: 'skip', detail: k('doctor.skip.noInstaller') };
      let m;
      try {
        m = await checkInstallerMatch(ctx.sys, file);
      } catch (e) {
        if (!(e instanceof DsaError)) throw e;
        return {
          status: 'fail',
          class: 'input',
          detail: e.info.message,
          remedy: e.info.remedy ?? k('doctor.platform.installerRemedy'),
        };
      }
      const name = basename(file);
      if (m.ok)
        return {
          status: 'pass',
          detail: k('doctor.platform.installerOk', {
            file: name,
            platform: orUnknown(m.actual.platform),
            arch: orUnknown(m.actual.arch),
            version: orUnknown(m.actual.version),
          }),
        };
      return {
        status: 'fail',
        class: 'agent',
        detail: m.reason ?? k('doctor.platform.installerMismatch', { file: name }),
        remedy: k(m.suggestedPackage ? 'doctor.platform.installerSuggest' : 'doctor.platform.installerRemedy', {
          file: name,
          suggested: m.suggestedPackage ?? '',
        }),
      };
    },
  },
  {
    id: 'disk.space',
    titleKey: 'doctor.title.diskSpace',
    defaultClass: 'agent',
    async run(ctx): Promise<CheckOutcome> {
      const r = await checkDiskAndMemory(ctx.sys);
      const params = {
        path: r.path,
        disk: mib(r.diskFreeMb),
        diskMin: r.diskMinMb,
        memory: mib(r.memoryMb),
        memoryMin: r.memoryMinMb,
      };
      if (r.diskOk === null && r.memoryOk === null)
        return { status: 'skip', detail: k('doctor.platform.diskUnknown', params) };
      if (r.ok) return { status: 'pass', detail: k('doctor.platform.diskOk', params) };
      return {
        status: 'fail',
        class: 'agent',
        detail: k('doctor.platform.diskLow', params),
        remedy: k(r.diskOk === false ? 'doctor.platform.diskLowRemedy' : 'doctor.platform.memoryLowRemedy', params),
      };
    },
  },
];
