import type { Lang } from './i18n';

/**
 * Instants in the view: the API speaks UTC ISO strings; tracers read and type Ho Chi Minh City
 * wall time. Every conversion goes through Intl with the zone named, never the browser's zone.
 */

export const VIEW_TZ = 'Asia/Ho_Chi_Minh';

const LOCALES: Record<Lang, string> = { vi: 'vi-VN', en: 'en-GB' };

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(key: string, locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: VIEW_TZ, hourCycle: 'h23', ...options });
    cache.set(key, f);
  }
  return f;
}

export function toMs(t: string | number): number {
  return typeof t === 'number' ? t : Date.parse(t);
}

/** "00:00 01/08/2021" (vi) or "01 Aug 2021, 00:00" (en), in Ho Chi Minh City time. */
export function formatDateTime(t: string | number, lang: Lang): string {
  const month = lang === 'vi' ? '2-digit' : 'short';
  return fmt(`dt-${lang}`, LOCALES[lang], { year: 'numeric', month, day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(toMs(t));
}

/** "07:30". */
export function formatTime(t: string | number, lang: Lang): string {
  return fmt(`t-${lang}`, LOCALES[lang], { hour: '2-digit', minute: '2-digit' }).format(toMs(t));
}

/** "01/08" (vi) or "01 Aug" (en). */
export function formatDay(t: string | number, lang: Lang): string {
  if (lang === 'vi') {
    // ICU writes the day and month alone as "01-08" in Vietnamese; tracers write 01/08.
    const w = wallTime(t);
    return `${pad(w.day)}/${pad(w.month)}`;
  }
  return fmt(`d-${lang}`, LOCALES[lang], { month: 'short', day: '2-digit' }).format(toMs(t));
}

/**
 * "07:00 01/08/2021 – 08:00": a span whose end is on its start's day (in Ho Chi Minh City) ends
 * with the time only, otherwise with the date too. An end at midnight is still the start's day.
 */
export function formatSpan(from: string | number, to: string | number, lang: Lang): string {
  const a = wallTime(from);
  const b = wallTime(toMs(to) - 1);
  const sameDay = a.year === b.year && a.month === b.month && a.day === b.day;
  return `${formatDateTime(from, lang)} – ${sameDay ? formatTime(to, lang) : formatDateTime(to, lang)}`;
}

export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The wall-clock fields of an instant in Ho Chi Minh City. */
export function wallTime(t: string | number): WallTime {
  const parts = fmt('parts', 'en-US', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(toMs(t));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** Offset of Ho Chi Minh City from UTC at an instant, in ms (+7 h since 1975, but asked, not assumed). */
export function zoneOffsetMs(ms: number): number {
  const w = wallTime(ms);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "2021-08-01T07:30" for an `<input type="datetime-local">` showing Ho Chi Minh City time. */
export function toLocalInput(t: string | number): string {
  const w = wallTime(t);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/**
 * The value of a datetime-local input, read as Ho Chi Minh City time, as an ISO string with its
 * offset ("2021-08-01T07:30:00+07:00"), or undefined when the text is not a wall time.
 */
export function fromLocalInput(value: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  if (Number.isNaN(asUtc) || new Date(asUtc).getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  const offset = zoneOffsetMs(asUtc - zoneOffsetMs(asUtc));
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / 60_000;
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** "2021-08-01 07:30:00" in Ho Chi Minh City time: sortable, and Excel reads it as a date. */
export function csvDateTime(t: string | number): string {
  const w = wallTime(t);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** "1 h 05 min", "15 min", "40 s" (en) / "1 giờ 05 phút", "15 phút", "40 giây" (vi). */
export function formatDuration(seconds: number, lang: Lang): string {
  const u = lang === 'vi' ? { h: 'giờ', m: 'phút', s: 'giây' } : { h: 'h', m: 'min', s: 's' };
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} ${u.s}`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h === 0) return `${m} ${u.m}`;
  return m === 0 ? `${h} ${u.h}` : `${h} ${u.h} ${pad(m)} ${u.m}`;
}
