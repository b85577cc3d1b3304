import type { Home, Identity, LoadedTrace, TraceContact, TracePage, TracePerson } from './types';

/**
 * Shaping of a trace result for the views: merging the API's pages, counting generations,
 * labelling people, collecting the evidence of one person. Pure.
 */

export function contactKey(c: TraceContact): string {
  return `${c.source}\u0000${c.target}\u0000${c.passages[0]}\u0000${c.passages[1]}`;
}

/** The pages of one trace, in any order, as one result (people keep the engine's order). */
export function mergePages(pages: readonly TracePage[]): LoadedTrace {
  const sorted = [...pages].sort((a, b) => a.page.number - b.page.number);
  const first = sorted[0];
  if (!first) throw new Error('no page to merge');
  const people: TracePerson[] = [];
  const seenPeople = new Set<string>();
  const contacts: TraceContact[] = [];
  const seenContacts = new Set<string>();
  const identities: Record<string, Identity> = {};
  const outside: Record<string, Home> = {};
  for (const p of sorted) {
    for (const person of p.people) {
      if (seenPeople.has(person.id)) continue;
      seenPeople.add(person.id);
      people.push(person);
    }
    for (const c of p.contacts) {
      const k = contactKey(c);
      if (seenContacts.has(k)) continue;
      seenContacts.add(k);
      contacts.push(c);
    }
    Object.assign(identities, p.identities);
    Object.assign(outside, p.outside ?? {});
  }
  return {
    id: first.id,
    f0: first.f0,
    params: first.params,
    people,
    contacts,
    identities,
    outside,
    stats: first.stats,
    requestRef: first.requestRef,
    purpose: first.purpose,
    createdAt: first.createdAt,
    truncated: first.truncated,
    peopleFound: first.peopleFound,
    totalPeople: first.page.totalPeople,
    ...(first.sensitivity ? { sensitivity: first.sensitivity } : {}),
  };
}

/** People per generation, 1 … depth, zeros included (F0 is not counted). */
export function generationCounts(trace: Pick<LoadedTrace, 'people' | 'params'>): Map<number, number> {
  const counts = new Map<number, number>();
  for (let g = 1; g <= trace.params.depth; g++) counts.set(g, 0);
  for (const p of trace.people) counts.set(p.generation, (counts.get(p.generation) ?? 0) + 1);
  return counts;
}

/** The person key the health authority knows (CCCD…), or a short form of the pseudonym. */
export function personKey(id: string, identities: Readonly<Record<string, Identity>>): string {
  return identities[id]?.rawKey ?? `#${id.slice(1, 9)}`;
}

/** "Nguyễn Văn A (079090005444)", or the key alone when the registry has no name. */
export function personLabel(id: string, identities: Readonly<Record<string, Identity>>): string {
  const key = personKey(id, identities);
  const name = identities[id]?.fullName;
  return name ? `${name} (${key})` : key;
}

export interface Evidence {
  /** Contacts through which the person was reached (they are the target), earliest first. */
  readonly reachedBy: readonly TraceContact[];
  /** Contacts through which the person reached others (they are the source), earliest first. */
  readonly reached: readonly TraceContact[];
}

const byTime = (a: TraceContact, b: TraceContact) => a.at.localeCompare(b.at) || a.stationId.localeCompare(b.stationId);

/** Contacts by target person, earliest first: how each person was reached. */
export function contactsInto(trace: Pick<LoadedTrace, 'contacts'>): Map<string, TraceContact[]> {
  const into = new Map<string, TraceContact[]>();
  for (const c of trace.contacts) {
    const list = into.get(c.target);
    if (list) list.push(c);
    else into.set(c.target, [c]);
  }
  for (const list of into.values()) list.sort(byTime);
  return into;
}

export function evidenceOf(trace: Pick<LoadedTrace, 'contacts'>, personId: string): Evidence {
  return {
    reachedBy: trace.contacts.filter((c) => c.target === personId).sort(byTime),
    reached: trace.contacts.filter((c) => c.source === personId).sort(byTime),
  };
}

/**
 * The path F0 → … → person along the contacts that set each exposure time (the earliest contact
 * into each person), F0 first. Just [F0] for F0; stops early if a link is missing (a page not loaded).
 */
export function chainTo(trace: Pick<LoadedTrace, 'f0' | 'people' | 'contacts'>, personId: string): string[] {
  const byId = new Map(trace.people.map((p) => [p.id, p]));
  const firstIn = new Map<string, TraceContact>();
  for (const c of trace.contacts) {
    const target = byId.get(c.target);
    const source = c.source === trace.f0 ? 0 : byId.get(c.source)?.generation;
    if (!target || source !== target.generation - 1) continue;
    const prev = firstIn.get(c.target);
    if (!prev || byTime(c, prev) < 0) firstIn.set(c.target, c);
  }
  const path = [personId];
  let at = personId;
  for (let guard = 0; at !== trace.f0 && guard < 64; guard++) {
    const c = firstIn.get(at);
    if (!c) break;
    path.push(c.source);
    at = c.source;
  }
  return path.reverse();
}
