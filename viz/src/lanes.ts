import { chainTo, personKey } from './result';
import { zoneOffsetMs } from './time';
import type { LoadedTrace, Timeline } from './types';

/**
 * The timeline's data: one lane per person, the passages the API returned for them (intervals or
 * point scans), the contacts of the trace as links between lanes, and the infectious period.
 * Pure (no DOM).
 */

export const DEFAULT_LANE_CAP = 30;

export interface LaneMark {
  readonly start: number;
  readonly end: number;
  readonly stationId: string;
  readonly stationName: string;
  /** A checkpoint scan (no dwell). */
  readonly point: boolean;
  readonly passageId: string;
}

export interface Lane {
  readonly id: string;
  readonly label: string;
  readonly generation: number;
  /** The person's passages, when their timeline has been loaded; empty otherwise. */
  readonly marks: readonly LaneMark[];
  readonly loaded: boolean;
}

export interface LaneLink {
  readonly at: number;
  readonly source: string;
  readonly target: string;
  readonly stationId: string;
  readonly generation: number;
}

export interface LaneData {
  readonly lanes: readonly Lane[];
  /** Contacts whose both ends have a lane. */
  readonly links: readonly LaneLink[];
  /** The time axis: the trace's period [from, until ?? to], widened to the marks and links. */
  readonly domain: readonly [number, number];
  /** The infectious period [from, to], shaded. */
  readonly infectious: readonly [number, number];
  /** People asked for but left out by the cap. */
  readonly hidden: number;
}

/**
 * Which people get a lane, in this order: F0, the chain that reached the selected person (so
 * the path reads top to bottom), then `others` (the list page on screen); no repeats, at most `cap`.
 */
export function laneOrder(trace: LoadedTrace, selected: string | undefined, others: readonly string[], cap = DEFAULT_LANE_CAP): { ids: string[]; hidden: number } {
  const wanted: string[] = [trace.f0];
  if (selected !== undefined) wanted.push(...chainTo(trace, selected));
  wanted.push(...others);
  const unique = [...new Set(wanted)];
  return { ids: unique.slice(0, cap), hidden: Math.max(0, unique.length - cap) };
}

export function timelineLanes(
  trace: LoadedTrace,
  ids: readonly string[],
  timelines: ReadonlyMap<string, Timeline>,
  hidden = 0,
): LaneData {
  const gen = new Map(trace.people.map((p) => [p.id, p.generation]));
  gen.set(trace.f0, 0);
  const lanes: Lane[] = ids.map((id) => {
    const tl = timelines.get(id);
    const marks: LaneMark[] = (tl?.passages ?? [])
      .map((p) => {
        const start = Date.parse(p.at);
        const end = Date.parse(p.leftAt);
        return { start, end, stationId: p.stationId, stationName: p.stationName, point: end <= start, passageId: p.id };
      })
      .sort((a, b) => a.start - b.start);
    return { id, label: personKey(id, trace.identities), generation: gen.get(id) ?? -1, marks, loaded: tl !== undefined };
  });
  const inLane = new Set(ids);
  const links: LaneLink[] = trace.contacts
    .filter((c) => inLane.has(c.source) && inLane.has(c.target))
    .map((c) => ({ at: Date.parse(c.at), source: c.source, target: c.target, stationId: c.stationId, generation: c.generation }))
    .sort((a, b) => a.at - b.at);

  const from = Date.parse(trace.params.from);
  const to = Date.parse(trace.params.to);
  const until = trace.params.until !== undefined ? Date.parse(trace.params.until) : to;
  let lo = from;
  let hi = Math.max(to, until);
  for (const l of lanes) {
    for (const m of l.marks) {
      lo = Math.min(lo, m.start);
      hi = Math.max(hi, m.end);
    }
  }
  for (const l of links) {
    lo = Math.min(lo, l.at);
    hi = Math.max(hi, l.at);
  }
  return { lanes, links, domain: [lo, hi], infectious: [from, to], hidden };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Ticks of the time axis on Ho Chi Minh City hours: every 3, 6 or 12 hours or every day by the
 * span, starting from a local midnight, so day boundaries get a tick of their own.
 */
export function localTicks(lo: number, hi: number): { at: number; midnight: boolean }[] {
  const span = hi - lo;
  const step = span <= 1.5 * DAY ? 3 * HOUR : span <= 4 * DAY ? 6 * HOUR : span <= 8 * DAY ? 12 * HOUR : DAY;
  const off = zoneOffsetMs(lo);
  let at = Math.floor((lo + off) / DAY) * DAY - off;
  const out: { at: number; midnight: boolean }[] = [];
  for (; at <= hi && out.length < 200; at += step) {
    if (at >= lo) out.push({ at, midnight: (at + zoneOffsetMs(at)) % DAY === 0 });
  }
  return out;
}
