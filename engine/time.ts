import { TZDate } from '@date-fns/tz';

/** The zone for instants written without an offset, unless a station says otherwise. */
export const DEFAULT_TZ = 'Asia/Ho_Chi_Minh';

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

const zoneCheck = new Map<string, boolean>();

/** True when `tz` is an IANA zone this runtime knows. */
export function isValidTimeZone(tz: string): boolean {
  let ok = zoneCheck.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
    zoneCheck.set(tz, ok);
  }
  return ok;
}

/** `range`: the text is an instant, but outside what truyvet accepts (instantRangeProblem). */
export type InstantParse = { ok: true; ms: number; hadOffset: boolean } | { ok: false; reason: string; range?: true };

/**
 * The earliest instant truyvet accepts as input: contact tracing by checkpoint logs began in
 * 2020, and an earlier date is a typo (`0021-08-02` for 2021) that would silently widen a query.
 */
export const MIN_INSTANT_MS = Date.UTC(2000, 0, 1);
/** How far ahead of `now` an input instant may lie (clocks of checkpoint devices drift; time zones). */
export const MAX_FUTURE_MS = 86_400_000;

/**
 * Why an instant lies outside [2000-01-01T00:00Z, now + 1 day], or undefined when it does not.
 * Without `now` only the lower bound holds (for instants truyvet stored itself). `aheadMs`
 * widens the upper bound for what is planned ahead (an isolation's end).
 */
export function instantRangeProblem(ms: number, now?: number, aheadMs: number = MAX_FUTURE_MS): string | undefined {
  if (ms < MIN_INSTANT_MS) return `${isoOf(ms)} is before 2000-01-01T00:00Z, the earliest instant truyvet accepts`;
  if (now !== undefined && ms > now + aheadMs) {
    const days = aheadMs / MAX_FUTURE_MS;
    return `${isoOf(ms)} is more than ${days === 1 ? 'a day' : `${days} days`} after now (${isoOf(now)})`;
  }
  return undefined;
}

function isoOf(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

/**
 * Reads an ISO 8601 instant. With an offset (`Z`, `+07:00`, `+0700`, `+07`) it is absolute;
 * without one it is a wall-clock time in `tz` (DESIGN.md: the station's zone). Returns epoch
 * milliseconds in UTC, or why the text is not an instant; never throws, so an importer can
 * name the line and carry on. Every input path (API, CLI, imports) reads instants here, so the
 * range rule of instantRangeProblem holds for all of them: with `now` both bounds, without it
 * the lower one. Years are read as written (`0021` is the year 21, not 1921).
 */
export function parseInstant(text: string, tz: string = DEFAULT_TZ, now?: number, aheadMs: number = MAX_FUTURE_MS): InstantParse {
  const m = ISO_RE.exec(text.trim());
  if (!m) return { ok: false, reason: `'${clip(text)}' is not an ISO 8601 date-time (e.g. 2021-08-02T07:30:00+07:00)` };
  const [, ys, mos, ds, hs, mis, ss, frac, off] = m;
  const y = Number(ys), mo = Number(mos), d = Number(ds), h = Number(hs), mi = Number(mis);
  const s = ss === undefined ? 0 : Number(ss);
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  if (mo < 1 || mo > 12) return { ok: false, reason: `month ${mos} out of range in '${clip(text)}'` };
  if (d < 1 || d > daysInMonth(y, mo)) return { ok: false, reason: `day ${ds} does not exist in ${ys}-${mos}` };
  if (h > 23 || mi > 59 || s > 59) return { ok: false, reason: `time ${hs}:${mis}:${ss ?? '00'} out of range in '${clip(text)}'` };
  let out: number;
  let hadOffset: boolean;
  if (off !== undefined) {
    const offsetMin = parseOffset(off);
    if (offsetMin === undefined) return { ok: false, reason: `offset '${off}' out of range` };
    out = utcMs(y, mo, d, h, mi, s, ms) - offsetMin * 60_000;
    hadOffset = true;
  } else {
    if (!isValidTimeZone(tz)) return { ok: false, reason: `unknown time zone '${tz}'` };
    // TZDate, like Date, reads a year below 100 as 19xx; such a year is out of range anyway,
    // so it is placed in the zone as UTC (off by at most a day, far below 2000 either way).
    out = y < 100 ? utcMs(y, mo, d, h, mi, s, ms) : new TZDate(y, mo - 1, d, h, mi, s, ms, tz).getTime();
    hadOffset = false;
  }
  const problem = instantRangeProblem(out, now, aheadMs);
  if (problem !== undefined) return { ok: false, reason: problem, range: true };
  return { ok: true, ms: out, hadOffset };
}

/** Date.UTC without its rule that a year from 0 to 99 means 1900–1999. */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, ms);
  return t.getTime();
}

/** Like parseInstant, but throws a plain Error; for trusted callers (CLI flags are checked by zod first). */
export function instantMs(text: string, tz: string = DEFAULT_TZ): number {
  const r = parseInstant(text, tz);
  if (!r.ok) throw new Error(r.reason);
  return r.ms;
}

/** Epoch milliseconds → ISO 8601 in UTC (`…Z`), the one format instants leave truyvet in. */
export function isoUtc(ms: number): string {
  // A trace result formats every contact time and exposure (thousands in a median 10M-city
  // trace, where Date.toISOString was ~1 ms of ~7), in time order, and many share one instant
  // (everyone already at a station meets an arrival at the arrival): the last answer is given
  // again, and a new one is built from character codes, ~4× faster than toISOString and, unlike
  // a concatenation, a flat string that serializes as fast as toISOString's. Exactly what
  // Date.toISOString gives for 1970–9999 (tested on random instants); anything else goes through it.
  if (ms === lastIsoMs) return lastIso;
  const iso = Number.isInteger(ms) && ms >= 0 && ms < MAX_FAST_ISO ? isoFromCodes(ms) : new Date(ms).toISOString();
  lastIsoMs = ms;
  lastIso = iso;
  return iso;
}

let lastIsoMs = Number.NaN;
let lastIso = '';
const DAY_MS = 86_400_000;
const MAX_FAST_ISO = Date.UTC(10000, 0, 1);
const ZERO = 48;
/** The date part's character codes, for the day last formatted. */
let codesDay = Number.NaN;
const dateCodes: number[] = new Array<number>(10).fill(ZERO);

function isoFromCodes(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== codesDay) {
    codesDay = day;
    const [y, m, d] = civilFromDays(day);
    const c = dateCodes;
    c[0] = ZERO + Math.floor(y / 1000);
    c[1] = ZERO + (Math.floor(y / 100) % 10);
    c[2] = ZERO + (Math.floor(y / 10) % 10);
    c[3] = ZERO + (y % 10);
    c[5] = ZERO + Math.floor(m / 10);
    c[6] = ZERO + (m % 10);
    c[8] = ZERO + Math.floor(d / 10);
    c[9] = ZERO + (d % 10);
  }
  let r = ms - day * DAY_MS;
  const h = Math.floor(r / 3_600_000);
  r -= h * 3_600_000;
  const mi = Math.floor(r / 60_000);
  r -= mi * 60_000;
  const s = Math.floor(r / 1000);
  const l = r - s * 1000;
  const c = dateCodes;
  // "YYYY-MM-DDTHH:MM:SS.mmmZ": 45 '-', 84 'T', 58 ':', 46 '.', 90 'Z'.
  return String.fromCharCode(
    c[0]!, c[1]!, c[2]!, c[3]!, 45, c[5]!, c[6]!, 45, c[8]!, c[9]!, 84,
    ZERO + Math.floor(h / 10), ZERO + (h % 10), 58, ZERO + Math.floor(mi / 10), ZERO + (mi % 10), 58,
    ZERO + Math.floor(s / 10), ZERO + (s % 10), 46, ZERO + Math.floor(l / 100), ZERO + (Math.floor(l / 10) % 10), ZERO + (l % 10), 90,
  );
}

/** Days since 1970-01-01 → proleptic Gregorian [year, month 1–12, day 1–31] (H. Hinnant's civil_from_days). */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return [y, m, d];
}

function parseOffset(off: string): number | undefined {
  if (off.toUpperCase() === 'Z') return 0;
  const sign = off.startsWith('-') ? -1 : 1;
  const digits = off.slice(1).replace(':', '');
  const hh = Number(digits.slice(0, 2));
  const mm = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hh > 14 || mm > 59) return undefined;
  return sign * (hh * 60 + mm);
}

function daysInMonth(y: number, mo: number): number {
  return new Date(utcMs(y, mo + 1, 0, 0, 0, 0, 0)).getUTCDate();
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Reads a duration like `15m`, `90s`, `1h30m`, `21d` (or a bare number of seconds) into seconds.
 * Undefined when the text is not one.
 */
export function parseDurationSeconds(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^\d+$/.test(t)) return Number(t);
  if (!/^(\d+[smhd])+$/.test(t)) return undefined;
  let total = 0;
  for (const part of t.matchAll(/(\d+)([smhd])/g)) {
    total += Number(part[1]) * (UNIT_SECONDS[part[2] ?? 's'] ?? 1);
  }
  return total;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}
