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

/**
 * A distribution heading of the page without a version (`CloudLinux Kernels`, `Oracle Linux UEK`): the family, whose
 * version each kernel release then tells by its `elN` (`CloudLinux_` + 7).
 */
function familyOfHeading(text: string): string | null {
  const s = text.trim();
  if (/^CloudLinux\b/i.test(s)) return 'CloudLinux_';
  if (/^Oracle Linux\b/i.test(s)) return 'Oracle_OL';
  if (/^(Red Hat|RHEL|CentOS)\b/i.test(s)) return 'RedHat_EL';
  return null;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function htmlText(s: string): string {
  return s
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) =>
      e[0] === '#'
        ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)))
        : (ENTITIES[e.toLowerCase()] ?? all),
    )
    .replace(/\s+/g, ' ')
    .trim();
}

/** Whether a file is the list's web page (saved from the browser) rather than text or CSV. */
function isHtml(file: string, data: Buffer): boolean {
  return (
    /\.html?$/i.test(file) ||
    /^\s*(?:\uFEFF)?\s*<(?:!doctype html|html|!--)/i.test(data.subarray(0, 512).toString('utf8'))
  );
}

/**
 * Reads the supported-kernel page as Trend publishes it per agent version and a browser saves it: one section per
 * distribution (a heading such as `centos7 (64-bit)` or `CloudLinux Kernels`), kernels in tables or lists, and for
 * Ubuntu one `Y` column per kernel flavour (generic, aws, azure, gcp…): row `5.15.0-91` with `Y` under generic is
 * the kernel `5.15.0-91-generic`, exactly as `uname -r` prints it.
 */
function parseKernelPage(file: string, html: string): ParseResult<KernelList> {
  const byPlatform: Record<string, string[]> = {};
  let current: string | null = null;
  let family: string | null = null;
  const add = (k: string): void => {
    let key = current;
    if (!key && family) {
      const v = /\bel(\d+)/i.exec(k)?.[1];
      key = v ? `${family}${v}` : null;
    }
    if (key?.startsWith('?')) return;
    const list = (byPlatform[key ?? '*'] ??= []);
    if (!list.includes(k)) list.push(k);
  };
  const body = html.replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, '').replace(/<!--[\s\S]*?-->/g, '');
  let heading: string[] | null = null;
  let row: string[] | null = null;
  let cell: string[] | null = null;
  let header: string[] | null = null;
  let text: string[] = [];
  const flushText = (): void => {
    // Free text counts inside a distribution's section only, and only release-shaped words (`3.10.0-1160.el7.x86_64`).
    if (current !== null || family !== null)
      for (const word of htmlText(text.join(' ')).split(/[\s,]+/))
        if (KERNEL.test(word) && word.includes('-')) add(word);
    text = [];
  };
  const endRow = (): void => {
    if (!row) return;
    const cells = row.map(htmlText);
    row = null;
    if (cells.length === 0) return;
    const flavours = cells.slice(1).map((c) => c.toLowerCase());
    if (!header && !KERNEL.test(cells[0]!)) {
      header = flavours;
      return;
    }
    const first = cells[0]!;
    if (!KERNEL.test(first)) return;
    const marks = cells.slice(1);
    const flavoured = header && marks.some((c) => /^y(es)?$/i.test(c));
    if (flavoured) {
      marks.forEach((c, i) => {
        const f = header![i];
        if (/^y(es)?$/i.test(c) && f && /^[a-z][a-z0-9-]*$/.test(f)) add(`${first}-${f}`);
      });
    } else for (const c of cells) if (KERNEL.test(c)) add(c);
  };
  for (const m of body.matchAll(/<(\/?)([a-z][a-z0-9]*)\b[^>]*>|([^<]+)/gi)) {
    const [, close, tagRaw, chunk] = m;
    if (chunk !== undefined) {
      if (cell) cell.push(chunk);
      else if (heading) heading.push(chunk);
      else text.push(chunk);
      continue;
    }
    const tag = tagRaw!.toLowerCase();
    if (/^h[1-6]$|^caption$/.test(tag)) {
      if (!close) {
        flushText();
        heading = [];
      } else if (heading) {
        const h = htmlText(heading.join(' '));
        heading = null;
        const p = platformOfHeading(h.replace(/\s*\(\d+-bit\)\s*$/i, ''));
        const fam = p ? null : familyOfHeading(h);
        // A heading that names no distribution starts a section of its own: its kernels count for no platform.
        current = p ?? (fam ? null : `?${h}`);
        family = fam;
        header = null;
      }
    } else if (tag === 'table') {
      flushText();
      header = null;
    } else if (tag === 'tr') {
      endRow();
      if (!close) row = [];
    } else if (tag === 'td' || tag === 'th') {
      if (!close) cell = [];
      else if (cell && row) {
        row.push(cell.join(' '));
        cell = null;
      }
    } else if (/^(br|li|p|div|pre|tbody|thead)$/.test(tag)) {
      if (!cell) flushText();
    }
  }
  endRow();
  flushText();
  if (Object.keys(byPlatform).length === 0)
    return { ok: false, issues: [issueAt(file, 0, 0, 'agent.kernelList.empty')] };
  return { ok: true, value: { file, byPlatform } };
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
 * Parses the published supported-kernel list: the web page saved from the browser (see parseKernelPage), text
 * (a platform heading, then one kernel release per line) or a CSV export (cells: a platform and kernel releases;
 * a header row is allowed). Comments (`#`), blank lines
 * and empty cells are fine; anything else is an issue at its line and column.
 */
export function parseKernelList(file: string, data: Buffer): ParseResult<KernelList> {
  const decoded = decodeTextFile(file, data);
  if (!decoded.ok) return decoded;
  if (isHtml(file, data)) return parseKernelPage(file, decoded.value.map((l) => l.text).join('\n'));
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
