import { isIpAddress } from '../inputs/names.js';
import type { HostsEntry } from '../inputs/managerHosts.js';
import { DsaError } from '../errors.js';

export const BLOCK_BEGIN = '# >>> dsa-setup: Deep Security manager (managed block, do not edit) >>>';
export const BLOCK_END = '# <<< dsa-setup <<<';
export const SHADOW_PREFIX = '#dsa-setup-shadowed# ';
const KEPT_COMMENT = '# dsa-setup: names kept from the line above';

/**
 * A hosts file held byte for byte: text is decoded as latin1 so that every byte (UTF-8 or Shift_JIS
 * comments, tabs, BOM) comes back unchanged when it is written, and each line keeps its own line ending.
 * Lines are offsets into one string (no object per line), so a 200,000-line file costs little memory.
 */
export class HostsDocument {
  readonly bom: boolean;
  /** The file's text after the BOM, one char per byte. */
  readonly text: string;
  readonly lineCount: number;
  /** Start offset of every line, plus the end of the text. */
  private readonly starts: Uint32Array;

  constructor(data: Buffer) {
    let text = data.toString('latin1');
    this.bom = text.startsWith('\xef\xbb\xbf');
    if (this.bom) text = text.slice(3);
    this.text = text;
    const starts: number[] = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    if (starts[starts.length - 1] !== text.length) starts.push(text.length);
    this.starts = Uint32Array.from(starts);
    this.lineCount = starts.length - 1;
  }

  /** Offset where line i starts (i = lineCount gives the end of the text). */
  lineStart(i: number): number {
    return this.starts[i]!;
  }

  /** Line i's ending: `\r\n`, `\n`, or '' for a last line without one. */
  lineEol(i: number): string {
    const end = this.starts[i + 1]!;
    if (this.text[end - 1] !== '\n') return '';
    return end - 2 >= this.starts[i]! && this.text[end - 2] === '\r' ? '\r\n' : '\n';
  }

  /** Line i (0-based) without its ending. */
  lineText(i: number): string {
    return this.text.slice(this.starts[i]!, this.starts[i + 1]! - this.lineEol(i).length);
  }

  /** 0-based index of the line holding character offset `pos`. */
  lineAt(pos: number): number {
    let lo = 0;
    let hi = this.lineCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** Reads hosts file bytes, keeping BOM and each line's ending. */
export function readHostsDocument(data: Buffer): HostsDocument {
  return new HostsDocument(data);
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

/** The first line at or after offset `from` that starts with `prefix`, or -1. */
function markerLine(doc: HostsDocument, prefix: string, from: number): number {
  for (let p = doc.text.indexOf(prefix, from); p >= 0; p = doc.text.indexOf(prefix, p + 1)) {
    const line = doc.lineAt(p);
    if (doc.lineStart(line) === p) return line;
  }
  return -1;
}

/** Where the managed block is: indexes of its begin and end lines, or null. A begin without an end is an error. */
export function findBlock(doc: HostsDocument, file: string): { begin: number; end: number } | null {
  const begin = markerLine(doc, '# >>> dsa-setup', 0);
  if (begin < 0) return null;
  const end = markerLine(doc, '# <<< dsa-setup', doc.lineStart(begin + 1));
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

/** Indexes of the lines that may map one of `names` (case-insensitive, as a whole field), in file order. */
function linesMentioning(doc: HostsDocument, names: string[]): number[] {
  if (names.length === 0) return [];
  const alts = names.map((n) => n.replace(/\.$/, '').replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|');
  const re = new RegExp(`(?:^|[ \\t])(?:${alts})\\.?(?=[ \\t#\\r\\n]|$)`, 'gim');
  const out: number[] = [];
  for (const m of doc.text.matchAll(re)) {
    const line = doc.lineAt(m.index);
    if (out[out.length - 1] !== line) out.push(line);
  }
  return out;
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
  const states = new Map<string, NameState>();
  for (const e of entries) {
    for (const n of e.names) {
      if (!states.has(norm(n))) {
        states.set(norm(n), { name: n, expected: e.address, firstLine: null, firstAddress: null, inBlock: false });
      }
    }
  }
  const shadowing: ShadowingLine[] = [];
  for (const i of linesMentioning(
    doc,
    [...states.values()].map((s) => s.name),
  )) {
    const text = doc.lineText(i);
    const entry = lineEntry(text);
    if (!entry) continue;
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
        shadowing.push({ line: i + 1, text, name: n, address: entry.address, expected: st.expected });
      }
    }
  }
  return { names: [...states.values()], shadowing };
}

export interface HostsChange {
  /** The new file, byte for byte. */
  bytes: Buffer;
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
 * Unchanged text is copied as is; applying the result again changes nothing.
 */
export function applyManagedBlock(
  doc: HostsDocument,
  entries: HostsEntry[],
  file: string,
  defaultEol: string,
): HostsChange {
  const firstLf = doc.text.indexOf('\n');
  const eol = firstLf < 0 ? defaultEol : doc.text[firstLf - 1] === '\r' ? '\r\n' : '\n';
  const { shadowing } = analyzeHosts(doc, entries, file);
  const managerNames = new Set(entries.flatMap((e) => e.names.map(norm)));
  const blockLines = [BLOCK_BEGIN, ...entries.map((e) => `${e.address}\t${e.names.join(' ')}`), BLOCK_END];
  const block = findBlock(doc, file);

  // Each edit replaces lines [from, to] with text that carries its own line endings.
  const edits: { from: number; to: number; text: string }[] = [];
  for (const line of new Set(shadowing.map((s) => s.line - 1))) {
    const text = doc.lineText(line);
    const lineEol = doc.lineEol(line) || eol;
    const entry = lineEntry(text)!;
    const kept = entry.names.filter((n) => !managerNames.has(norm(n)));
    const keptLine = kept.length ? `${entry.address}\t${kept.join(' ')}\t${KEPT_COMMENT}${lineEol}` : '';
    edits.push({ from: line, to: line, text: SHADOW_PREFIX + text + lineEol + keptLine });
  }
  let removedBlockLines: string[] = [];
  let blockSame = false;
  if (block) {
    removedBlockLines = Array.from({ length: block.end - block.begin + 1 }, (_, k) => doc.lineText(block.begin + k));
    // The end line keeps its own ending, so the bytes after the block stay as they were.
    const blockText = blockLines.join(eol) + doc.lineEol(block.end);
    blockSame = doc.text.slice(doc.lineStart(block.begin), doc.lineStart(block.end + 1)) === blockText;
    if (!blockSame) edits.push({ from: block.begin, to: block.end, text: blockText });
  }
  edits.sort((a, b) => a.from - b.from);

  const parts: string[] = [doc.bom ? '\xef\xbb\xbf' : ''];
  let pos = 0;
  for (const e of edits) {
    parts.push(doc.text.slice(pos, doc.lineStart(e.from)), e.text);
    pos = doc.lineStart(e.to + 1);
  }
  parts.push(doc.text.slice(pos));
  if (!block) {
    if (doc.text.length > 0 && !doc.text.endsWith('\n')) parts.push(eol);
    parts.push(blockLines.join(eol) + eol);
  }
  return {
    bytes: Buffer.from(parts.join(''), 'latin1'),
    changed: edits.length > 0 || !block,
    blockLines,
    removedBlockLines: blockSame ? [] : removedBlockLines,
    shadowing,
  };
}
