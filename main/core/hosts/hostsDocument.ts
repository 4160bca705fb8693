import { isIpAddress } from '../inputs/names.js';
import type { HostsEntry } from '../inputs/managerHosts.js';
import { DsaError } from '../errors.js';

/**
 * A hosts file held byte for byte: text is decoded as latin1 so that every byte (UTF-8 or Shift_JIS
 * comments, tabs, BOM) comes back unchanged when it is written, and each line keeps its own line ending.
 */
export interface HostsDocument {
  bom: boolean;
  lines: { text: string; eol: string }[];
}

export const BLOCK_BEGIN = '# >>> dsa-setup: Deep Security manager (managed block, do not edit) >>>';
export const BLOCK_END = '# <<< dsa-setup <<<';
export const SHADOW_PREFIX = '#dsa-setup-shadowed# ';
const KEPT_COMMENT = '# dsa-setup: names kept from the line above';

/** Splits hosts file bytes into lines, keeping BOM and each line's ending. */
export function readHostsDocument(data: Buffer): HostsDocument {
  let text = data.toString('latin1');
  const bom = text.startsWith('\xef\xbb\xbf');
  if (bom) text = text.slice(3);
  const lines: { text: string; eol: string }[] = [];
  const re = /\r\n|\n/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    lines.push({ text: text.slice(last, m.index), eol: m[0] });
    last = m.index + m[0].length;
  }
  if (last < text.length) lines.push({ text: text.slice(last), eol: '' });
  return { bom, lines };
}

/** The bytes of a document. */
export function writeHostsDocument(doc: HostsDocument): Buffer {
  return Buffer.from((doc.bom ? '\xef\xbb\xbf' : '') + doc.lines.map((l) => l.text + l.eol).join(''), 'latin1');
}

/** The address/name mapping of one line, or null for comments, blanks and non-entries. */
export function lineEntry(text: string): { address: string; names: string[] } | null {
  const hash = text.indexOf('#');
  const fields = (hash >= 0 ? text.slice(0, hash) : text).split(/[ \t]+/).filter(Boolean);
  if (fields.length < 2 || !isIpAddress(fields[0]!)) return null;
  return { address: fields[0]!, names: fields.slice(1) };
}

const norm = (n: string): string => n.toLowerCase().replace(/\.$/, '');
const sameAddress = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Where the managed block is: indexes of its begin and end lines, or null. A begin without an end is an error. */
export function findBlock(doc: HostsDocument, file: string): { begin: number; end: number } | null {
  const begin = doc.lines.findIndex((l) => l.text.startsWith('# >>> dsa-setup'));
  if (begin < 0) return null;
  const end = doc.lines.findIndex((l, i) => i > begin && l.text.startsWith('# <<< dsa-setup'));
  if (end < 0) {
    throw new DsaError({
      code: 'hosts.brokenBlock',
      messageKey: 'hosts.brokenBlock',
      params: { file, line: begin + 1 },
      remedyKey: 'hosts.brokenBlockRemedy',
    });
  }
  return { begin, end };
}

export interface ShadowingLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
  name: string;
  address: string;
  expected: string;
}

export interface NameState {
  name: string;
  expected: string;
  /** The first line that maps the name, as the resolver reads the file (1-based), and its address. */
  firstLine: number | null;
  firstAddress: string | null;
  inBlock: boolean;
}

/** How the file maps every manager name today: which line answers first, and which lines map it elsewhere. */
export function analyzeHosts(
  doc: HostsDocument,
  entries: HostsEntry[],
  file: string,
): { names: NameState[]; shadowing: ShadowingLine[] } {
  const block = findBlock(doc, file);
  const wanted = new Map<string, { name: string; address: string }>();
  for (const e of entries)
    for (const n of e.names) if (!wanted.has(norm(n))) wanted.set(norm(n), { name: n, address: e.address });
  const states = new Map<string, NameState>();
  for (const [k, w] of wanted)
    states.set(k, { name: w.name, expected: w.address, firstLine: null, firstAddress: null, inBlock: false });
  const shadowing: ShadowingLine[] = [];
  doc.lines.forEach((l, i) => {
    const entry = lineEntry(l.text);
    if (!entry) return;
    const inBlock = block !== null && i > block.begin && i < block.end;
    for (const n of entry.names) {
      const st = states.get(norm(n));
      if (!st) continue;
      if (st.firstLine === null) {
        st.firstLine = i + 1;
        st.firstAddress = entry.address;
        st.inBlock = inBlock;
      }
      if (!inBlock && !sameAddress(entry.address, st.expected)) {
        shadowing.push({ line: i + 1, text: l.text, name: n, address: entry.address, expected: st.expected });
      }
    }
  });
  return { names: [...states.values()], shadowing };
}

export interface HostsChange {
  doc: HostsDocument;
  changed: boolean;
  /** Lines the block will hold. */
  blockLines: string[];
  /** Lines removed from an outdated block. */
  removedBlockLines: string[];
  shadowing: ShadowingLine[];
}

/**
 * Computes the file with the managed block holding exactly `entries`, and every line outside it that maps a
 * manager name to another address commented out (its other names kept on a line of their own).
 * Applying the result again changes nothing.
 */
export function applyManagedBlock(
  doc: HostsDocument,
  entries: HostsEntry[],
  file: string,
  defaultEol: string,
): HostsChange {
  const eol = doc.lines.find((l) => l.eol !== '')?.eol ?? defaultEol;
  const { shadowing } = analyzeHosts(doc, entries, file);
  const managerNames = new Set(entries.flatMap((e) => e.names.map(norm)));
  const shadowLines = new Set(shadowing.map((s) => s.line - 1));
  const blockLines = [BLOCK_BEGIN, ...entries.map((e) => `${e.address}\t${e.names.join(' ')}`), BLOCK_END];

  const out: { text: string; eol: string }[] = [];
  const block = findBlock(doc, file);
  let removedBlockLines: string[] = [];
  doc.lines.forEach((l, i) => {
    if (block && i >= block.begin && i <= block.end) {
      if (i === block.begin) {
        removedBlockLines = doc.lines.slice(block.begin, block.end + 1).map((x) => x.text);
        // The end line keeps its own ending, so the bytes after the block stay as they were.
        blockLines.forEach((t, k) =>
          out.push({ text: t, eol: k === blockLines.length - 1 ? doc.lines[block.end]!.eol : eol }),
        );
      }
      return;
    }
    if (shadowLines.has(i)) {
      const entry = lineEntry(l.text)!;
      out.push({ text: SHADOW_PREFIX + l.text, eol: l.eol || eol });
      const kept = entry.names.filter((n) => !managerNames.has(norm(n)));
      if (kept.length) out.push({ text: `${entry.address}\t${kept.join(' ')}\t${KEPT_COMMENT}`, eol: l.eol || eol });
      return;
    }
    out.push({ ...l });
  });
  if (!block) {
    const lastLine = out[out.length - 1];
    if (lastLine && lastLine.eol === '') lastLine.eol = eol;
    for (const t of blockLines) out.push({ text: t, eol });
  }
  const next: HostsDocument = { bom: doc.bom, lines: out };
  const changed = !writeHostsDocument(next).equals(writeHostsDocument(doc));
  return {
    doc: next,
    changed,
    blockLines,
    removedBlockLines: block && removedBlockLines.join('\n') === blockLines.join('\n') ? [] : removedBlockLines,
    shadowing,
  };
}
