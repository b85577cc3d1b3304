import type { OutbreakHead, ShapedOutbreak } from '../outbreak/assemble';
import { encodeShaped, extensionOf, openedContacts, openedPeople, openTrace, type OpenedTrace } from '../trace-store/codec';
import type { OutbreakCluster, OutbreakLink, OutbreakPerson, OutbreakResult, TraceContact } from '../types';

/**
 * An outbreak run's result as compact bytes (sealed by sealTrace, like a trace's): its people and
 * contacts in the trace codec's own columns (engine/trace-store/codec.ts: the same encoding, not a
 * copy of it), and after them the columns only an outbreak has (the codec's Extension):
 *
 * - Int32: each person's number of cases (one cell per person, in the people's order), then each
 *   person's cases as (case id, time) string indexes in pairs, person after person; then 8 cells
 *   per link: from, to, generation, at, station, source passage, case person's passage, via (−1:
 *   none), all string indexes but the generation.
 * - Float64: each link's overlap in seconds.
 *
 * The clusters (case ids only, at most one per two cases) and the counts of those columns go in
 * the header's head, beside `cases`, `params` and `stats`.
 */

/** What the header of a stored run holds besides people and contacts. */
export interface StoredOutbreakHead extends OutbreakHead {
  readonly clusters: OutbreakCluster[];
  /** Cells of the extension: case exposures (pairs) and links. */
  readonly columns: { readonly exposures: number; readonly links: number };
}

const LINK_CELLS = 8;

/** An opened run: the trace codec's opened columns, and where each person's cases start. */
export interface OpenedOutbreak extends OpenedTrace<StoredOutbreakHead> {
  /** casesAt[i]: the index of person i's first case pair; casesAt[n] the end. */
  readonly casesAt: Int32Array;
}

/** The encoding of a shaped run, and the same run opened for its pages (as openOutbreak() of the bytes gives it). */
export function encodeShapedOutbreak(s: ShapedOutbreak): { bytes: Buffer; opened: OpenedOutbreak } {
  const n = s.people.length;
  let exposures = 0;
  for (const p of s.people) exposures += p.cases.length;
  const links = s.links.length;
  const head: StoredOutbreakHead = { ...s.head, clusters: s.clusters.map((c) => ({ ...c, cases: [...c.cases] })), columns: { exposures, links } };
  const { bytes, opened } = encodeShaped(head, s.people, s.contacts, undefined, {
    floats: links,
    ints: n + 2 * exposures + LINK_CELLS * links,
    fill(w) {
      let e = n;
      s.people.forEach((p, i) => {
        w.ints[i] = p.cases.length;
        for (const c of p.cases) {
          w.ints[e++] = w.ref(c.caseId);
          w.ints[e++] = w.when(c.at);
        }
      });
      s.links.forEach((l, k) => {
        const at = e + LINK_CELLS * k;
        w.ints[at] = w.ref(l.from);
        w.ints[at + 1] = w.ref(l.to);
        w.ints[at + 2] = l.generation;
        w.ints[at + 3] = w.when(l.at);
        w.ints[at + 4] = w.ref(l.stationId);
        w.ints[at + 5] = w.ref(l.passages[0]);
        w.ints[at + 6] = w.ref(l.passages[1]);
        w.ints[at + 7] = l.via === undefined ? -1 : w.ref(l.via);
        w.floats[k] = l.overlapMs / 1000;
      });
    },
  });
  return { bytes, opened: withCaseIndex(opened) };
}

export function openOutbreak(bytes: Uint8Array): OpenedOutbreak {
  return withCaseIndex(openTrace<StoredOutbreakHead>(bytes));
}

function withCaseIndex(opened: OpenedTrace<StoredOutbreakHead>): OpenedOutbreak {
  const n = opened.columns.h.people;
  const { ints } = extensionOf(opened);
  const casesAt = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) casesAt[i + 1] = casesAt[i]! + ints[i]!;
  return { ...opened, size: opened.size + casesAt.byteLength, casesAt };
}

/** The run's head as the API and the command line show it: cases, params, stats (no storage layout). */
export function outbreakHeadOf(opened: OpenedOutbreak): OutbreakHead {
  const { clusters: _c, columns: _l, ...head } = extensionOf(opened).head;
  return head;
}

export function outbreakClusters(opened: OpenedOutbreak): OutbreakCluster[] {
  return extensionOf(opened).head.clusters.map((c) => ({ ...c, cases: [...c.cases] }));
}

/** People [from, to) by position, each with their cases, and every contact into one of them. */
export function outbreakPeople(opened: OpenedOutbreak, from: number, to: number): { people: OutbreakPerson[]; contacts: TraceContact[]; total: number } {
  const slice = openedPeople(opened, from, to);
  const { ints, s } = extensionOf(opened);
  const n = opened.columns.h.people;
  const people = slice.people.map((p, k): OutbreakPerson => {
    const i = slice.lo + k;
    const cases: OutbreakPerson['cases'] = [];
    for (let e = opened.casesAt[i]!; e < opened.casesAt[i + 1]!; e++) cases.push({ case: s(ints[n + 2 * e]!), at: s(ints[n + 2 * e + 1]!) });
    return { ...p, cases };
  });
  return { people, contacts: slice.contacts, total: slice.total };
}

export function outbreakLinks(opened: OpenedOutbreak): OutbreakLink[] {
  const { head, ints, floats, s } = extensionOf(opened);
  const base = opened.columns.h.people + 2 * head.columns.exposures;
  const out: OutbreakLink[] = [];
  for (let k = 0; k < head.columns.links; k++) {
    const at = base + LINK_CELLS * k;
    const link: OutbreakLink = {
      from: s(ints[at]!),
      to: s(ints[at + 1]!),
      generation: ints[at + 2]!,
      at: s(ints[at + 3]!),
      stationId: s(ints[at + 4]!),
      overlapSeconds: floats[k]!,
      passages: [s(ints[at + 5]!), s(ints[at + 6]!)],
    };
    if (ints[at + 7]! >= 0) link.via = s(ints[at + 7]!);
    out.push(link);
  }
  return out;
}

/** The whole OutbreakResult (DESIGN.md, "Interfaces") of an opened run. */
export function outbreakResultOfOpened(opened: OpenedOutbreak): OutbreakResult {
  const head = outbreakHeadOf(opened);
  const { people } = outbreakPeople(opened, 0, opened.columns.h.people);
  return { cases: head.cases, params: head.params, people, contacts: openedContacts(opened), links: outbreakLinks(opened), clusters: outbreakClusters(opened), stats: head.stats };
}
