import { performance } from 'node:perf_hooks';
import { unknownPeople } from '../db/people';
import { readStatements, type QueryOptions } from '../db/driver';
import { notFound } from '../errors';
import { assembleGeneration, type Edge, type Reached } from '../trace/assemble';
import { edgesFromFrontier, frontierPassages, traceTooLarge, type EdgeFate, type FrontierEntry } from '../trace/queries';
import { DEFAULT_MAX_CONTACTS } from '../trace/trace';
import type { OutbreakParams, OutbreakResult } from '../types';
import { addLinks, attributeCases, inSomeWindow, outbreakResultOf, pairWithCasePersons, shapeOutbreak, type CaseContext, type CaseTimes, type Link, type ShapedOutbreak } from './assemble';
import { casesByPerson, resolveOutbreakParams, type ResolvedOutbreak } from './cases';

export interface OutbreakOptions extends QueryOptions {
  /** The contact budget, as a single trace's (TraceOptions.maxContacts): default DEFAULT_MAX_CONTACTS, Infinity for none. */
  readonly maxContacts?: number;
  /** Called after each generation's read, and after the link round (an asynchronous job's progress). */
  readonly onGeneration?: (progress: OutbreakProgress) => void;
}

export interface OutbreakProgress {
  /** The generation just read; depth + 1 is the link round. */
  readonly generation: number;
  readonly depth: number;
  /** Totals so far. */
  readonly people: number;
  readonly contacts: number;
  readonly links: number;
}

/** An outbreak trace's generations before shaping. */
export interface OutbreakGenerations {
  readonly people: Reached[];
  /** Each listed person's cases with exposure_c. */
  readonly casesOf: Map<string, CaseTimes>;
  readonly contacts: Edge[];
  /** Keyed by `from`, NUL, `to`. */
  readonly links: Map<string, Link>;
}

/**
 * Traces many cases at once (DESIGN.md, "Outbreak semantics"): ONE generation-by-generation trace
 * whose F0 is the set of the case persons, each generation's two reads shared by every case (the
 * single trace's read path, engine/trace/queries.ts), then a link round. Per generation:
 *
 * - Round 1: the frontier is the distinct case persons, each from the earliest `from` of their
 *   cases, up to the latest min(to, until) of all cases; each edge is then kept only when its
 *   contact time lies in [from_c, min(to_c, until)] of one of its source's cases.
 * - Round k ≥ 2: exactly the single trace's (from each F(k−1) person's exposure, or from the
 *   outbreak's `from` in naive mode, up to `until`).
 * - Case persons are never listed and never in `seen`: an edge into one is set aside as a link
 *   candidate of generation k (assemble.ts, addLinks), and self edges are dropped.
 * - The link round (generation depth + 1) reads only the last generation's passages and the
 *   case persons' passages (two FRONTIER statements) and pairs them in JS: no candidates read.
 *
 * With one case it lists exactly that case's single trace's people and contacts. Throws
 * TruyvetError: invalid_input for bad parameters or a trace past its contact budget, not_found
 * when a case's person is not in the graph.
 */
export async function outbreakTrace(params: OutbreakParams, options: OutbreakOptions = {}): Promise<OutbreakResult> {
  return outbreakResultOf(await outbreakTraceShaped(params, options));
}

/** outbreakTrace() before its people, contacts and links become objects: what storage and paging start from. */
export async function outbreakTraceShaped(params: OutbreakParams, options: OutbreakOptions = {}): Promise<ShapedOutbreak> {
  const started = performance.now();
  const p = resolveOutbreakParams(params);
  const g = await outbreakGenerations(p, options);
  return shapeOutbreak(p, g.people, g.casesOf, g.contacts, g.links.values(), Math.round(performance.now() - started));
}

/** The generations and links of a resolved outbreak trace, before shaping. */
export async function outbreakGenerations(p: ResolvedOutbreak, options: OutbreakOptions = {}): Promise<OutbreakGenerations> {
  const maxContacts = options.maxContacts ?? DEFAULT_MAX_CONTACTS;
  const byPerson = casesByPerson(p.cases);
  const ctx: CaseContext = { byPerson, until: p.until, naive: p.mode === 'naive' };
  const seen: string[] = [];
  const people: Reached[] = [];
  const contacts: Edge[] = [];
  const casesOf = new Map<string, CaseTimes>();
  const links = new Map<string, Link>();
  const progress = (generation: number): void => options.onGeneration?.({ generation, depth: p.depth, people: people.length, contacts: contacts.length, links: links.size });

  // Round 1 from every case person; `sources` collects who had any passage pair at all.
  const sources = new Set<string>();
  let firstHi = -Infinity;
  for (const c of p.cases) firstHi = Math.max(firstHi, Math.min(c.to, p.until));
  const first = (e: Edge): EdgeFate => {
    sources.add(e.source);
    if (e.source === e.target || !inSomeWindow(byPerson.get(e.source)!, e.at, p.until)) return 'drop';
    return byPerson.has(e.target) ? 'aside' : 'contact';
  };
  const later = (e: Edge): EdgeFate => (byPerson.has(e.target) ? 'aside' : 'contact');
  let frontier: FrontierEntry[] = [...byPerson].map(([pid, cs]) => ({ pid, since: Math.min(...cs.map((c) => c.from)) }));

  let k = 1;
  for (; k <= p.depth && frontier.length > 0; k++) {
    const hi = k === 1 ? firstHi : p.until;
    const read = await edgesFromFrontier({ generation: k, frontier, hi, tolMs: p.tolMs, seen, maxContacts: maxContacts - contacts.length, classify: k === 1 ? first : later }, options);
    if (contacts.length + read.contacts.length > maxContacts) throw traceTooLarge(maxContacts);
    if (k === 1) await checkCasePeople(p, byPerson, sources, options);
    const gen = assembleGeneration(k, read.contacts);
    // Links of generation k come from people of generation k − 1, whose cases are known already.
    addLinks(links, read.aside, ctx, casesOf);
    for (const [id, times] of attributeCases(k, read.contacts, ctx, casesOf)) casesOf.set(id, times);
    // Loops, not push(...xs): a generation can hold more contacts than a call has argument slots.
    for (const r of gen.people) {
      people.push(r);
      seen.push(r.id);
    }
    for (const e of read.contacts) contacts.push(e);
    frontier = gen.people.map((r) => ({ pid: r.id, since: ctx.naive ? p.from : r.exposureAt }));
    progress(k);
  }

  if (k === p.depth + 1 && frontier.length > 0) {
    // A link is never after its target's confirmation: no passage later than the last one matters.
    let hi = -Infinity;
    for (const c of p.cases) hi = Math.max(hi, Math.min(c.confirmedAt, p.until));
    let since = Infinity;
    for (const f of frontier) since = Math.min(since, f.since);
    const caseFrontier = [...byPerson.keys()].map((pid) => ({ pid, since }));
    const last = frontier;
    const [fromLast, ofCases] = await readStatements(
      async (run) => [await frontierPassages(run, last, hi, p.tolMs), await frontierPassages(run, caseFrontier, hi, p.tolMs)] as const,
      options,
    );
    addLinks(links, pairWithCasePersons(k, fromLast, ofCases, hi, p.tolMs), ctx, casesOf);
    progress(k);
  }
  return { people, casesOf, contacts, links };
}

/** A case whose person the graph does not know is a mistake in the request (a single trace answers not_found too). */
async function checkCasePeople(p: ResolvedOutbreak, byPerson: ReadonlyMap<string, unknown>, sources: ReadonlySet<string>, options: QueryOptions): Promise<void> {
  const unsure = [...byPerson.keys()].filter((pid) => !sources.has(pid));
  const unknown = new Set(await unknownPeople(unsure, options));
  if (unknown.size === 0) return;
  const ids = p.cases.filter((c) => unknown.has(c.personId)).map((c) => c.caseId);
  const shown = ids.slice(0, 5).map((id) => `'${id}'`).join(', ');
  throw notFound(`no such person in the graph for case${ids.length > 1 ? 's' : ''} ${shown}${ids.length > 5 ? ` and ${ids.length - 5} more` : ''}`);
}
