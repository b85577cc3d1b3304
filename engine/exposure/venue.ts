import { closeSeconds as closeSecondsSetting, traceMaxDays } from '../config';
import { peopleAtVenue, stationScope } from '../db/exposures';
import { forbidden, invalidInput, notFound } from '../errors';
import { isoUtc } from '../time';
import { DEFAULT_TRACE_MAX_DAYS } from '../trace/params';
import type { ContactClass, Jurisdiction } from '../types';

/**
 * Venue exposure (issue 22.6, CONTRACT-22): everyone at one station in a window, for a market
 * outbreak with no known case. Each person is an F1 of the venue: exposed at their first instant
 * at the station inside the window, close when one continuous stay there inside the window lasted
 * at least closeSeconds (the bar of close contacts, TRUYVET_CLOSE_SECONDS), brief otherwise (a
 * checkpoint scan, a short visit).
 */

export interface ExposureRequest {
  readonly stationId: string;
  /** Epoch ms, inclusive. */
  readonly from: number;
  readonly to: number;
}

export interface ExposedPerson {
  /** Pseudonymous person id. */
  readonly id: string;
  /** First instant at the station inside the window (ISO, UTC): max(first arrival, from). */
  readonly exposureAt: string;
  /** Last instant at the station inside the window (ISO, UTC): min(last departure, to). */
  readonly lastAt: string;
  readonly passages: number;
  /** Longest single stay inside the window, seconds (0 for checkpoint scans). */
  readonly staySeconds: number;
  readonly class: ContactClass;
}

export interface ExposureResult {
  readonly params: { readonly stationId: string; readonly from: string; readonly to: string; readonly closeSeconds: number };
  readonly people: ExposedPerson[];
  readonly stats: { readonly people: number; readonly closePeople: number; readonly milliseconds: number };
  /** More people than `maxPeople` were at the venue: the first `maxPeople` by arrival are listed. */
  readonly truncated: boolean;
}

/** The shape openFollowUps takes (CONTRACT-22's FollowUpCandidate; instants in epoch ms). */
export interface ExposureCandidate {
  readonly personId: string;
  readonly generation: number;
  readonly exposureAt: number;
  readonly class: ContactClass;
}

export interface ExposureOptions {
  /** The caller's jurisdiction: a station outside it is refused (403), and the query matches nothing there anyway. */
  readonly scope: Jurisdiction | undefined;
  /** Most people listed (the rest counted as truncated). */
  readonly maxPeople: number;
  /** Default: TRUYVET_TRACE_MAX_DAYS (21), the longest trace period. */
  readonly maxDays?: number;
}

/** Checks the window as a trace's period is checked: from ≤ to, at most maxDays long. */
function checkWindow(r: ExposureRequest, maxDays: number): void {
  if (!(r.from <= r.to)) throw invalidInput('from must not be after to', [{ field: 'from', reason: 'after to' }]);
  if (r.to - r.from > maxDays * 86_400_000) throw invalidInput(`the window is longer than ${maxDays} days`, [{ field: 'to', reason: `more than ${maxDays} days after from` }]);
}

/**
 * What a request must pass before anything is read or stored for it: a window no longer than
 * maxDays, and a known station inside the caller's jurisdiction (404, 403). A request that waits
 * for approval is checked so when it is asked for, as an exposure read at once is.
 */
export async function admitExposure(r: ExposureRequest, o: Pick<ExposureOptions, 'scope' | 'maxDays'>): Promise<void> {
  checkWindow(r, o.maxDays ?? traceMaxDays(DEFAULT_TRACE_MAX_DAYS));
  const where = await stationScope(r.stationId, o.scope);
  if (!where.known) throw notFound(`no station '${r.stationId}'`);
  if (!where.inside) throw forbidden('this station lies outside your jurisdiction');
}

export async function venueExposure(r: ExposureRequest, o: ExposureOptions): Promise<ExposureResult> {
  const t0 = Date.now();
  await admitExposure(r, o);
  const closeSeconds = closeSecondsSetting();
  const rows = await peopleAtVenue({ stationId: r.stationId, scope: o.scope, from: r.from, to: r.to, limit: o.maxPeople + 1 });
  const kept = rows.slice(0, o.maxPeople);
  const people = kept.map<ExposedPerson>((x) => ({
    id: x.pid,
    exposureAt: isoUtc(Math.max(x.firstAt, r.from)),
    lastAt: isoUtc(Math.min(x.lastAt, r.to)),
    passages: x.passages,
    staySeconds: Math.max(0, x.longestMs) / 1000,
    class: Math.max(0, x.longestMs) >= closeSeconds * 1000 ? 'close' : 'brief',
  }));
  return {
    params: { stationId: r.stationId, from: isoUtc(r.from), to: isoUtc(r.to), closeSeconds },
    people,
    stats: { people: people.length, closePeople: people.filter((p) => p.class === 'close').length, milliseconds: Date.now() - t0 },
    truncated: rows.length > o.maxPeople,
  };
}

/** The exposure's people as follow-up candidates: generation 1, exposed at their first instant there. */
export function exposureCandidates(r: ExposureResult): ExposureCandidate[] {
  return r.people.map((p) => ({ personId: p.id, generation: 1, exposureAt: Date.parse(p.exposureAt), class: p.class }));
}
