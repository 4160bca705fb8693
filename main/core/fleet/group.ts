import type { FailClass } from '../doctor/types.js';
import type { Message } from '../message.js';
import { type FleetHost, type FleetInput, type SetApart } from './read.js';
import { FAIL_CLASSES } from '../doctor/failClass.js';

/** One remedy shared by some hosts of a group, shown once with the hosts it applies to. */
export interface SharedRemedy {
  remedy: Message;
  /** Indexes into the group's hosts. */
  hosts: number[];
}

/** The hosts whose root cause is of one class. */
export interface FleetGroup {
  class: FailClass;
  hosts: FleetHost[];
  /** Each distinct remedy once, most hosts first. */
  remedies: SharedRemedy[];
  /** How many of the hosts had no verdict in their file (derived from the first failing check). */
  derived: number;
}

/** The fleet report's content, before translation (the CLI renders it; the window translates it itself). */
export interface FleetReport {
  generatedAt: string;
  /** Hosts counted (groups plus hosts without a failing check). */
  total: number;
  /** Every class in order, also those with no host (the summary shows a zero). */
  groups: FleetGroup[];
  /** Hosts whose result has no failing check. */
  clean: FleetHost[];
  apart: SetApart[];
}

const byName = (a: FleetHost, b: FleetHost): number =>
  (a.hostname ?? '').localeCompare(b.hostname ?? '') || a.source.localeCompare(b.source);

/** Groups hosts by their verdict's class; the remedies of a group are listed once each, most hosts first. */
export function groupFleet(input: FleetInput, now: Date = new Date()): FleetReport {
  const buckets = new Map<FailClass, FleetHost[]>(FAIL_CLASSES.map((c) => [c, []]));
  const clean: FleetHost[] = [];
  for (const h of input.hosts) {
    if (h.verdict) buckets.get(h.verdict.class)!.push(h);
    else clean.push(h);
  }
  const groups = FAIL_CLASSES.map((cls): FleetGroup => {
    const hosts = buckets.get(cls)!.sort(byName);
    const remedies = new Map<string, SharedRemedy>();
    hosts.forEach((h, i) => {
      const key = JSON.stringify(h.verdict!.remedy);
      const r = remedies.get(key) ?? { remedy: h.verdict!.remedy, hosts: [] };
      r.hosts.push(i);
      remedies.set(key, r);
    });
    return {
      class: cls,
      hosts,
      remedies: [...remedies.values()].sort((a, b) => b.hosts.length - a.hosts.length),
      derived: hosts.filter((h) => h.verdict!.derived).length,
    };
  });
  return {
    generatedAt: now.toISOString(),
    total: input.hosts.length,
    groups,
    clean: clean.sort(byName),
    apart: [...input.apart].sort((a, b) => a.source.localeCompare(b.source)),
  };
}
