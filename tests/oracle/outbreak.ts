/**
 * The outbreak oracle: DESIGN.md's "Outbreak semantics" transcribed as directly as possible over
 * an in-memory list of passages, quadratic on purpose, sharing no code with engine/outbreak (nor
 * with tests/oracle/trace.ts). Where DESIGN.md is silent it follows the decisions written in
 * engine/outbreak/assemble.ts:
 * - a generation-1 contact counts for case c of its source person when its time lies in
 *   [from_c, min(to_c, until)];
 * - naive mode: Fk contacts count from the outbreak's `from` (the earliest from_c), an Fk has every
 *   case of every via at the earliest contact with a via that has it, and a link of generation
 *   g + 1 needs a contact at or after that `from`;
 * - links go up to generation depth + 1; a link keeps the smallest generation, then the earliest
 *   contact, then the smallest source passage id, then the smallest target passage id;
 * - clusters are connected components of two cases or more; index = earliest from, then case id;
 *   id = "cl-" + index; in the order of their index cases.
 */

import type { OraclePassage } from './trace';

export interface OracleCase {
  readonly caseId: string;
  readonly person: string;
  readonly confirmedAt: number;
  readonly onsetAt?: number;
  readonly infectiousFrom?: number;
  readonly infectiousTo?: number;
}

export interface OracleOutbreakParams {
  readonly cases: readonly OracleCase[];
  readonly until?: number;
  readonly depth?: number;
  readonly toleranceSeconds?: number;
  readonly mode?: 'time-respecting' | 'naive';
  /** "only close co-locations count, at every generation" (links too: "in close-only mode links need close contacts"). */
  readonly closeOnly?: boolean;
  /** Default 900. */
  readonly closeSeconds?: number;
}

export interface OracleOutbreakPerson {
  readonly id: string;
  readonly generation: number;
  readonly exposureAt: number;
  readonly via: string[];
  readonly contacts: number;
  readonly overlapMs: number;
  /** [caseId, exposure_c], in no particular order. */
  readonly cases: [string, number][];
  /** Any contact into them is close. */
  readonly close: boolean;
}

export interface OracleOutbreakContact {
  readonly source: string;
  readonly target: string;
  readonly stationId: string;
  readonly at: number;
  readonly overlapMs: number;
  readonly generation: number;
  readonly passages: [string, string];
  readonly close: boolean;
}

export interface OracleLink {
  readonly from: string;
  readonly to: string;
  readonly generation: number;
  readonly at: number;
  readonly stationId: string;
  readonly overlapMs: number;
  readonly passages: [string, string];
  readonly via?: string;
  /** The class of its evidence contact. */
  readonly close: boolean;
}

export interface OracleCluster {
  readonly id: string;
  readonly index: string;
  readonly cases: string[];
}

export interface OracleOutbreakResult {
  readonly people: OracleOutbreakPerson[];
  readonly contacts: OracleOutbreakContact[];
  readonly links: OracleLink[];
  readonly clusters: OracleCluster[];
}

const TWO_DAYS = 2 * 24 * 3600 * 1000;

/** "Without an explicit period: from (onsetAt ?? confirmedAt) − 2 days to confirmedAt." */
export function oraclePeriod(c: OracleCase): { from: number; to: number } {
  const from = c.infectiousFrom !== undefined ? c.infectiousFrom : (c.onsetAt !== undefined ? c.onsetAt : c.confirmedAt) - TWO_DAYS;
  const to = c.infectiousTo !== undefined ? c.infectiousTo : c.confirmedAt;
  return { from, to };
}

export function referenceOutbreak(passages: readonly OraclePassage[], q: OracleOutbreakParams): OracleOutbreakResult {
  const tau = (q.toleranceSeconds ?? 900) * 1000;
  const depth = q.depth ?? 2;
  const naive = q.mode === 'naive';
  const periods = new Map(q.cases.map((c) => [c.caseId, oraclePeriod(c)]));
  const fromOf = (c: OracleCase): number => periods.get(c.caseId)!.from;
  const toOf = (c: OracleCase): number => periods.get(c.caseId)!.to;
  const until = q.until !== undefined ? q.until : Math.max(...q.cases.map(toOf));
  const outbreakFrom = Math.min(...q.cases.map(fromOf));
  const casePeople = q.cases.map((c) => c.person);
  const isCasePerson = (id: string): boolean => casePeople.includes(id);

  const closeMs = (q.closeSeconds ?? 900) * 1000;
  const overlap = (a: OraclePassage, b: OraclePassage): number => Math.max(0, Math.min(a.leftAt, b.leftAt) - Math.max(a.at, b.at));
  // Close-only: a co-location counts only when it is a close one.
  const coLocated = (a: OraclePassage, b: OraclePassage): boolean =>
    a.station === b.station && a.person !== b.person && b.at <= a.leftAt + tau && b.leftAt >= a.at - tau && (q.closeOnly !== true || overlap(a, b) >= closeMs);
  const contactTime = (a: OraclePassage, b: OraclePassage): number => Math.max(a.at, b.at);

  const generationOf = new Map<string, number>();
  const exposureOf = new Map<string, number>();
  /** person → case → exposure_c */
  const casesOf = new Map<string, Map<string, number>>();
  const people: OracleOutbreakPerson[] = [];
  const contacts: OracleOutbreakContact[] = [];
  let previous: string[] = [];

  for (let k = 1; k <= depth; k++) {
    const found: OracleOutbreakContact[] = [];
    const reached = new Map<string, Map<string, number>>();
    const reach = (person: string, caseId: string, at: number): void => {
      if (!reached.has(person)) reached.set(person, new Map());
      const m = reached.get(person)!;
      if (!m.has(caseId) || at < m.get(caseId)!) m.set(caseId, at);
    };
    if (k === 1) {
      // F1: a co-location with a passage of some case c at a contact time in [from_c, min(to_c, until)].
      for (const a of passages) {
        for (const b of passages) {
          if (!coLocated(a, b) || isCasePerson(b.person)) continue;
          const t = contactTime(a, b);
          const counting = q.cases.filter((c) => c.person === a.person && t >= fromOf(c) && t <= Math.min(toOf(c), until));
          if (counting.length === 0) continue;
          found.push({ source: a.person, target: b.person, stationId: a.station, at: t, overlapMs: overlap(a, b), generation: 1, passages: [a.id, b.id], close: overlap(a, b) >= closeMs });
          for (const c of counting) reach(b.person, c.caseId, t);
        }
      }
    } else {
      for (const p of previous) {
        for (const a of passages) {
          if (a.person !== p) continue;
          for (const b of passages) {
            if (!coLocated(a, b) || isCasePerson(b.person) || generationOf.has(b.person)) continue;
            const t = contactTime(a, b);
            const earliest = naive ? outbreakFrom : exposureOf.get(p)!;
            if (t < earliest || t > until) continue;
            found.push({ source: p, target: b.person, stationId: a.station, at: t, overlapMs: overlap(a, b), generation: k, passages: [a.id, b.id], close: overlap(a, b) >= closeMs });
            // "An Fk has case c when some via v has c and met them at or after v's exposure_c."
            for (const [caseId, exposure] of casesOf.get(p)!) if (naive || t >= exposure) reach(b.person, caseId, t);
          }
        }
      }
    }
    const next: string[] = [];
    for (const c of found) if (!next.includes(c.target)) next.push(c.target);
    for (const id of next) {
      const into = found.filter((c) => c.target === id);
      const exposureAt = Math.min(...into.map((c) => c.at));
      people.push({
        id,
        generation: k,
        exposureAt,
        via: [...new Set(into.map((c) => c.source))].sort(),
        contacts: into.length,
        overlapMs: into.reduce((s, c) => s + c.overlapMs, 0),
        cases: [...reached.get(id)!],
        close: into.some((c) => c.close),
      });
      generationOf.set(id, k);
      exposureOf.set(id, exposureAt);
      casesOf.set(id, reached.get(id)!);
    }
    contacts.push(...found);
    previous = next;
  }

  // Links c′ → c between cases of two different people, not after c.confirmedAt nor until.
  const candidates: OracleLink[] = [];
  for (const cFrom of q.cases) {
    for (const cTo of q.cases) {
      if (cFrom.person === cTo.person) continue;
      const latest = Math.min(cTo.confirmedAt, until);
      // Generation 1: c's person met c′'s person at a contact time in [from_c′, to_c′].
      for (const a of passages) {
        if (a.person !== cFrom.person) continue;
        for (const b of passages) {
          if (b.person !== cTo.person || !coLocated(a, b)) continue;
          const t = contactTime(a, b);
          if (t < fromOf(cFrom) || t > toOf(cFrom) || t > latest) continue;
          candidates.push({ from: cFrom.caseId, to: cTo.caseId, generation: 1, at: t, stationId: a.station, overlapMs: overlap(a, b), passages: [a.id, b.id], close: overlap(a, b) >= closeMs });
        }
      }
      // Generation g + 1: c's person met a listed person p of generation g who has c′, at or after p's exposure_c′.
      for (const p of people) {
        const exposure = p.cases.find(([id]) => id === cFrom.caseId);
        if (exposure === undefined) continue;
        const earliest = naive ? outbreakFrom : exposure[1];
        for (const a of passages) {
          if (a.person !== p.id) continue;
          for (const b of passages) {
            if (b.person !== cTo.person || !coLocated(a, b)) continue;
            const t = contactTime(a, b);
            if (t < earliest || t > latest) continue;
            candidates.push({
              from: cFrom.caseId,
              to: cTo.caseId,
              generation: p.generation + 1,
              at: t,
              stationId: a.station,
              overlapMs: overlap(a, b),
              passages: [a.id, b.id],
              via: p.id,
              close: overlap(a, b) >= closeMs,
            });
          }
        }
      }
    }
  }
  const links: OracleLink[] = [];
  for (const l of candidates) {
    const i = links.findIndex((x) => x.from === l.from && x.to === l.to);
    if (i < 0) links.push(l);
    else if (precedes(l, links[i]!)) links[i] = l;
  }

  // Clusters: the cases connected by links in either direction.
  const clusters: OracleCluster[] = [];
  const placed = new Set<string>();
  const ordered = [...q.cases].sort((x, y) => fromOf(x) - fromOf(y) || (x.caseId < y.caseId ? -1 : x.caseId > y.caseId ? 1 : 0));
  for (const start of ordered) {
    if (placed.has(start.caseId)) continue;
    const members = [start.caseId];
    for (let i = 0; i < members.length; i++) {
      for (const l of links) {
        const other = l.from === members[i] ? l.to : l.to === members[i] ? l.from : undefined;
        if (other !== undefined && !members.includes(other)) members.push(other);
      }
    }
    for (const m of members) placed.add(m);
    // `ordered` is by (from, caseId), so the first member met is the index case.
    if (members.length >= 2) clusters.push({ id: `cl-${start.caseId}`, index: start.caseId, cases: members.sort() });
  }
  return { people, contacts, links, clusters };
}

function precedes(x: OracleLink, y: OracleLink): boolean {
  if (x.generation !== y.generation) return x.generation < y.generation;
  if (x.at !== y.at) return x.at < y.at;
  if (x.passages[0] !== y.passages[0]) return x.passages[0] < y.passages[0];
  return x.passages[1] < y.passages[1];
}
