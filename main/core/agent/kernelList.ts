import { decodeTextFile } from '../inputs/textFile.js';
import { issueAt, type ParseIssue, type ParseResult } from '../inputs/issues.js';

/** The published supported-kernel list: kernel releases by agent platform (`*`: before any platform heading). */
export interface KernelList {
  file: string;
  byPlatform: Record<string, string[]>;
}

export type KernelSupport = 'supported' | 'unsupported' | 'unknown';

const KERNEL = /^\d+\.\d+(?:\.\d+)?(?:[-.+~_][0-9A-Za-z][0-9A-Za-z._+~-]*)?$/;

/** Maps a heading of the list (`RedHat_EL8`, `Red Hat Enterprise Linux 8 (64-bit)`, `Ubuntu 22.04`…) to a platform string. */
export function platformOfHeading(text: string): string | null {
  const s = text
    .trim()
    .replace(/^\[|\]$/g, '')
    .replace(/^#+\s*/, '')
    .replace(/^platform\s*[:=]\s*/i, '')
    .trim();
  const direct =
    /^(RedHat_EL\d+|Oracle_OL\d+|amzn(?:1|2|2023)|SuSE_\d+|Ubuntu_\d{2}\.\d{2}|Debian_\d+|CloudLinux_\d+)$/i.exec(s);
  if (direct) {
    const v = direct[1]!;
    const known = [/^redhat_el/i, /^oracle_ol/i, /^amzn/i, /^suse_/i, /^ubuntu_/i, /^debian_/i, /^cloudlinux_/i];
    const canon = ['RedHat_EL', 'Oracle_OL', 'amzn', 'SuSE_', 'Ubuntu_', 'Debian_', 'CloudLinux_'];
    const i = known.findIndex((k) => k.test(v));
    return canon[i]! + v.replace(known[i]!, '');
  }
  let m: RegExpExecArray | null;
  if (
    (m =
      /^(?:Red Hat Enterprise Linux|RHEL|CentOS|Rocky Linux|AlmaLinux|Alma Linux|MIRACLE LINUX)\s*(?:Server\s*)?(\d+)\b/i.exec(
        s,
      ))
  )
    return `RedHat_EL${m[1]}`;
  if ((m = /^Oracle Linux\s*(\d+)\b/i.exec(s))) return `Oracle_OL${m[1]}`;
  if ((m = /^Amazon Linux\s*(2023|2)\b/i.exec(s))) return `amzn${m[1]}`;
  if (/^Amazon Linux\b/i.test(s)) return 'amzn1';
  if ((m = /^(?:SUSE Linux Enterprise Server|SUSE|SLES)\s*(\d+)\b/i.exec(s))) return `SuSE_${m[1]}`;
  if ((m = /^Ubuntu\s*(\d{2}\.\d{2})\b/i.exec(s))) return `Ubuntu_${m[1]}`;
  if ((m = /^Debian\s*(\d+)\b/i.exec(s))) return `Debian_${m[1]}`;
  if ((m = /^CloudLinux\s*(\d+)\b/i.exec(s))) return `CloudLinux_${m[1]}`;
  return null;
}

/** Splits one CSV line into cells (double quotes, `""` inside quotes); 1-based column of each cell. */
function csvCells(line: string): { text: string; col: number }[] {
  const cells: { text: string; col: number }[] = [];
  let i = 0;
  while (i <= line.length) {
    const col = i + 1;
    let text = '';
    if (line[i] === '"') {
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          text += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else text += line[i++];
      }
      while (i < line.length && line[i] !== ',') i++;
    } else {
      const end = line.indexOf(',', i);
      text = line.slice(i, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
    }
    cells.push({ text: text.trim(), col });
    i++;
  }
  return cells;
}

const HEADER_WORDS =
  /^(platform|os|distribution|kernel|kernels|kernel version|kernel release|version|notes?|arch|architecture)$/i;

/**
 * Parses the published supported-kernel list, as text (a platform heading, then one kernel release per line)
 * or a CSV export (cells: a platform and kernel releases; a header row is allowed). Comments (`#`), blank lines
 * and empty cells are fine; anything else is an issue at its line and column.
 */
export function parseKernelList(file: string, data: Buffer): ParseResult<KernelList> {
  const decoded = decodeTextFile(file, data);
  if (!decoded.ok) return decoded;
  const byPlatform: Record<string, string[]> = {};
  const issues: ParseIssue[] = [];
  let current = '*';
  const add = (k: string): void => {
    const list = (byPlatform[current] ??= []);
    if (!list.includes(k)) list.push(k);
  };
  for (const line of decoded.value) {
    const trimmed = line.text.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('//')) {
      const heading = trimmed.startsWith('#') ? platformOfHeading(trimmed) : null;
      if (heading) current = heading;
      continue;
    }
    const cells =
      line.text.includes(',') || line.text.includes('\t')
        ? line.text.includes(',')
          ? csvCells(line.text)
          : line.text
              .split('\t')
              .map((text, i, a) => ({ text: text.trim(), col: a.slice(0, i).join('\t').length + (i ? 2 : 1) }))
        : [{ text: trimmed, col: line.text.indexOf(trimmed) + 1 }];
    for (const cell of cells) {
      if (cell.text === '') continue;
      const heading = platformOfHeading(cell.text);
      if (heading) {
        current = heading;
        continue;
      }
      if (KERNEL.test(cell.text)) {
        add(cell.text);
        continue;
      }
      if (HEADER_WORDS.test(cell.text)) continue;
      issues.push(
        issueAt(file, line.no, cell.col, 'agent.kernelList.badCell', {
          value: cell.text.length > 40 ? cell.text.slice(0, 40) + '…' : cell.text,
        }),
      );
    }
  }
  if (issues.length) return { ok: false, issues };
  if (Object.keys(byPlatform).length === 0)
    return { ok: false, issues: [issueAt(file, 0, 0, 'agent.kernelList.empty')] };
  return { ok: true, value: { file, byPlatform } };
}

/** Splits `4.18.0-553.16.1.el8_10.x86_64` into its upstream version and the distribution's build numbers. */
function kernelParts(k: string): { base: string; build: number[]; rest: string } {
  const m = /^(\d+\.\d+(?:\.\d+)?)(?:-([\d.]+))?(.*)$/.exec(k);
  const build = (m?.[2] ?? '').split('.').filter(Boolean).map(Number);
  return { base: m?.[1] ?? k, build, rest: (m?.[3] ?? '').replace(/^[.-]/, '').replace(/\b(el\d+)_\d+/, '$1') };
}

function compareBuild(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Whether the list supports this kernel on this platform: listed → supported; the platform is not in the
 * list, or the kernel is newer than every listed build of its series (the list predates it) → unknown;
 * otherwise unsupported.
 */
export function checkKernelSupport(list: KernelList, platform: string, kernel: string): KernelSupport {
  const kernels = [...(list.byPlatform[platform] ?? []), ...(list.byPlatform['*'] ?? [])];
  if (kernels.length === 0) return 'unknown';
  if (kernels.includes(kernel)) return 'supported';
  const k = kernelParts(kernel);
  const sameSeries = kernels.map(kernelParts).filter((p) => p.base === k.base && p.rest === k.rest);
  if (sameSeries.length > 0 && sameSeries.every((p) => compareBuild(k.build, p.build) > 0)) return 'unknown';
  return 'unsupported';
}
