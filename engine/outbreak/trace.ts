import { performance } from 'node:perf_hooks';
import { unknownPeople } from '../db/people';
import type { QueryOptions } from '../db/contacts';
import { notFound } from '../errors';
import { assembleGeneration, type Edge, type Reached } from '../trace/assemble';
import { edgesFromFrontier, type FrontierEntry } from '../trace/generation';
import { traceTooLarge, type EdgeFate } from '../trace/pairing';
import type { OutbreakParams, OutbreakResult } from '../types';
import { addLinks, attributeCases, caseContext, inSomeWindow, outbreakResultOf, shapeOutbreak, LinkTable, type CaseTimes, type ShapedOutbreak } from './assemble';
import { resolveOutbreakParams, type ResolvedOutbreak } from './cases';

/**
 * An outbreak's contact budget by default: a day of cases is many traces' worth of contacts. A
 * 1,000-case day at depth 1 on the 10M-passage city gathered 4.1 million (3.4 GB peak RSS,
 * docs/benchmarks.md, Outbreak), past a single trace's 2 million; 5 million, about 4 GB by that
 * rate (not measured at 5 million), is near Node's default heap (4.3 GB here). A bigger day needs
 * a bigger heap and budget: 5,000 cases took 12 GB.
 */
export const DEFAULT_OUTBREAK_MAX_CONTACTS = 5_000_000;

export interface OutbreakOptions extends QueryOptions {
  /** The contact budget (TraceOptions.maxContacts's meaning): default DEFAULT_OUTBREAK_MAX_CONTACTS, Infinity for none. */
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
  readonly links: LinkTable;
}

/**
 * Traces many cases at once (DESIGN.md, "Outbreak semantics"): ONE generation-by-generation trace
 * whose F0 is the set of the case persons, each generation's reads shared by every case (the
 * single trace's read path, engine/trace/queries.ts), then links and clusters (assemble.ts).
 *
 * - Round 1 reads from every case person at once; an edge is a contact when its time lies in
 *   [from_c, min(to_c, until)] of one of its source's cases.
 * - Round k ≥ 2 is exactly the single trace's (from each F(k−1) person's exposure, or from the
 *   outbreak's `from` in naive mode, up to `until`).
 * - closeOnly: every round reads close pairs only (the single trace's read path), so contacts and
 *   links alike rest on close contacts; otherwise each carries its class (close or brief).
 * - Case persons are never listed and never in `seen`: an edge into one is set aside as a link
 *   candidate of its generation (addLinks), and self edges are dropped.
 * - Links of generation depth + 1 (case persons met by the last generation) need no read of their
 *   own: round 1 reads each case person from the outbreak's `from` (the earliest anyone can be
 *   exposed) up to their latest confirmation, not only over their windows, and holds the edges
 *   outside the windows; the link round reads those, and the F1 contacts at depth 1, the other
 *   way round. Measured on a 20,000-person generated city, 50 cases, depth 1: reading the F1s'
 *   passages instead (13,000 people, 174,000 passages) took 0.7–1.3 s, more than round 1.
 *   Held edges count against the contact budget like contacts: they are held in memory too.
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
  const maxContacts = options.maxContacts ?? DEFAULT_OUTBREAK_MAX_CONTACTS;
  const ctx = caseContext(p.cases, p.until, p.mode === 'naive');
  const byPerson = ctx.byPerson;
  const seen: string[] = [];
  const people: Reached[] = [];
  const contacts: Edge[] = [];
  const casesOf = new Map<string, CaseTimes>();
  const links = new LinkTable();
  const progress = (generation: number): void => options.onGeneration?.({ generation, depth: p.depth, people: people.length, contacts: contacts.length, links: links.size });

  // Round 1. A case person's edges can make a link up to their latest confirmation (linkHi);
  // `sources` collects who had any passage pair at all (the others may be unknown to the graph).
  const linkHi = new Map<string, number>();
  let hi = -Infinity;
  for (const c of p.cases) {
    linkHi.set(c.personId, Math.max(linkHi.get(c.personId) ?? -Infinity, Math.min(c.confirmedAt, p.until)));
    hi = Math.max(hi, Math.min(c.to, p.until), Math.min(c.confirmedAt, p.until));
  }
  const sources = new Set<string>();
  const held: Edge[] = [];
  let firstContacts = 0;
  const first = (e: Edge): EdgeFate => {
    sources.add(e.source);
    if (e.source === e.target) return 'drop';
    const caseTarget = byPerson.has(e.target);
    if (inSomeWindow(ctx, e.source, e.at)) {
      if (!caseTarget) firstContacts++;
      return caseTarget ? 'aside' : 'contact';
    }
    if (caseTarget || e.at > linkHi.get(e.source)!) return 'drop';
    if (held.push(e) + firstContacts > maxContacts) throw traceTooLarge(maxContacts);
    return 'drop';
  };
  const later = (e: Edge): EdgeFate => (byPerson.has(e.target) ? 'aside' : 'contact');
  let frontier: FrontierEntry[] = [...byPerson.keys()].map((pid) => ({ pid, since: p.from }));

  let k = 1;
  for (; k <= p.depth && frontier.length > 0; k++) {
    const read = await edgesFromFrontier(
      {
        generation: k,
        frontier,
        hi: k === 1 ? hi : p.until,
        tolMs: p.tolMs,
        closeMs: p.closeOnly ? p.closeMs : undefined,
        seen,
        maxContacts: maxContacts - contacts.length - held.length,
        classify: k === 1 ? first : later,
      },
      options,
    );
    if (contacts.length + held.length + read.contacts.length > maxContacts) throw traceTooLarge(maxContacts);
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
    // The last generation's edges into case persons: the case persons' edges of round 1 read the
    // other way round. F1s met them in contacts (depth 1) or outside their windows; later
    // generations only outside them (inside, they would have been F1s).
    const sinceOf = new Map(frontier.map((f) => [f.pid, f.since]));
    const into: Edge[] = [];
    for (const list of p.depth === 1 ? [contacts, held] : [held]) {
      for (const e of list) {
        const since = sinceOf.get(e.target);
        if (since !== undefined && e.at >= since) into.push(e);
      }
    }
    addLinks(links, into, ctx, casesOf, k);
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
