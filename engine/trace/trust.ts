import { nationalPassagesAt, type QueryOptions } from '../db/contacts';
import type { Edge, Reached } from './assemble';

/**
 * Lower-trust evidence in a trace. A passage from a scan of the national QR code carries
 * `trust: 'national'` (engine/scan): the code has no signature and was checked only against the
 * registry. A contact resting on such a passage is marked (TraceContact.trust) and weighs half
 * in its target's score (scoring.ts).
 *
 * The generations' reads (engine/db/contacts.ts) touch index entries only, and `trust` is not in
 * their indexes: reading it there would cost a node-store read per passage on the hot path.
 * National passages are few, so once the generations are done, one statement reads the national
 * passages at the result's stations and times on their own index (trust, station, at, id:
 * nationalPassagesAt), and the edges are marked in memory. A national passage is a checkpoint scan, a point (at = leftAt; nothing
 * else writes `trust`), so in an edge with contact time c it starts in [c − τ, c]: per station,
 * [earliest contact − τ, latest contact] holds every one that can be in an edge.
 */
/** The ids of the national-QR passages that can be in these edges (a superset; markNational keeps the used ones). */
export async function nationalPassages(contacts: readonly Edge[], tolMs: number, options: QueryOptions = {}): Promise<Set<string>> {
  const bounds = new Map<string, [number, number]>();
  for (let i = 0; i < contacts.length; i++) {
    const e = contacts[i]!;
    const b = bounds.get(e.stationId);
    if (b === undefined) bounds.set(e.stationId, [e.at, e.at]);
    else {
      if (e.at < b[0]) b[0] = e.at;
      if (e.at > b[1]) b[1] = e.at;
    }
  }
  return nationalPassagesAt(
    [...bounds].map(([station, [lo, hi]]) => [station, lo - tolMs, hi] as const),
    options,
  );
}

/**
 * The people with their national evidence counted (the edges that reached each person and rest
 * on a national passage, and their overlap), and the national passages the edges use. Pure; a
 * person without such an edge is the same object.
 */
export function markNational(people: readonly Reached[], contacts: readonly Edge[], national: ReadonlySet<string>): { people: readonly Reached[]; national: Set<string> } {
  const used = new Set<string>();
  if (national.size === 0) return { people, national: used };
  const byTarget = new Map<string, { contacts: number; overlapMs: number }>();
  for (let i = 0; i < contacts.length; i++) {
    const e = contacts[i]!;
    const a = national.has(e.passages[0]);
    const b = national.has(e.passages[1]);
    if (!a && !b) continue;
    if (a) used.add(e.passages[0]);
    if (b) used.add(e.passages[1]);
    const t = byTarget.get(e.target) ?? { contacts: 0, overlapMs: 0 };
    t.contacts += 1;
    t.overlapMs += e.overlapMs;
    byTarget.set(e.target, t);
  }
  if (byTarget.size === 0) return { people, national: used };
  return {
    people: people.map((r) => {
      const t = byTarget.get(r.id);
      return t === undefined ? r : { ...r, nationalContacts: t.contacts, nationalOverlapMs: t.overlapMs };
    }),
    national: used,
  };
}

/** Both steps: what shapeTrace takes for a trace's lower-trust evidence. */
export async function weighTrust(people: readonly Reached[], contacts: readonly Edge[], tolMs: number, options: QueryOptions = {}): Promise<{ people: readonly Reached[]; national: Set<string> }> {
  return markNational(people, contacts, await nationalPassages(contacts, tolMs, options));
}
