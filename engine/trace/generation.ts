import { withContactReads, type FrontierSeek, type QueryOptions, type StatementRunner } from '../db/contacts';
import type { Edge } from './assemble';
import { candidateCells, minOverlapOf, pairing, type EdgeFate, type FrontierPassage } from './pairing';

/**
 * One generation of a trace: the frontier's passages and the candidate cells around them are
 * read by engine/db/contacts.ts, the pairing is pure (pairing.ts). Candidates reach the pairing
 * one statement's records at a time, so memory holds the edges, not the passages read.
 */

export interface FrontierEntry extends FrontierSeek {
  readonly pid: string;
  /** Contacts before this instant (ms) do not count for this person. */
  readonly since: number;
}

export interface GenerationQuery {
  /** k of the Fk this query finds (its edges carry it). */
  readonly generation: number;
  readonly frontier: readonly FrontierEntry[];
  /** Latest contact time that counts (ms). */
  readonly hi: number;
  readonly tolMs: number;
  /**
   * A close-only generation: only pairs together at least this long (ms) count, and the reads
   * skip what cannot be part of one (pairing.ts, candidateCells). Undefined: every co-location.
   */
  readonly closeMs?: number | undefined;
  /** People who can no longer be reached: F0, earlier generations and the frontier. */
  readonly seen: readonly string[];
  /**
   * Most contact rows this generation may return (the trace's remaining budget); past it, an
   * invalid_input error instead of a result too large to hold. Unlimited when undefined.
   */
  readonly maxContacts?: number;
  /**
   * What becomes of each edge found, decided before it counts against maxContacts: a contact
   * (every edge, when absent), set aside (returned apart, not counted) or dropped. The outbreak
   * trace (engine/outbreak) sets aside edges into case persons, its link candidates, and keeps
   * F1 edges only inside the windows of the source's cases.
   */
  readonly classify?: (e: Edge) => EdgeFate;
}

/** A generation's edges: its contacts, and those `classify` set aside. */
export interface GenerationEdges {
  readonly contacts: Edge[];
  readonly aside: Edge[];
}

/**
 * Every qualifying contact edge from the frontier to a person not yet in the trace. `read`
 * replaces the statement runner (the benchmark's PROFILE).
 */
export async function contactsFromFrontier(q: GenerationQuery, options: QueryOptions = {}, read?: StatementRunner): Promise<Edge[]> {
  return (await edgesFromFrontier(q, options, read)).contacts;
}

/** contactsFromFrontier() with the edges `q.classify` set aside returned too. */
export async function edgesFromFrontier(q: GenerationQuery, options: QueryOptions = {}, read?: StatementRunner): Promise<GenerationEdges> {
  if (q.frontier.length === 0) return { contacts: [], aside: [] };
  const minOverlapMs = minOverlapOf(q.tolMs, q.closeMs);
  return withContactReads(async (reads) => {
    const byStation = new Map<string, FrontierPassage[]>();
    await reads.frontierPassages(q.frontier, q.hi, minOverlapMs, (i, ids, stations, ats, lefts) => {
      const f = q.frontier[i]!;
      for (let n = 0; n < ids.length; n++) {
        const a: FrontierPassage = { src: f.pid, since: f.since, id: ids[n]!, at: ats[n]!, leftAt: lefts[n]! };
        const list = byStation.get(stations[n]!);
        if (list) list.push(a);
        else byStation.set(stations[n]!, [a]);
      }
    });
    const cells = candidateCells(byStation, q.hi, q.tolMs, q.closeMs);
    if (cells.length === 0) return { contacts: [], aside: [] };
    const pairs = pairing({ generation: q.generation, hi: q.hi, tolMs: q.tolMs, closeMs: q.closeMs, seen: q.seen, maxContacts: q.maxContacts ?? Infinity, classify: q.classify }, byStation);
    await reads.cellPassages(cells, minOverlapMs, (c, pids, ids, ats, lefts) => pairs.add(cells[c]![0], pids, ids, ats, lefts));
    return { contacts: pairs.edges, aside: pairs.aside };
  }, options, read);
}
