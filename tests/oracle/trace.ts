/**
 * The test oracle: DESIGN.md's trace semantics transcribed as directly as possible, over an
 * in-memory list of passages, with no index, bucket or cleverness (quadratic on purpose). It
 * shares no code with engine/trace: a bug has to be made twice, in two different ways, to pass
 * the differential tests.
 */

export interface OraclePassage {
  readonly id: string;
  readonly person: string;
  readonly station: string;
  readonly at: number;
  /** Equals `at` for a point scan. */
  readonly leftAt: number;
}

export interface OracleParams {
  readonly f0: string;
  readonly from: number;
  readonly to: number;
  readonly until?: number;
  readonly depth?: number;
  readonly toleranceSeconds?: number;
  readonly mode?: 'time-respecting' | 'naive';
  /** "only close co-locations count, at every generation" */
  readonly closeOnly?: boolean;
  /** Default 900. */
  readonly closeSeconds?: number;
}

export interface OraclePerson {
  readonly id: string;
  readonly generation: number;
  readonly exposureAt: number;
  readonly via: string[];
  readonly contacts: number;
  /** Sum of the overlap of those contacts, in ms. */
  readonly overlapMs: number;
  /** "a person is close when any contact that reached them is" */
  readonly close: boolean;
}

export interface OracleContact {
  readonly source: string;
  readonly target: string;
  readonly stationId: string;
  readonly at: number;
  readonly overlapMs: number;
  readonly generation: number;
  readonly passages: [string, string];
  /** "close when its overlap … is at least closeSeconds" */
  readonly close: boolean;
}

export interface OracleResult {
  readonly people: OraclePerson[];
  readonly contacts: OracleContact[];
}

export function referenceTrace(passages: readonly OraclePassage[], q: OracleParams): OracleResult {
  const tau = (q.toleranceSeconds ?? 900) * 1000;
  const until = q.until ?? q.to;
  const depth = q.depth ?? 2;
  const mode = q.mode ?? 'time-respecting';
  const closeMs = (q.closeSeconds ?? 900) * 1000;
  const overlapOf = (a: OraclePassage, b: OraclePassage): number => Math.max(0, Math.min(a.leftAt, b.leftAt) - Math.max(a.at, b.at));

  // "the intervals overlap once a is widened by τ on both sides"
  const coLocated = (a: OraclePassage, b: OraclePassage): boolean =>
    a.station === b.station && a.person !== b.person && b.at <= a.leftAt + tau && b.leftAt >= a.at - tau;

  const generationOf = new Map<string, number>([[q.f0, 0]]);
  const exposureOf = new Map<string, number>();
  const people: OraclePerson[] = [];
  const contacts: OracleContact[] = [];
  let previous = [q.f0];

  for (let k = 1; k <= depth; k++) {
    const found: OracleContact[] = [];
    for (const p of previous) {
      for (const a of passages) {
        if (a.person !== p) continue;
        for (const b of passages) {
          if (!coLocated(a, b)) continue;
          // "then only close co-locations count, at every generation"
          if (q.closeOnly === true && overlapOf(a, b) < closeMs) continue;
          if (generationOf.has(b.person)) continue; // F0 or already in an earlier generation
          const contactAt = Math.max(a.at, b.at);
          let earliest: number;
          let latest: number;
          if (k === 1) {
            earliest = q.from;
            latest = Math.min(q.to, until);
          } else if (mode === 'naive') {
            earliest = q.from;
            latest = until;
          } else {
            earliest = exposureOf.get(p)!; // at or after p's own exposure
            latest = until;
          }
          if (contactAt < earliest || contactAt > latest) continue;
          const overlapMs = overlapOf(a, b);
          found.push({ source: p, target: b.person, stationId: a.station, at: contactAt, overlapMs, generation: k, passages: [a.id, b.id], close: overlapMs >= closeMs });
        }
      }
    }
    const next: string[] = [];
    for (const c of found) {
      if (!next.includes(c.target)) next.push(c.target);
    }
    for (const id of next) {
      const into = found.filter((c) => c.target === id);
      const exposureAt = Math.min(...into.map((c) => c.at));
      const via = [...new Set(into.map((c) => c.source))].sort();
      people.push({ id, generation: k, exposureAt, via, contacts: into.length, overlapMs: into.reduce((s, c) => s + c.overlapMs, 0), close: into.some((c) => c.close) });
      generationOf.set(id, k);
      exposureOf.set(id, exposureAt);
    }
    contacts.push(...found);
    previous = next;
  }
  return { people, contacts };
}
