import { t, type Lang } from './i18n';
import { wallTime } from './time';
import type { LoadedTrace, Timeline, TimelinePassage, TraceContact } from './types';

/**
 * The evidence of one contact, as a tracer must be able to defend it: both passages with their
 * times (arrival and departure), how long each stayed, how far apart or how long together they
 * were, the tolerance that made them a contact, the contact's class (close or brief) and each
 * passage's trust. A checkpoint contact of two scans 4½ minutes apart then reads "4 min 30 s
 * apart, within the 15 min tolerance", not "overlap 0 s". The passages' times come from the two
 * people's timelines (GET /api/people/:id/timeline), which the page loads on selection. Pure.
 */

/** The contact's class (issue 25): close when the two were together at least `closeSeconds`. */
export type ContactClass = 'close' | 'brief';

/** WHO's and Vietnam's 15 minutes, the server's default (TRUYVET_CLOSE_SECONDS). */
export const DEFAULT_CLOSE_SECONDS = 900;

/** A contact may carry its class, and a trace its closeSeconds (issue 25): read when present. */
type WithClass = { readonly class?: ContactClass };
type WithCloseSeconds = { readonly closeSeconds?: number };

/** The trace's closeSeconds, or the default for a trace stored before issue 25. */
export function closeSecondsOf(params: LoadedTrace['params']): number {
  return (params as LoadedTrace['params'] & WithCloseSeconds).closeSeconds ?? DEFAULT_CLOSE_SECONDS;
}

export function contactClass(c: TraceContact, params: LoadedTrace['params']): ContactClass {
  const given = (c as TraceContact & WithClass).class;
  if (given === 'close' || given === 'brief') return given;
  return c.overlapSeconds >= closeSecondsOf(params) ? 'close' : 'brief';
}

export interface PassageSide {
  readonly id: string;
  readonly person: string;
  /** The passage as the person's timeline gives it; undefined until that timeline is loaded. */
  readonly passage: TimelinePassage | undefined;
  /** Seconds the person stayed (0 for a scan); undefined until loaded. */
  readonly staySeconds: number | undefined;
  readonly trust: 'standard' | 'national';
}

export interface ContactEvidence {
  readonly contact: TraceContact;
  readonly class: ContactClass;
  readonly source: PassageSide;
  readonly target: PassageSide;
  /** Time together (the engine's overlap, without the tolerance). */
  readonly overlapSeconds: number;
  /** Time between the two passages when they did not overlap (0 when they did); undefined until both are loaded. */
  readonly gapSeconds: number | undefined;
  readonly toleranceSeconds: number;
}

function side(c: TraceContact, i: 0 | 1, timelines: ReadonlyMap<string, Timeline>): PassageSide {
  const person = i === 0 ? c.source : c.target;
  const id = c.passages[i];
  const passage = timelines.get(person)?.passages.find((p) => p.id === id);
  const trust = passage?.trust ?? c.trust?.[i] ?? 'standard';
  return { id, person, passage, staySeconds: passage ? Math.max(0, (Date.parse(passage.leftAt) - Date.parse(passage.at)) / 1000) : undefined, trust };
}

export function contactEvidence(c: TraceContact, trace: Pick<LoadedTrace, 'params'>, timelines: ReadonlyMap<string, Timeline>): ContactEvidence {
  const source = side(c, 0, timelines);
  const target = side(c, 1, timelines);
  let gapSeconds: number | undefined;
  if (source.passage && target.passage) {
    const a = source.passage;
    const b = target.passage;
    const later = Math.max(Date.parse(a.at), Date.parse(b.at));
    const earlier = Math.min(Date.parse(a.leftAt), Date.parse(b.leftAt));
    gapSeconds = Math.max(0, (later - earlier) / 1000);
  }
  return { contact: c, class: contactClass(c, trace.params), source, target, overlapSeconds: c.overlapSeconds, gapSeconds, toleranceSeconds: trace.params.toleranceSeconds };
}

/** "4 min 30 s", "1 h 05 min", "0 s": exact to the second (the evidence must not round 4½ minutes to 4). */
export function exactDuration(seconds: number, lang: Lang): string {
  const u = lang === 'vi' ? { h: 'giờ', m: 'phút', s: 'giây' } : { h: 'h', m: 'min', s: 's' };
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const parts: string[] = [];
  if (h > 0) parts.push(`${h} ${u.h}`);
  if (m > 0 || (h > 0 && sec > 0)) parts.push(`${h > 0 ? String(m).padStart(2, '0') : m} ${u.m}`);
  if (sec > 0 || parts.length === 0) parts.push(`${sec} ${u.s}`);
  return parts.join(' ');
}

/**
 * Why the two passages are a contact, in words: "together 12 min" when they overlapped;
 * otherwise "4 min 30 s apart, within the 15 min tolerance"; while the passages are loading,
 * the tolerance alone.
 */
export function contactReason(e: ContactEvidence, lang: Lang): string {
  const tolerance = exactDuration(e.toleranceSeconds, lang);
  if (e.overlapSeconds > 0) return t(lang, 'evidence.together', { d: exactDuration(e.overlapSeconds, lang), tolerance });
  if (e.gapSeconds === undefined) return t(lang, 'evidence.withinTolerance', { tolerance });
  return t(lang, 'evidence.apart', { d: exactDuration(e.gapSeconds, lang), tolerance });
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "06:50:12" in Ho Chi Minh City: passages are compared to the second. */
export function clockTime(at: string): string {
  const w = wallTime(at);
  return `${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** A passage's span: "06:50:12 – 06:55:40", one instant for a scan, the end's day when it is another. */
export function passageSpan(p: Pick<TimelinePassage, 'at' | 'leftAt'>): string {
  if (p.leftAt === p.at) return clockTime(p.at);
  const a = wallTime(p.at);
  const b = wallTime(p.leftAt);
  const day = a.year === b.year && a.month === b.month && a.day === b.day ? '' : ` ${pad(b.day)}/${pad(b.month)}`;
  return `${clockTime(p.at)} – ${clockTime(p.leftAt)}${day}`;
}
