import { isIPv6 } from 'node:net';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isHostName, isIpAddress, sameHostName } from './inputs/names.js';
import type { HostsEntry } from './inputs/managerHosts.js';
import { msg, renderMessage, type Message } from './message.js';

/** The ports of the agent's traffic: 4120 manager heartbeat, 4122 relay, 443 Cloud One, 4118 manager-initiated. */
export const OPENING_PORTS = { manager: 4120, relay: 4122, saas: 443, agent: 4118 } as const;

/**
 * One opening the cloud console's security group / ACL (and a host firewall) must allow: outbound from this VM
 * to a manager or relay, or inbound to this VM from the manager when the manager initiates communication.
 */
export interface Opening {
  direction: 'out' | 'in';
  /** The other end as the inputs name it: an address, or a host name. */
  host: string;
  /** The addresses of `host` (the host itself when it is an address; [] when a name could not be resolved). */
  addresses: string[];
  port: number;
  role: 'manager' | 'relay';
  /** `always`, or only when the manager initiates communication (bidirectional or manager-initiated policy). */
  when: 'always' | 'manager-initiated';
  /** Where the opening comes from (the hosts file's line, the activation file, an option). */
  source: string;
}

/** What the openings are worked out from; each part is optional. */
export interface OpeningInputs {
  /** The portal's hosts file (Cloudn / Deep Security Manager), with its path for `source`. */
  hostsFile?: { path: string; entries: readonly HostsEntry[] };
  /** The manager of the activation command (`dsm://HOST:PORT/`), and whether it is Cloud One / Vision One. */
  manager?: { host: string; port: number; saas: boolean; source: string };
  /** Extra relays or proxies the agent must reach, `host:port`. */
  extra?: readonly { host: string; port: number; source: string }[];
}

/** The manager flavour the inputs point at, so hints speak of the right console and files. */
export type ManagerFlavour = 'on-premises' | 'cloud-one';

/** Cloud One / Vision One when the manager is Trend's cloud service (tenant ID and token, port 443). */
export function managerFlavour(m: { host: string; port: number } | undefined, hasTenant: boolean): ManagerFlavour {
  if (hasTenant) return 'cloud-one';
  if (!m) return 'on-premises';
  const host = m.host.replace(/\.$/, '');
  return m.port === OPENING_PORTS.saas || /(^|\.)trendmicro\.com$/i.test(host) ? 'cloud-one' : 'on-premises';
}

/**
 * The exact openings the inputs need (DESIGN: the manual's security group / ACL step): outbound 4120 and 4122
 * to every address of the portal's hosts file, outbound to the activation URL's host and port (443 for Cloud
 * One), and inbound 4118 from each on-premises manager address when the manager initiates communication.
 * Names are mapped to addresses through the portal's hosts file; other names keep `addresses: []` until
 * `resolveOpenings` looks them up.
 */
export function networkOpenings(inp: OpeningInputs): Opening[] {
  const out: Opening[] = [];
  const seen = new Set<string>();
  const add = (o: Opening): void => {
    const key = `${o.direction} ${o.addresses.join(',') || o.host.toLowerCase()} ${o.port}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(o);
  };
  const entries = inp.hostsFile?.entries ?? [];
  const addressesOf = (host: string): string[] =>
    isIpAddress(host)
      ? [host]
      : entries.filter((e) => e.names.some((n) => sameHostName(n, host))).map((e) => e.address);
  for (const e of entries) {
    const source = `${inp.hostsFile!.path}:${e.line}`;
    const host = e.names[0] ?? e.address;
    for (const [port, role] of [
      [OPENING_PORTS.manager, 'manager'],
      [OPENING_PORTS.relay, 'relay'],
    ] as const)
      add({ direction: 'out', host, addresses: [e.address], port, role, when: 'always', source });
  }
  const m = inp.manager;
  if (m) {
    const addresses = addressesOf(m.host);
    add({ direction: 'out', host: m.host, addresses, port: m.port, role: 'manager', when: 'always', source: m.source });
    if (!m.saas && m.port !== OPENING_PORTS.relay)
      add({
        direction: 'out',
        host: m.host,
        addresses,
        port: OPENING_PORTS.relay,
        role: 'relay',
        when: 'always',
        source: m.source,
      });
  }
  for (const x of inp.extra ?? [])
    add({
      direction: 'out',
      host: x.host,
      addresses: addressesOf(x.host),
      port: x.port,
      role: 'relay',
      when: 'always',
      source: x.source,
    });
  // The manager reaches the agent on 4118 only on premises (Cloud One never connects in).
  // When the activation names the manager, only its addresses connect in (relays never do); else every portal line.
  if (!(m?.saas ?? false)) {
    const named = m ? entries.filter((e) => e.names.some((n) => sameHostName(n, m.host))) : [];
    const managers = named.length
      ? named
      : entries.length
        ? entries
        : m
          ? [{ address: m.host, names: [m.host], line: 0 }]
          : [];
    for (const e of managers) {
      const addresses = isIpAddress(e.address) ? [e.address] : addressesOf(e.address);
      add({
        direction: 'in',
        host: e.names[0] ?? e.address,
        addresses,
        port: OPENING_PORTS.agent,
        role: 'manager',
        when: 'manager-initiated',
        source: e.line ? `${inp.hostsFile!.path}:${e.line}` : (m?.source ?? ''),
      });
    }
  }
  return out;
}

/** Looks up the addresses of every opening named by a host name that has none yet (DNS, with a timeout). */
export async function resolveOpenings(
  openings: readonly Opening[],
  opts: { timeoutMs?: number; lookup?: (host: string) => Promise<string[]> } = {},
): Promise<Opening[]> {
  const lookup = opts.lookup ?? (async (host: string) => (await dnsLookup(host, { all: true })).map((a) => a.address));
  const cache = new Map<string, Promise<string[]>>();
  const resolveName = (host: string): Promise<string[]> => {
    let p = cache.get(host.toLowerCase());
    if (!p) {
      const timeout = new Promise<string[]>((r) => setTimeout(() => r([]), opts.timeoutMs ?? 3000).unref());
      p = Promise.race([lookup(host).catch(() => [] as string[]), timeout]);
      cache.set(host.toLowerCase(), p);
    }
    return p;
  };
  return Promise.all(
    openings.map(async (o) =>
      o.addresses.length || !isHostName(o.host) ? o : { ...o, addresses: [...new Set(await resolveName(o.host))] },
    ),
  );
}

/** The CIDR a console rule takes for one address (`/32`, `/128`). */
export function cidr(address: string): string {
  return `${address}/${isIPv6(address) ? 128 : 32}`;
}

/** One row of the openings table as the admin copies it into the console: every value a message or a literal. */
export interface OpeningRow {
  direction: Message;
  /** The remote end as the console rule takes it (CIDRs), or the name when it has no address yet. */
  remote: string;
  host: string;
  port: string;
  when: Message;
}

/** The rows of the openings table (one per opening; a name without an address says it must be resolved). */
export function openingRows(openings: readonly Opening[]): OpeningRow[] {
  return openings.map((o) => ({
    direction: msg(o.direction === 'out' ? 'openings.outbound' : 'openings.inbound'),
    remote: o.addresses.length ? o.addresses.map(cidr).join(', ') : o.host,
    host: o.host,
    port: `TCP ${o.port}`,
    when: msg(o.when === 'always' ? 'openings.always' : 'openings.managerInitiated'),
  }));
}

/** A note under the table: what the admin must still look up (Cloud One's published addresses), if anything. */
export function openingNotes(openings: readonly Opening[], flavour: ManagerFlavour): Message[] {
  const notes: Message[] = [];
  const unresolved = openings.filter((o) => o.addresses.length === 0).map((o) => o.host);
  if (unresolved.length) notes.push(msg('openings.unresolved', { hosts: [...new Set(unresolved)].join(', ') }));
  notes.push(msg(flavour === 'cloud-one' ? 'openings.noteCloudOne' : 'openings.noteOnPremises'));
  return notes;
}

/** One opening as `--json` gives it: the console rule's values, where it comes from. */
export interface OpeningItem {
  direction: 'out' | 'in';
  /** The CIDRs to allow (empty when the name has no address yet: `host` then). */
  remote: string[];
  host: string;
  protocol: 'tcp';
  port: number;
  role: Opening['role'];
  when: Opening['when'];
  source: string;
}

/** The openings table of `plan`, `inspect` and the doctor: the items, the flavour, notes (translated and refs). */
export interface OpeningsReport {
  flavour: ManagerFlavour;
  items: OpeningItem[];
  notes: string[];
  notesRef: Message[];
}

/**
 * Works out the openings of the inputs, resolves names still without an address through `lookup` (the doctor
 * and plan pass the system resolver's reading, under `--root` the root's hosts file first), and returns the
 * report in the language of `t`.
 */
export async function openingsReport(
  inp: OpeningInputs,
  t: (key: string, params?: Record<string, unknown>) => string,
  opts: { lookup?: (host: string) => Promise<string[]>; timeoutMs?: number; hasTenant?: boolean } = {},
): Promise<OpeningsReport> {
  const flavour = inp.manager?.saas ? 'cloud-one' : managerFlavour(inp.manager, opts.hasTenant ?? false);
  const manager = inp.manager ? { ...inp.manager, saas: flavour === 'cloud-one' } : undefined;
  const openings = await resolveOpenings(networkOpenings({ ...inp, ...(manager ? { manager } : {}) }), opts);
  const notesRef = openingNotes(openings, flavour);
  return {
    flavour,
    items: openings.map((o) => ({
      direction: o.direction,
      remote: o.addresses.map(cidr),
      host: o.host,
      protocol: 'tcp',
      port: o.port,
      role: o.role,
      when: o.when,
      source: o.source,
    })),
    notes: notesRef.map((m) => renderMessage(t, m)),
    notesRef,
  };
}
