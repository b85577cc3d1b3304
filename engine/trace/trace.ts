import { performance } from 'node:perf_hooks';
import type { QueryOptions } from '../db/contacts';
import { personExists } from '../db/people';
import { notFound } from '../errors';
import type { TraceParams, TraceResult } from '../types';
import { assembleGeneration, resultOf, shapeTrace, type Edge, type Reached, type ShapedTrace } from './assemble';
import { resolveTraceParams, type ResolvedTrace } from './params';
import { weighTrust } from './trust';
import { contactsFromFrontier, type FrontierEntry, type GenerationQuery } from './generation';
import { traceTooLarge } from './pairing';

export type GenerationRunner = (q: GenerationQuery, options: QueryOptions) => Promise<Edge[]>;

export interface TraceOptions extends QueryOptions {
  /** How one generation's contacts are found; the benchmark swaps in a profiling or DuckDB runner. */
  readonly runGeneration?: GenerationRunner;
  /**
   * Most contact edges a trace may gather before it stops with invalid_input ("too large to
   * answer"): every edge is held in memory and returned, and a long period at depth 2 in a dense
   * city can reach most of it. Default DEFAULT_MAX_CONTACTS; Infinity for none.
   */
  readonly maxContacts?: number;
  /**
   * Told as each generation starts and once the last has ended (people and contacts found so far),
   * so a waiting tracer sees the trace move (api/trace-progress.ts). Must not throw.
   */
  readonly onGeneration?: (p: GenerationProgress) => void;
}

/** How far a trace has come: generation k is being searched (or, when `done`, the search has ended). */
export interface GenerationProgress {
  readonly toleranceSeconds: number;
  readonly generation: number;
  readonly people: number;
  readonly contacts: number;
  readonly done: boolean;
}

/** About 1 GB of memory in a trace's working set; far beyond what a tracer can read. */
export const DEFAULT_MAX_CONTACTS = 2_000_000;

/**
 * Traces F1…Fd of a case in Neo4j (DESIGN.md, "Core semantics"), one query per generation:
 *
 * - F1: contacts with F0's passages at contact times in [from, min(to, until)].
 * - Fk, k ≥ 2: contacts with an F(k−1) person p at contact times in [exposureAt(p), until]
 *   (time-respecting), or in [from, until] (naive).
 * - closeOnly: only close co-locations (together at least closeSeconds) count, at every
 *   generation; the reads then skip what cannot be part of one (pairing.ts, candidateCells).
 * - A person is placed at the first generation that reaches them; F0 is never in `people`.
 * - exposureAt = the earliest qualifying contact time into the person in that generation;
 *   via = every F(k−1) person with at least one such contact; `contacts` lists every such
 *   contact edge (each pair of passages once), not only the earliest.
 *
 * Ids in and out are the graph's pseudonymous person keys. Throws TruyvetError: invalid_input for
 * bad parameters, not_found for an F0 the graph does not know. An F0 without passages in the
 * period gets an empty, valid result.
 */
export async function trace(params: TraceParams, options: TraceOptions = {}): Promise<TraceResult> {
  return resultOf(await traceShaped(params, options));
}

/** trace() before its people and contacts become objects (assemble.ts, ShapedTrace): what the API stores and pages. */
export async function traceShaped(params: TraceParams, options: TraceOptions = {}): Promise<ShapedTrace> {
  const started = performance.now();
  const p = resolveTraceParams(params);
  const { people, contacts } = await traceGenerations(p, options);
  const trusted = await weighTrust(people, contacts, p.tolMs, options);
  return shapeTrace(p, trusted.people, contacts, Math.round(performance.now() - started), trusted.national);
}

/** The generations of a resolved trace, before shaping; shared with the sensitivity panel. */
export async function traceGenerations(p: ResolvedTrace, options: TraceOptions = {}): Promise<{ people: Reached[]; contacts: Edge[] }> {
  const run = options.runGeneration ?? contactsFromFrontier;
  const maxContacts = options.maxContacts ?? DEFAULT_MAX_CONTACTS;
  const seen = [p.f0];
  const people: Reached[] = [];
  const contacts: Edge[] = [];
  let frontier: FrontierEntry[] = [{ pid: p.f0, since: p.from }];
  const tell = (generation: number, done: boolean) =>
    options.onGeneration?.({ toleranceSeconds: p.toleranceSeconds, generation, people: people.length, contacts: contacts.length, done });
  let k = 1;
  for (; k <= p.depth && frontier.length > 0; k++) {
    // A cancelled trace stops here too (and before each statement: QueryOptions.signal).
    options.signal?.throwIfAborted();
    tell(k, false);
    const hi = k === 1 ? Math.min(p.to, p.until) : p.until;
    const rows = await run({ generation: k, frontier, hi, tolMs: p.tolMs, closeMs: p.closeOnly ? p.closeMs : undefined, seen, maxContacts: maxContacts - contacts.length }, options);
    if (contacts.length + rows.length > maxContacts) throw traceTooLarge(maxContacts);
    if (k === 1 && rows.length === 0 && !(await personExists(p.f0, options))) throw notFound(`unknown F0 '${p.f0}': no such person in the graph`);
    const gen = assembleGeneration(k, rows);
    // Loops, not push(...xs): a generation can hold more contacts than a call has argument slots.
    for (const r of gen.people) {
      people.push(r);
      seen.push(r.id);
    }
    for (const c of gen.contacts) contacts.push(c);
    frontier = gen.people.map((r) => ({ pid: r.id, since: p.mode === 'naive' ? p.from : r.exposureAt }));
  }
  options.signal?.throwIfAborted();
  tell(Math.max(1, k - 1), true);
  return { people, contacts };
}
