import { contactsInto, personKey } from './result';
import type { LoadedTrace, TraceContact, TracePerson } from './types';

/**
 * The people list's search, filters and sort, over the whole loaded result (client-side: the
 * result is in memory; ~20,000 people filter and sort in a few milliseconds). Each person's
 * searchable text is folded once per trace (lower case, Vietnamese diacritics and đ removed), so
 * "nguyen van" finds "Nguyễn Văn". Pure.
 */

export type PeopleSort = 'list' | 'risk' | 'exposure' | 'name' | 'generation';
export const PEOPLE_SORTS: readonly PeopleSort[] = ['list', 'risk', 'exposure', 'name', 'generation'];

export type ContactClass = 'close' | 'brief';

/** What the list shows besides the generation (kept in the store, language-free). */
export interface ListFilter {
  /** Words to find in the name, person key, phone or home. */
  readonly text: string;
  readonly cls?: ContactClass;
  /** A home district (or ward) key, as `homeKey` gives it. */
  readonly district?: string;
  /** People reached at this station. */
  readonly station?: string;
  readonly minScore?: number;
  readonly sort: PeopleSort;
}

export const NO_FILTER: ListFilter = { text: '', sort: 'list' };

export function isFiltered(f: ListFilter): boolean {
  return f.text.trim() !== '' || f.cls !== undefined || f.district !== undefined || f.station !== undefined || f.minScore !== undefined;
}

/** The class the data gives (issue 25: `class` on people and contacts); undefined while the API has none. */
export function classOf(x: TracePerson | TraceContact): ContactClass | undefined {
  const c = (x as { class?: unknown }).class;
  return c === 'close' || c === 'brief' ? c : undefined;
}

export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
}

/** A person's home as the list shows it, and the district (province in the two-level system) the filter offers. */
export interface HomeLabel {
  /** The filter's key: province › district codes. */
  readonly key: string;
  /** Ward, district, province. */
  readonly label: string;
  /** District, province: what the filter lists. */
  readonly area: string;
}

/** Where a person lives, from their identity (inside the tracer's jurisdiction) or their home (outside it). */
export function homeOf(trace: Pick<LoadedTrace, 'identities' | 'outside'>, id: string): HomeLabel | undefined {
  const inside = trace.identities[id]?.home;
  const home = inside ?? trace.outside?.[id];
  if (!home || home.province === undefined) return undefined;
  const district = home.districtName ?? home.district;
  const province = home.provinceName ?? home.province;
  const ward = inside ? (inside.communeName ?? inside.commune) : undefined;
  const join = (parts: (string | undefined)[]) => parts.filter((x): x is string => x !== undefined && x !== '').join(', ');
  return { key: `${home.province}›${home.district ?? ''}`, label: join([ward, district, province]), area: join([district, province]) };
}

interface Row {
  readonly person: TracePerson;
  readonly order: number;
  readonly text: string;
  readonly digits: string;
  readonly name: string;
  readonly home: string | undefined;
  readonly stations: ReadonlySet<string>;
}

const indexes = new WeakMap<object, Row[]>();

function indexOf(trace: LoadedTrace): Row[] {
  const cached = indexes.get(trace);
  if (cached) return cached;
  const into = contactsInto(trace);
  const rows = trace.people.map((person, order): Row => {
    const who = trace.identities[person.id];
    const home = homeOf(trace, person.id);
    const parts = [who?.fullName ?? '', personKey(person.id, trace.identities), who?.phone ?? '', home?.label ?? ''];
    return {
      person,
      order,
      text: fold(parts.join(' ')),
      digits: (who?.phone ?? '').replace(/\D/g, '') + ' ' + personKey(person.id, trace.identities).replace(/\D/g, ''),
      name: who?.fullName ?? '',
      home: home?.key,
      stations: new Set((into.get(person.id) ?? []).map((c) => c.stationId)),
    };
  });
  indexes.set(trace, rows);
  return rows;
}

const collator = new Intl.Collator('vi', { sensitivity: 'base' });

const SORTS: Readonly<Record<PeopleSort, (a: Row, b: Row) => number>> = {
  list: (a, b) => a.order - b.order,
  risk: (a, b) => b.person.score - a.person.score || a.order - b.order,
  exposure: (a, b) => a.person.exposureAt.localeCompare(b.person.exposureAt) || a.order - b.order,
  // Nameless people (outside the jurisdiction, unregistered) last.
  name: (a, b) => (a.name === '' ? 1 : 0) - (b.name === '' ? 1 : 0) || collator.compare(a.name, b.name) || a.order - b.order,
  generation: (a, b) => a.person.generation - b.person.generation || b.person.score - a.person.score || a.order - b.order,
};

/** The people the list shows for this generation and filter, in its sort. */
export function queryPeople(trace: LoadedTrace, generation: number | undefined, f: ListFilter = NO_FILTER): readonly TracePerson[] {
  if (generation === undefined && !isFiltered(f) && f.sort === 'list') return trace.people;
  const words = fold(f.text).split(/\s+/).filter((w) => w !== '');
  const rows = indexOf(trace).filter((r) => {
    const p = r.person;
    if (generation !== undefined && p.generation !== generation) return false;
    if (f.cls !== undefined && classOf(p) !== f.cls) return false;
    if (f.minScore !== undefined && p.score < f.minScore) return false;
    if (f.district !== undefined && r.home !== f.district) return false;
    if (f.station !== undefined && !r.stations.has(f.station)) return false;
    // Every word somewhere; a number also in the digits alone (a phone written +84 90… or 090…).
    return words.every((w) => r.text.includes(w) || (/^\d+$/.test(w) && r.digits.includes(w)));
  });
  rows.sort(SORTS[f.sort]);
  return rows.map((r) => r.person);
}

/** The homes and stations the filters offer, from the whole result, most people first. */
export function filterChoices(trace: LoadedTrace): { homes: { key: string; label: string; n: number }[]; stations: { id: string; n: number }[] } {
  const homes = new Map<string, { key: string; label: string; n: number }>();
  const stations = new Map<string, number>();
  for (const r of indexOf(trace)) {
    const h = homeOf(trace, r.person.id);
    if (h) {
      const e = homes.get(h.key);
      if (e) e.n++;
      else homes.set(h.key, { key: h.key, label: h.area, n: 1 });
    }
    for (const s of r.stations) stations.set(s, (stations.get(s) ?? 0) + 1);
  }
  return {
    homes: [...homes.values()].sort((a, b) => b.n - a.n || collator.compare(a.label, b.label)),
    stations: [...stations].map(([id, n]) => ({ id, n })).sort((a, b) => b.n - a.n || a.id.localeCompare(b.id)),
  };
}
