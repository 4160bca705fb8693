import type { HostsEntry } from '../inputs/managerHosts.js';
import { fail, DsaError, ExitCode } from '../errors.js';
import { msg } from '../message.js';
import { addressKey, canonicalAddress } from './inetAddress.js';
import { DEFAULT_RESOLVER, type ResolverOptions } from './hostConf.js';
import { resolverAnswers, resolverLine, sameName, type Mapping, type ResolverLine } from './hostsResolver.js';

export const BLOCK_BEGIN = '# >>> dsa-setup: Deep Security manager (managed block, do not edit) >>>';
export const BLOCK_END = '# <<< dsa-setup <<<';
export const SHADOW_PREFIX = '#dsa-setup-shadowed# ';
const KEPT_COMMENT = '# dsa-setup: names kept from the line above';

/** How the file's bytes are text: as they are (UTF-8, Shift_JIS, ASCII…), or UTF-16 with a BOM. */
export type HostsEncoding = 'bytes' | 'utf-16le' | 'utf-16be';

/** The encoding of hosts file bytes: UTF-16 when they start with a UTF-16 BOM (either byte order). */
export function hostsEncoding(data: Buffer): HostsEncoding {
  if (data.length >= 2 && data[0] === 0xff && data[1] === 0xfe) return 'utf-16le';
  if (data.length >= 2 && data[0] === 0xfe && data[1] === 0xff) return 'utf-16be';
  return 'bytes';
}

function decodeUtf16(data: Buffer, enc: HostsEncoding): string {
  const body = Buffer.from(data.subarray(2, data.length - (data.length % 2)));
  if (enc === 'utf-16be') body.swap16();
  return body.toString('utf16le');
}

/**
 * A hosts file held byte for byte: text is decoded as latin1 so that every byte (UTF-8 or Shift_JIS
 * comments, tabs, BOM) comes back unchanged when it is written, and each line keeps its own line ending.
 * A UTF-16 file (with BOM) is decoded in its own encoding, so its lines can be read; no resolver reads it.
 * Lines are offsets into one string (no object per line), so a 200,000-line file costs little memory.
 */
export class HostsDocument {
  /** A UTF-8 BOM before the text (kept on write; it is part of line 1's first field to the resolver). */
  readonly bom: boolean;
  readonly encoding: HostsEncoding;
  /** The file's text after the BOM: one char per byte, or the decoded UTF-16 text. */
  readonly text: string;
  readonly lineCount: number;
  /** Start offset of every line, plus the end of the text. */
  private readonly starts: Uint32Array;

  constructor(data: Buffer) {
    this.encoding = hostsEncoding(data);
    let text = this.encoding === 'bytes' ? data.toString('latin1') : decodeUtf16(data, this.encoding);
    this.bom = this.encoding === 'bytes' && text.startsWith('\xef\xbb\xbf');
    if (this.bom) text = text.slice(3);
    this.text = text;
    // Line starts, found in the bytes (native search) when the text is one char per byte.
    const bytes = this.encoding === 'bytes' ? data.subarray(this.bom ? 3 : 0) : null;
    const next = bytes ? (from: number) => bytes.indexOf(10, from) : (from: number) => text.indexOf('\n', from);
    let starts = new Uint32Array(1024);
    let n = 1;
    for (let i = next(0); i >= 0; i = next(i + 1)) {
      if (n === starts.length) {
        const grown = new Uint32Array(starts.length * 2);
        grown.set(starts);
        starts = grown;
      }
      starts[n++] = i + 1;
    }
    if (starts[n - 1] !== text.length) {
      if (n === starts.length) {
        const grown = new Uint32Array(n + 1);
        grown.set(starts);
        starts = grown;
      }
      starts[n++] = text.length;
    }
    this.starts = starts.subarray(0, n);
    this.lineCount = n - 1;
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

  /** Line i with its `\n`, as the resolver reads it (line 1 with the BOM in front of it). */
  rawLine(i: number): string {
    const raw = this.text.slice(this.starts[i]!, this.starts[i + 1]!);
    return i === 0 && this.bom ? '\xef\xbb\xbf' + raw : raw;
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

// plan, apply's stale-plan check, the step's apply and its read-back read the same bytes in one process: the
// last document (and the last change computed from it) is kept, so a 200,000-line file is parsed once.
let lastDoc: { data: Buffer; doc: HostsDocument } | null = null;
let lastChange: { doc: HostsDocument; key: string; change: HostsChange } | null = null;

/** Reads hosts file bytes, keeping BOM and each line's ending (UTF-16 decoded in its own encoding). */
export function readHostsDocument(data: Buffer): HostsDocument {
  if (lastDoc && lastDoc.data.equals(data)) return lastDoc.doc;
  lastDoc = lastChange = null; // let the previous file go before reading the next
  const doc = new HostsDocument(data);
  lastDoc = { data, doc };
  return doc;
}

/** The address/names of one line (without its ending) as glibc reads it, or null for comments and non-entries. */
export function lineEntry(text: string): { address: string; names: string[] } | null {
  const e = resolverLine(text + '\n', 'glibc');
  return e ? { address: e.address, names: e.names } : null;
}

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
    throw fail('hosts.brokenBlock', msg('hosts.brokenBlock', { file, line: begin + 1 }), {
      remedy: msg('hosts.brokenBlockRemedy'),
    });
  }
  return { begin, end };
}

/**
 * Indexes of the lines that may map one of `names`: every line holding one of them (any case), every line
 * with a NUL, and the last line (glibc may repeat its last bytes), in file order. A superset: callers parse.
 */
function candidateLines(doc: HostsDocument, names: string[]): number[] {
  const hits = new Set<number>();
  if (names.length) {
    const alts = names.map((n) => n.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|');
    for (const m of doc.text.matchAll(new RegExp(alts, 'gi'))) hits.add(doc.lineAt(m.index));
  }
  for (let p = doc.text.indexOf('\0'); p >= 0; p = doc.text.indexOf('\0', p + 1)) hits.add(doc.lineAt(p));
  if (doc.lineCount > 0) hits.add(doc.lineCount - 1);
  return [...hits].sort((a, b) => a - b);
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
  /** The first line that maps the name (1-based) and its address, or null. */
  firstLine: number | null;
  firstAddress: string | null;
  /** Whether that first line is in the managed block. */
  inBlock: boolean;
  /** Every line that maps the name, in file order. */
  mappings: Mapping[];
  /** What the resolver answers for the name (canonical addresses; empty: it does not resolve). */
  answers: string[];
  /** The resolver answers with the manager's address and nothing else. */
  resolves: boolean;
}

export interface HostsAnalysis {
  names: NameState[];
  /** Lines outside the managed block that map a manager name to another address. */
  shadowing: ShadowingLine[];
  encoding: HostsEncoding;
}

/** The resolver's reading of line i (0-based), optionally as it will read once a line ending follows it. */
function entryAt(doc: HostsDocument, i: number, opts: ResolverOptions, withEol = false): ResolverLine | null {
  const raw = doc.rawLine(i);
  return resolverLine(withEol && !raw.endsWith('\n') ? raw + '\n' : raw, opts.dialect);
}

/**
 * How the file maps every manager name, read the way the resolver reads it (see hostsResolver.ts): every line
 * that maps it, what the resolver answers (host.conf's `multi` decides whether later lines count), and the
 * lines outside the block that map it elsewhere. A UTF-16 file is read in its own encoding for the lines, but
 * resolves nothing: neither glibc nor Windows reads it.
 */
export function analyzeHosts(
  doc: HostsDocument,
  entries: HostsEntry[],
  file: string,
  opts: ResolverOptions = DEFAULT_RESOLVER,
): HostsAnalysis {
  const block = findBlock(doc, file);
  const states: NameState[] = [];
  for (const e of entries) {
    for (const n of e.names) {
      if (!states.some((s) => sameName(s.name, n))) {
        states.push({
          name: n,
          expected: e.address,
          firstLine: null,
          firstAddress: null,
          inBlock: false,
          mappings: [],
          answers: [],
          resolves: false,
        });
      }
    }
  }
  const shadowing: ShadowingLine[] = [];
  for (const i of candidateLines(
    doc,
    states.map((s) => s.name),
  )) {
    const entry = entryAt(doc, i, opts);
    if (!entry) continue;
    const inBlock = block !== null && i > block.begin && i < block.end;
    for (const st of states) {
      const n = entry.names.find((x) => sameName(x, st.name));
      if (n === undefined) continue;
      st.mappings.push({ line: i + 1, address: entry.address, parsed: entry.parsed, inBlock });
      if (!inBlock && addressKey(entry.parsed) !== canonicalAddress(st.expected)) {
        shadowing.push({ line: i + 1, text: doc.lineText(i), name: n, address: entry.address, expected: st.expected });
      }
    }
  }
  for (const st of states) {
    const first = st.mappings[0];
    if (first) Object.assign(st, { firstLine: first.line, firstAddress: first.address, inBlock: first.inBlock });
    st.answers = doc.encoding === 'bytes' ? resolverAnswers(st.mappings, opts) : [];
    const want = canonicalAddress(st.expected);
    st.resolves = st.answers.length > 0 && st.answers.every((a) => a === want);
  }
  return { names: states, shadowing, encoding: doc.encoding };
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
  /** The whole file is rewritten from UTF-16 to UTF-8 (only with `rewriteUtf16`). */
  rewrittenFrom: HostsEncoding | null;
}

/** The refusal for a UTF-16 hosts file: the resolver ignores it, and appending UTF-8 would mix encodings. */
export function utf16Refusal(file: string, encoding: HostsEncoding): DsaError {
  return fail('hosts.utf16', msg('hosts.utf16', { file, encoding: encoding.toUpperCase() }), {
    remedy: msg('hosts.utf16Remedy', { file }),
    exit: ExitCode.badInput,
  });
}

/**
 * Computes the file with the managed block holding exactly `entries`, and every line outside it that maps a
 * manager name to another address commented out (its other names kept on a line of their own).
 * Unchanged text is copied as is; applying the result again changes nothing. A UTF-16 file is refused
 * (exit 2) unless `rewriteUtf16`, which rewrites the whole file as UTF-8.
 */
export function applyManagedBlock(
  doc: HostsDocument,
  entries: HostsEntry[],
  file: string,
  defaultEol: string,
  opts: { rewriteUtf16?: boolean; resolver?: ResolverOptions } = {},
): HostsChange {
  const key = JSON.stringify([entries, file, defaultEol, opts]);
  if (lastChange && lastChange.doc === doc && lastChange.key === key) return lastChange.change;
  const change = computeManagedBlock(doc, entries, file, defaultEol, opts);
  lastChange = { doc, key, change };
  return change;
}

function computeManagedBlock(
  doc: HostsDocument,
  entries: HostsEntry[],
  file: string,
  defaultEol: string,
  opts: { rewriteUtf16?: boolean; resolver?: ResolverOptions },
): HostsChange {
  if (doc.encoding !== 'bytes' && !opts.rewriteUtf16) throw utf16Refusal(file, doc.encoding);
  const resolver = opts.resolver ?? DEFAULT_RESOLVER;
  const firstLf = doc.text.indexOf('\n');
  const eol = firstLf < 0 ? defaultEol : doc.text[firstLf - 1] === '\r' ? '\r\n' : '\n';
  const { shadowing } = analyzeHosts(doc, entries, file, resolver);
  const block = findBlock(doc, file);
  // A last line without an ending reads differently once the block follows it (glibc repeats its last bytes
  // only while nothing ends it): judge it as it will read.
  const last = doc.lineCount - 1;
  if (!block && last >= 0 && doc.lineEol(last) === '' && !shadowing.some((s) => s.line === last + 1)) {
    const entry = entryAt(doc, last, resolver, true);
    for (const e of entries) {
      for (const n of e.names) {
        const hit = entry?.names.find((x) => sameName(x, n));
        if (entry && hit !== undefined && addressKey(entry.parsed) !== canonicalAddress(e.address)) {
          shadowing.push({
            line: last + 1,
            text: doc.lineText(last),
            name: hit,
            address: entry.address,
            expected: e.address,
          });
        }
      }
    }
  }
  const blockLines = [BLOCK_BEGIN, ...entries.map((e) => `${e.address}\t${e.names.join(' ')}`), BLOCK_END];

  // Each edit replaces lines [from, to] with text that carries its own line endings.
  const edits: { from: number; to: number; text: string }[] = [];
  for (const line of new Set(shadowing.map((s) => s.line - 1))) {
    const text = doc.lineText(line);
    const lineEol = doc.lineEol(line) || eol;
    const entry = entryAt(doc, line, resolver, true) ?? entryAt(doc, line, resolver);
    if (!entry) continue;
    const kept = entry.names.filter((n) => !entries.some((e) => e.names.some((m) => sameName(m, n))));
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
  let out = parts.join('');
  if (!block) {
    if (out.length > parts[0]!.length && !out.endsWith('\n')) out += eol;
    out += blockLines.join(eol) + eol;
  }
  const utf16 = doc.encoding !== 'bytes';
  return {
    bytes: Buffer.from(out, utf16 ? 'utf8' : 'latin1'),
    changed: utf16 || edits.length > 0 || !block,
    blockLines,
    removedBlockLines: blockSame ? [] : removedBlockLines,
    shadowing,
    rewrittenFrom: utf16 ? doc.encoding : null,
  };
}
