import { promises as fs, readdirSync, type Dirent } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import pkg from '../../../package.json' with { type: 'json' };
import { inputError } from '../errors.js';
import { msg, type Message } from '../message.js';
import { redactText } from '../secrets.js';
import { DoctorResultSchema } from '../report/schema.js';
import { FAIL_CLASSES, type FailClass } from '../doctor/types.js';
import { isBundleName, readBundleDoctorJson } from './archive.js';
import { errnoReason, formatBytes, MAX_INPUT_BYTES, readBoundedSync } from '../inputs/readFile.js';
import { decodeText } from '../textDecode.js';
import { jsonErrorAt } from '../inputs/json.js';

/** Largest doctor.json read (a real one is a few tens of KiB): the bound of every input file. */
const MAX_RESULT_BYTES = MAX_INPUT_BYTES;

const FleetMessageSchema = z.object({
  key: z.string(),
  params: z.record(z.string(), z.unknown()).optional(),
});

/** The verdict the doctor puts first (issue 13): the first root cause, its class, cause and remedy. */
const VerdictSchema = z.object({
  check: z.string(),
  class: z.enum(FAIL_CLASSES),
  cause: z.string(),
  remedy: z.string(),
  causeRef: FleetMessageSchema.optional(),
  remedyRef: FleetMessageSchema.optional(),
});

/** A doctor.json as the fleet report reads it: `report --from`'s schema, plus the verdict and `blocked` checks. */
const FleetResultSchema = DoctorResultSchema.extend({
  verdict: VerdictSchema.nullable().optional(),
  checks: z.array(
    z
      .object({
        id: z.string(),
        status: z.enum(['pass', 'warn', 'fail', 'skip', 'blocked']),
        class: z.enum(FAIL_CLASSES).optional(),
        title: z.string(),
        detail: z.string(),
        remedy: z.string().default(''),
        blockedBy: z.string().optional(),
        titleRef: FleetMessageSchema.optional(),
        detailRef: FleetMessageSchema.optional(),
        remedyRef: FleetMessageSchema.optional(),
      })
      .loose(),
  ),
  summary: z.record(z.string(), z.number()).optional(),
  ms: z.number().optional(),
});

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip' | 'blocked';

/** One check of a host, as the fleet report shows it (texts as messages, secrets masked). */
export interface FleetCheck {
  id: string;
  status: CheckStatus;
  class?: FailClass;
  title: Message;
  detail: Message;
  remedy?: Message;
  blockedBy?: string;
}

/** A host's root cause: from the file's verdict, or derived from its first failing check (older files). */
export interface FleetVerdict {
  check: string;
  class: FailClass;
  cause: Message;
  remedy: Message;
  /** True when the file had no verdict and this one comes from the first failing check. */
  derived: boolean;
}

/** One host's doctor result, reduced to what the fleet report shows. */
export interface FleetHost {
  /** The file it came from (relative to the directory given, when inside one); `FILE!doctor.json` for a bundle. */
  source: string;
  hostname: string | null;
  os: string;
  kernel: string | null;
  arch: string | null;
  version: string;
  generatedAt: string;
  verdict: FleetVerdict | null;
  summary: Record<CheckStatus, number>;
  checks: FleetCheck[];
}

/** A file that is not counted, and why. */
export interface SetApart {
  source: string;
  reason: Message;
}

export interface FleetInput {
  hosts: FleetHost[];
  apart: SetApart[];
}

/**
 * Masks every text taken from the files, once per distinct text, and hands out one shared object per distinct
 * message and check: thousands of hosts repeat the same texts, so the report keeps (and renders) each once.
 */
export class Interner {
  private masked = new Map<string, string>();
  private messages = new Map<string, Message>();
  private checks = new Map<string, FleetCheck>();
  private ids = new WeakMap<object, number>();
  private next = 0;

  /** A text with secrets masked (redactText; already masked values stay as they are). */
  mask(s: string): string {
    let m = this.masked.get(s);
    if (m === undefined) {
      m = redactText(s);
      if (this.masked.size < 200_000) this.masked.set(s, m);
    }
    return m;
  }

  /** A reference from a file as a message, every string parameter masked; null when it has no key. */
  message(ref: unknown): Message | null {
    if (!ref || typeof ref !== 'object' || typeof (ref as { key?: unknown }).key !== 'string') return null;
    const raw = JSON.stringify(ref);
    let m = this.messages.get(raw);
    if (!m) {
      m = this.build(ref, 0);
      this.messages.set(raw, m);
    }
    return m;
  }

  /** A text with no reference (an older file, or a string only): shown as it is, after masking. */
  plain(text: string): Message {
    const raw = `\0${text}`;
    let m = this.messages.get(raw);
    if (!m) {
      m = msg('fleet.text', { text: this.mask(text) });
      this.messages.set(raw, m);
    }
    return m;
  }

  /** One shared object per distinct check (its messages are already shared). */
  check(c: FleetCheck): FleetCheck {
    const key = [
      c.id,
      c.status,
      c.class,
      this.id(c.title),
      this.id(c.detail),
      c.remedy && this.id(c.remedy),
      c.blockedBy,
    ].join('\0');
    const seen = this.checks.get(key);
    if (seen) return seen;
    this.checks.set(key, c);
    return c;
  }

  private id(o: object): number {
    let n = this.ids.get(o);
    if (n === undefined) this.ids.set(o, (n = this.next++));
    return n;
  }

  private build(ref: object, depth: number): Message {
    const r = ref as { key: string; params?: unknown };
    const params: Message['params'] = {};
    if (r.params && typeof r.params === 'object' && depth < 8)
      for (const [k, v] of Object.entries(r.params as Record<string, unknown>)) {
        if (typeof v === 'string') params[k] = this.mask(v);
        else if (typeof v === 'number') params[k] = v;
        else if (v && typeof v === 'object' && typeof (v as { key?: unknown }).key === 'string')
          params[k] = this.build(v, depth + 1);
      }
    return { key: r.key, params };
  }
}

const STATUS_ORDER: Record<CheckStatus, number> = { fail: 0, warn: 1, pass: 2, blocked: 3, skip: 4 };

/** The semver major of a version string; null when it is not one. */
function major(version: string): number | null {
  const m = /^v?(\d+)\.\d+/.exec(version.trim());
  return m ? Number(m[1]) : null;
}

/** The major version of the doctor results this build reads (its own). */
export const READ_MAJOR = major(pkg.version)!;

/** Turns a parsed doctor.json into a host, or says why it is set apart. */
export function toFleetHost(value: unknown, source: string, intern: Interner = new Interner()): FleetHost | Message {
  const mask = (x: string): string => intern.mask(x);
  if (
    !value ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    !Array.isArray((value as { checks?: unknown }).checks)
  )
    return msg('fleet.apart.notDoctor', { problem: msg('fleet.apart.noChecks') });
  const version = (value as { version?: unknown }).version;
  if (typeof version !== 'string') return msg('fleet.apart.notDoctor', { problem: msg('fleet.apart.noVersion') });
  const vm = major(version);
  if (vm !== READ_MAJOR)
    return msg('fleet.apart.otherVersion', { version: mask(version), supported: `${READ_MAJOR}.x` });
  const parsed = FleetResultSchema.safeParse(value);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    return msg('fleet.apart.badShape', { path: i.path.join('.') || '(root)', problem: i.message });
  }
  const r = parsed.data;
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0, blocked: 0 };
  const checks: FleetCheck[] = r.checks.map((c) => {
    summary[c.status] += 1;
    const remedy = intern.message(c.remedyRef) ?? (c.remedy ? intern.plain(c.remedy) : null);
    return intern.check({
      id: c.id,
      status: c.status,
      ...(c.class ? { class: c.class } : {}),
      title: intern.message(c.titleRef) ?? intern.plain(c.title),
      detail: intern.message(c.detailRef) ?? intern.plain(c.detail),
      ...(remedy ? { remedy } : {}),
      ...(c.blockedBy ? { blockedBy: c.blockedBy } : {}),
    });
  });
  let verdict: FleetVerdict | null = null;
  if (r.verdict) {
    verdict = {
      check: r.verdict.check,
      class: r.verdict.class,
      cause: intern.message(r.verdict.causeRef) ?? intern.plain(r.verdict.cause),
      remedy: intern.message(r.verdict.remedyRef) ?? intern.plain(r.verdict.remedy),
      derived: false,
    };
  } else {
    // No verdict (written before verdicts, or none given): the first failing check, in the file's order.
    const first = checks.find((c) => c.status === 'fail');
    if (first)
      verdict = {
        check: first.id,
        class: first.class ?? 'agent',
        cause: first.detail,
        remedy: first.remedy ?? msg('doctor.remedy.generic'),
        derived: true,
      };
  }
  checks.sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status]);
  return {
    source,
    hostname: r.host.hostname === null ? null : mask(r.host.hostname),
    os: mask(r.host.os),
    kernel: r.host.kernel === null ? null : mask(r.host.kernel),
    arch: r.host.arch,
    version: r.version,
    generatedAt: r.generatedAt,
    verdict,
    summary,
    checks,
  };
}

/**
 * Why JSON.parse refused a text, with where (never a slice of the text: it may hold a secret). A document that
 * starts as JSON and breaks off at its very end is truncated.
 */
function notJson(e: unknown, text: string): Message {
  const at = jsonErrorAt(text, e);
  const where = at ? msg('fleet.apart.at', { line: at.line, column: at.column }) : msg('fleet.apart.atUnknown');
  if (at?.atEnd && /^\s*[[{]/.test(text)) return msg('fleet.apart.truncated', { where });
  return msg('fleet.apart.notJson', { where });
}

/** One candidate file: where it is, and how to name it in the report. */
interface Candidate {
  path: string;
  source: string;
}

/** Files under a directory the fleet report reads: `*.json` and bundles; in an unpacked bundle, its doctor.json. */
function walkSync(dir: string, base: string, out: Candidate[], apart: SetApart[]): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    // A folder that cannot be listed may hold results: it is named, never silently left out of the count.
    apart.push({ source: relative(base, dir) || dir, reason: msg('fleet.apart.folder', { reason: errnoReason(e) }) });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // An unpacked support bundle (it has a MANIFEST.json): only its doctor.json is a result.
  const unpacked = entries.some((e) => e.name === 'MANIFEST.json');
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory())
      walkSync(path, base, out, apart); // symbolic links to directories are not followed
    else if (unpacked ? e.name === 'doctor.json' : /\.json$/i.test(e.name) || isBundleName(e.name))
      out.push({ path, source: relative(base, path) || basename(path) });
  }
}

/** doctor.json's bytes out of a support bundle; else why not. */
async function readBundle(path: string): Promise<Buffer | Message> {
  try {
    const st = await fs.stat(path);
    if (!st.isFile()) return msg('fleet.apart.notFile');
    const b = await readBundleDoctorJson(path, MAX_RESULT_BYTES);
    if (b.ok) return b.data;
    if (b.why === 'badArchive') return msg('fleet.apart.badArchive', { message: b.message });
    return b.why === 'tooLarge'
      ? msg('fleet.apart.tooLarge', { max: formatBytes(MAX_RESULT_BYTES) })
      : msg('fleet.apart.bundleNoDoctor');
  } catch (e) {
    return errnoReason(e);
  }
}

/** Turns one file's bytes into a host or a reason to set it apart. */
function parseOne(source: string, data: Buffer, intern: Interner): FleetHost | SetApart {
  // PowerShell 5's `doctor --json > FILE` writes UTF-16 with a BOM; an editor may add a UTF-8 BOM.
  const { text } = decodeText(data);
  if (text.includes('\uFFFD')) return { source, reason: msg('fleet.apart.notText') };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { source, reason: notJson(e, text) };
  }
  const host = toFleetHost(value, source, intern);
  return 'key' in host ? { source, reason: host } : host;
}

/** Keeps one result per host and directory (the newest); older ones are set apart naming the newer file. */
function latestPerHost(hosts: FleetHost[], apart: SetApart[]): FleetHost[] {
  const best = new Map<string, FleetHost>();
  const key = (h: FleetHost): string => `${dirname(h.source.replace(/!doctor\.json$/, ''))}\0${h.hostname ?? ''}`;
  for (const h of hosts) {
    const k = key(h);
    const seen = best.get(k);
    if (!seen) best.set(k, h);
    else {
      const [newer, older] = h.generatedAt > seen.generatedAt ? [h, seen] : [seen, h];
      best.set(k, newer);
      apart.push({ source: older.source, reason: msg('fleet.apart.superseded', { newer: newer.source }) });
    }
  }
  const kept = new Set(best.values());
  return hosts.filter((h) => kept.has(h));
}

/**
 * Reads doctor results for the fleet report: each path is a doctor.json, a support bundle, or a directory
 * searched for both. Unreadable, non-JSON, truncated, foreign and other-version files are set apart with why;
 * every text taken from a file is masked again (the files are already redacted; nothing is unmasked).
 */
export async function readFleet(paths: readonly string[]): Promise<FleetInput> {
  const candidates: Candidate[] = [];
  const apart: SetApart[] = [];
  for (const p of paths) {
    const full = resolve(p);
    const st = await fs.stat(full).catch((e: NodeJS.ErrnoException) => e);
    if (st instanceof Error) {
      if (st.code === 'ENOENT') throw inputError('fleet.notFound', msg('fleet.error.notFound', { file: p }));
      candidates.push({ path: full, source: p });
    } else if (st.isDirectory()) walkSync(full, full, candidates, apart);
    else candidates.push({ path: full, source: p });
  }
  const intern = new Interner();
  const hosts: FleetHost[] = [];
  // Small files are read synchronously (faster than one thread hop per file), in slices between which the
  // event loop runs (the desktop app reads in its main process); bundles are unpacked asynchronously.
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    let r: FleetHost | SetApart;
    if (isBundleName(c.path)) {
      const data = await readBundle(c.path);
      r = Buffer.isBuffer(data)
        ? parseOne(`${c.source}!doctor.json`, data, intern)
        : { source: c.source, reason: data };
    } else {
      const data = readBoundedSync(c.path, MAX_RESULT_BYTES);
      r = data.ok ? parseOne(c.source, data.data, intern) : { source: c.source, reason: data.reason };
    }
    if ('reason' in r) apart.push(r);
    else hosts.push(r);
    if (i % 64 === 63) await new Promise((done) => setImmediate(done));
  }
  return { hosts: latestPerHost(hosts, apart), apart };
}
