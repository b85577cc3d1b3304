import { TZDate } from '@date-fns/tz';
import { z } from 'zod';
import { CASE_COLUMN, CASE_FIELDS, caseInputSchema, type CaseInput } from '../cases/input';
import { DEFAULT_TZ, instantRangeProblem, isValidTimeZone, parseInstant } from '../time';
import type { Station, StationKind } from '../types';
import type { RegistryRecord } from '../db/people';

/**
 * Row rules of the CSV files (DESIGN.md, "CSV files" and, for cases, "Interfaces"). A row is either a typed value or
 * one reject naming the first bad field in column order, with a reason.
 *
 * Every field is first made NFC and trimmed, and checked for broken UTF-8 and control
 * characters; zod then checks the row's shape (lengths, code formats, value lists); what needs
 * more than one field or the graph (the station's zone for instants, `left_at` after `at`) is
 * checked last. zod sees only built-in checks: its transforms cost microseconds a field, which
 * at a million rows is most of the import's time.
 *
 * Text is stored literally: a name like `=HYPERLINK(…)` is data, not a formula. Reject reasons
 * never repeat personal values (people's ids, names, phones, birth dates): they go to stdout
 * and report files.
 */

export const MAX_ID_LENGTH = 64;
export const MAX_TEXT_LENGTH = 200;
/** A longer dwell is almost surely a typo, and it would link one passage to hundreds of windows. */
export const MAX_DWELL_MS = 24 * 3600 * 1000;

export type RowResult<T> = { ok: true; value: T } | { ok: false; field: string; reason: string };
export type RowValidator<T> = (fields: Readonly<Record<string, string>>) => RowResult<T>;

export interface RowContext {
  /** Dates and instants may be written day first: `02/08/2021 07:30`. */
  readonly dayFirst: boolean;
}

export interface PassageContext extends RowContext {
  /** Station id → IANA zone, of the stations the graph knows (inside the import's scope). */
  readonly zones: ReadonlyMap<string, string>;
  /** Stations the graph knows outside the import's jurisdiction: their rows are rejected. */
  readonly outside?: ReadonlySet<string>;
  /**
   * When the import runs (epoch ms): an instant more than a day after it is a reject, like one
   * before 2000 (time.instantRangeProblem). The engine does not read the clock; the caller says.
   */
  readonly now: number;
}

export interface PassageRow {
  /** From the file; undefined when the column is absent or empty (the id is derived). */
  readonly passageId: string | undefined;
  /** NFC, trimmed (identity.normalizeRawKey); pseudonymised before it reaches the graph. */
  readonly rawPersonId: string;
  readonly stationId: string;
  readonly at: number;
  readonly leftAt: number;
  readonly source: string;
}

// --- the first pass: Unicode and control characters ----------------------------------------

// C0 controls and DEL. Free text may hold tab and line breaks (a quoted newline in a name);
// keys and codes may not. Matching control characters is the point of these two.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_WS_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

interface FieldSpec {
  readonly name: string;
  /** Free text may hold line breaks and tabs. */
  readonly freeText?: boolean;
}

type Prepared = { ok: true; values: Record<string, string> } | { ok: false; field: string; reason: string };

/**
 * Printable ASCII with no space at either end: already NFC, trimmed, and free of control
 * characters and broken UTF-8, so prepare() keeps it as it is without the four checks (most
 * fields of a checkpoint export are like this).
 */
const PLAIN_RE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

function prepare(fields: Readonly<Record<string, string>>, specs: readonly FieldSpec[]): Prepared {
  const values: Record<string, string> = {};
  for (const s of specs) {
    const raw = fields[s.name] ?? '';
    if (raw === '' || PLAIN_RE.test(raw)) {
      values[s.name] = raw;
      continue;
    }
    if (raw.includes('\uFFFD')) return { ok: false, field: s.name, reason: `${s.name} is not valid UTF-8 (is the file saved as UTF-8?)` };
    const v = raw.normalize('NFC').trim();
    if ((s.freeText ? CONTROL_EXCEPT_WS_RE : CONTROL_RE).test(v)) {
      return { ok: false, field: s.name, reason: `${s.name} contains a control character${s.freeText ? '' : ' or line break'}` };
    }
    values[s.name] = v;
  }
  return { ok: true, values };
}

// --- zod: the shape of each kind of row ------------------------------------------------------

const required = (name: string, max: number) =>
  z.string().min(1, `${name} is empty`).max(max, `${name} is longer than ${max} characters`);

/** Administrative codes are fixed-width digit strings: a spreadsheet that ate a leading zero (`1` for `01`) is caught here. */
const code = (name: string, digits: number, isRequired: boolean) =>
  z.string().regex(isRequired ? new RegExp(`^\\d{${digits}}$`) : new RegExp(`^(\\d{${digits}})?$`), `${name} is not a ${digits}-digit code`);

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const coordinate = (name: string, limit: number) =>
  z
    .string()
    .regex(NUMBER_RE, `${name} is not a decimal number`)
    .refine((v) => Math.abs(Number(v)) <= limit, `${name} is not between -${limit} and ${limit}`);

const KINDS: Readonly<Record<string, StationKind>> = {
  checkpoint: 'checkpoint', market: 'market', clinic: 'clinic', hospital: 'hospital', school: 'school',
  supermarket: 'supermarket', bus_station: 'bus_station', workplace: 'workplace', pharmacy: 'pharmacy', other: 'other',
  // What a Vietnamese spreadsheet says.
  'chốt': 'checkpoint', 'chốt kiểm soát': 'checkpoint', 'chợ': 'market', 'phòng khám': 'clinic', 'trạm y tế': 'clinic',
  'bệnh viện': 'hospital', 'trường học': 'school', 'trường': 'school', 'siêu thị': 'supermarket', 'bến xe': 'bus_station',
  'nơi làm việc': 'workplace', 'công ty': 'workplace', 'nhà thuốc': 'pharmacy', 'khác': 'other',
};
const KIND_NAMES = [...new Set(Object.values(KINDS))].join(', ');

const SEXES: Readonly<Record<string, string>> = {
  '': '', m: 'M', f: 'F', o: 'O', male: 'M', female: 'F', other: 'O', nam: 'M', 'nữ': 'F', nu: 'F', 'khác': 'O', khac: 'O',
  // Bluezone's MaGioiTinh and the national QR code's EXT gender agree on 1 and 2
  // (reference/declaration-forms.md §3b, §5.1); 0 is "unknown" in the QR code.
  '0': '', '1': 'M', '2': 'F', '3': 'O',
};

const STATION_FIELDS: readonly FieldSpec[] = [
  { name: 'station_id' }, { name: 'name', freeText: true }, { name: 'province' }, { name: 'district' }, { name: 'commune' },
  { name: 'lat' }, { name: 'lon' }, { name: 'tz' }, { name: 'kind' },
];

const stationSchema = z.object({
  station_id: required('station_id', MAX_ID_LENGTH),
  name: required('name', MAX_TEXT_LENGTH),
  province: code('province', 2, true),
  district: code('district', 3, false),
  commune: code('commune', 5, false),
  lat: coordinate('lat', 90),
  lon: coordinate('lon', 180),
  tz: z.string().refine((v) => v === '' || isValidTimeZone(v), 'tz is not an IANA time zone (e.g. Asia/Ho_Chi_Minh)'),
  kind: z.string().refine((v) => KINDS[v.toLowerCase()] !== undefined || v === '', `kind is not one of ${KIND_NAMES}`),
});

const PERSON_FIELDS: readonly FieldSpec[] = [
  { name: 'person_id' }, { name: 'full_name', freeText: true }, { name: 'birth_date' }, { name: 'sex' }, { name: 'phone' },
  { name: 'province' }, { name: 'district' }, { name: 'commune' },
];

const personSchema = z.object({
  person_id: required('person_id', MAX_ID_LENGTH),
  full_name: required('full_name', MAX_TEXT_LENGTH),
  birth_date: z.string().refine((v) => v === '' || isRealDate(v), 'birth_date is not a real date written YYYY-MM-DD'),
  sex: z.string().refine((v) => SEXES[v.toLowerCase()] !== undefined, 'sex is not one of M, F, O (or Nam, Nữ, Khác)'),
  phone: z.string().regex(/^(\+?\d{8,15})?$/, 'phone is not a phone number (8 to 15 digits, optional leading +)'),
  province: code('province', 2, false),
  district: code('district', 3, false),
  commune: code('commune', 5, false),
});

const PASSAGE_FIELDS: readonly FieldSpec[] = [
  { name: 'passage_id' }, { name: 'person_id' }, { name: 'station_id' }, { name: 'at' }, { name: 'left_at' }, { name: 'source' },
];

/**
 * The passage row's shape: [column, required, longest]. Checked by hand in column order, with
 * zod's messages (as `required` above): a passage file has millions of rows, and zod's
 * object parse was a fifth of the validator's time.
 */
type PassageColumn = 'passage_id' | 'person_id' | 'station_id' | 'at' | 'left_at' | 'source';
const PASSAGE_SHAPE: readonly (readonly [name: PassageColumn, required: boolean, max: number])[] = [
  ['passage_id', false, MAX_ID_LENGTH],
  ['person_id', true, MAX_ID_LENGTH],
  ['station_id', true, MAX_ID_LENGTH],
  ['at', true, 64],
  ['left_at', false, 64],
  ['source', false, MAX_ID_LENGTH],
];

function passageShapeProblem(v: Readonly<Record<string, string>>): { ok: false; field: string; reason: string } | undefined {
  for (const [name, isRequired, max] of PASSAGE_SHAPE) {
    const t = v[name] ?? '';
    if (isRequired && t.length < 1) return { ok: false, field: name, reason: `${name} is empty` };
    if (t.length > max) return { ok: false, field: name, reason: `${name} is longer than ${max} characters` };
  }
  return undefined;
}

function firstIssue(error: z.ZodError): { ok: false; field: string; reason: string } {
  const issue = error.issues[0];
  return { ok: false, field: String(issue?.path[0] ?? 'row'), reason: issue?.message ?? 'invalid row' };
}

// --- validators ------------------------------------------------------------------------------

export function stationValidator(): RowValidator<Station> {
  return (fields) => {
    const p = prepare(fields, STATION_FIELDS);
    if (!p.ok) return p;
    const r = stationSchema.safeParse(p.values);
    if (!r.success) return firstIssue(r.error);
    const s = r.data;
    return {
      ok: true,
      value: {
        id: s.station_id, name: s.name, province: s.province, district: s.district, commune: s.commune,
        lat: Number(s.lat), lon: Number(s.lon), tz: s.tz === '' ? DEFAULT_TZ : s.tz, kind: KINDS[s.kind.toLowerCase()] ?? 'other',
      },
    };
  };
}

export function personValidator(c: RowContext): RowValidator<RegistryRecord> {
  return (fields) => {
    const p = prepare(fields, PERSON_FIELDS);
    if (!p.ok) return p;
    const v = p.values;
    if (c.dayFirst) v['birth_date'] = dayFirstToIso(v['birth_date'] ?? '');
    // Phones are written with spaces, dots and dashes; the registry keeps the digits.
    v['phone'] = (v['phone'] ?? '').replace(/[\s.()-]/g, '');
    const r = personSchema.safeParse(v);
    if (!r.success) return firstIssue(r.error);
    const x = r.data;
    return {
      ok: true,
      value: {
        personId: x.person_id, fullName: x.full_name, birthDate: x.birth_date, sex: SEXES[x.sex.toLowerCase()] ?? '',
        phone: x.phone, province: x.province, district: x.district, commune: x.commune,
      },
    };
  };
}

export function passageValidator(c: PassageContext): RowValidator<PassageRow> {
  return (fields) => {
    const p = prepare(fields, PASSAGE_FIELDS);
    if (!p.ok) return p;
    const problem = passageShapeProblem(p.values);
    if (problem) return problem;
    const v = p.values as Record<PassageColumn, string>;
    const tz = c.zones.get(v.station_id);
    if (tz === undefined) {
      if (c.outside?.has(v.station_id) === true) return { ok: false, field: 'station_id', reason: `station '${clip(v.station_id)}' is outside your jurisdiction` };
      return { ok: false, field: 'station_id', reason: `unknown station '${clip(v.station_id)}' (import its stations file first)` };
    }
    const zone = tz === '' ? DEFAULT_TZ : tz;
    const at = instant(c.dayFirst ? dayFirstToIso(v.at) : v.at, zone, c.now);
    if (!at.ok) return { ok: false, field: 'at', reason: `at: ${at.reason}` };
    let leftAt = at.ms;
    if (v.left_at !== '') {
      const l = instant(c.dayFirst ? dayFirstToIso(v.left_at) : v.left_at, zone, c.now);
      if (!l.ok) return { ok: false, field: 'left_at', reason: `left_at: ${l.reason}` };
      if (l.ms < at.ms) return { ok: false, field: 'left_at', reason: 'left_at is before at' };
      if (l.ms - at.ms > MAX_DWELL_MS) return { ok: false, field: 'left_at', reason: 'left_at is more than 24 hours after at' };
      leftAt = l.ms;
    }
    return {
      ok: true,
      value: { passageId: v.passage_id === '' ? undefined : v.passage_id, rawPersonId: v.person_id, stationId: v.station_id, at: at.ms, leftAt, source: v.source },
    };
  };
}

const CASE_ROW_FIELDS: readonly FieldSpec[] = CASE_FIELDS.map((f) => ({ name: CASE_COLUMN[f] }));
const CASE_FIELD_NAMES = new RegExp(`\\b(${CASE_FIELDS.join('|')})\\b`, 'g');

export interface CaseRowContext extends RowContext {
  /** When the import runs (epoch ms): an instant more than a day after it is a reject (PassageContext.now). */
  readonly now: number;
}

/**
 * A cases.csv row, by the one parser of a case (engine/cases/input.ts, which the API's
 * `POST /api/cases` uses too): the row's text is given to it as the API's JSON would be, so both
 * accept and refuse alike. Reasons name the CSV's columns. Without an offset, instants are read in
 * Asia/Ho_Chi_Minh (a case has no station); a bare date is its midnight there.
 */
export function caseValidator(c: CaseRowContext): RowValidator<CaseInput> {
  const schema = caseInputSchema(() => c.now);
  return (fields) => {
    const p = prepare(fields, CASE_ROW_FIELDS);
    if (!p.ok) return p;
    const input: Record<string, string> = {};
    for (const f of CASE_FIELDS) {
      const col = CASE_COLUMN[f];
      const v = p.values[col] ?? '';
      const required = f === 'caseId' || f === 'personId' || f === 'confirmedAt';
      if (v === '') {
        if (required) return { ok: false, field: col, reason: `${col} is empty` };
        continue;
      }
      input[f] = f === 'caseId' || f === 'personId' || !c.dayFirst ? v : dayFirstToIso(v);
    }
    const r = schema.safeParse(input);
    if (r.success) return { ok: true, value: r.data };
    const issue = r.error.issues[0];
    const col = CASE_COLUMN[String(issue?.path[0]) as (typeof CASE_FIELDS)[number]] ?? 'row';
    const why = (issue?.message ?? 'invalid').replace(CASE_FIELD_NAMES, (m) => CASE_COLUMN[m as (typeof CASE_FIELDS)[number]]);
    return { ok: false, field: col, reason: `${col}: ${why}` };
  };
}

// --- dates and instants ----------------------------------------------------------------------

const DMY_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/** `02/08/2021 07:30` → `2021-08-02T07:30:00`, `02/08/2021` → `2021-08-02`; other text unchanged. */
export function dayFirstToIso(t: string): string {
  const m = DMY_RE.exec(t);
  if (!m) return t;
  const [, d, mo, y, h, mi, s] = m;
  const date = `${y}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')}`;
  return h === undefined ? date : `${date}T${h.padStart(2, '0')}:${mi}:${s ?? '00'}`;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isRealDate(t: string): boolean {
  const m = DATE_RE.exec(t);
  if (!m) return false;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  return y >= 1880 && y <= 2100 && mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

const OFFSET_RE = /(Z|[+-]\d{2}(:?\d{2})?)$/i;
const DAY_MS = 86_400_000;
/** `zone|day` → the zone's offset (ms) on that whole local day, or NaN when it changes that day. */
const dayOffsets = new Map<string, number>();

/**
 * time.parseInstant, with its slow path (a zone lookup per instant written without offset)
 * replaced by one lookup per zone and local day: a day with no offset change has one offset.
 * Days with a change (daylight saving) still go through parseInstant, so results are identical,
 * the range rule (before 2000, more than a day after `now`) included.
 */
export function instant(text: string, tz: string, now?: number): ReturnType<typeof parseInstant> {
  const fast = plainInstant(text, now);
  if (fast !== undefined) return fast;
  if (OFFSET_RE.test(text)) return parseInstant(text, tz, now);
  const wall = parseInstant(`${text}Z`, 'UTC');
  if (!wall.ok) return parseInstant(text, tz, now);
  const day = Math.floor(wall.ms / DAY_MS);
  const k = `${tz}|${day}`;
  let off = dayOffsets.get(k);
  if (off === undefined) {
    if (!isValidTimeZone(tz)) return parseInstant(text, tz, now);
    const start = day * DAY_MS;
    const offsetAt = (wallMs: number) => {
      const d = new Date(wallMs);
      const utc = new TZDate(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), 0, tz).getTime();
      return wallMs - utc;
    };
    const a = offsetAt(start);
    off = a === offsetAt(start + DAY_MS - 1000) ? a : NaN;
    if (dayOffsets.size > 100_000) dayOffsets.clear();
    dayOffsets.set(k, off);
  }
  if (Number.isNaN(off)) return parseInstant(text, tz, now);
  const ms = wall.ms - off;
  const problem = instantRangeProblem(ms, now);
  return problem === undefined ? { ok: true, ms, hadOffset: false } : { ok: false, reason: problem, range: true };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The value of `n` ASCII digits of `t` from `at`, or NaN if one is not a digit. */
function digits(t: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/**
 * parseInstant's result for the shape checkpoint exports write — `2021-08-01T06:49:11+07:00`,
 * `…Z`, or a space for the `T` — read by character codes; undefined for any other text and for
 * anything parseInstant would refuse (an impossible date, an offset past ±14:59, outside the
 * accepted range), which it is then left to word. Without an offset the text is a wall-clock
 * time, for instant() to place in the station's zone.
 */
function plainInstant(t: string, now: number | undefined): ReturnType<typeof parseInstant> | undefined {
  const n = t.length;
  if (n !== 25 && n !== 20) return undefined;
  const sep = t.charCodeAt(10);
  if (t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || (sep !== 84 && sep !== 32) || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return undefined;
  const y = digits(t, 0, 4), mo = digits(t, 5, 2), d = digits(t, 8, 2), h = digits(t, 11, 2), mi = digits(t, 14, 2), s = digits(t, 17, 2);
  // NaN fails every comparison: a non-digit anywhere ends the fast path.
  if (!(y >= 1000 && mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && s <= 59)) return undefined;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!)) return undefined;
  let offsetMin: number;
  if (n === 20) {
    const z = t.charCodeAt(19);
    if (z !== 90 && z !== 122) return undefined;
    offsetMin = 0;
  } else {
    const sign = t.charCodeAt(19);
    const oh = digits(t, 20, 2), om = digits(t, 23, 2);
    if ((sign !== 43 && sign !== 45) || t.charCodeAt(22) !== 58 || !(oh <= 14 && om <= 59)) return undefined;
    offsetMin = (sign === 45 ? -1 : 1) * (oh * 60 + om);
  }
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - offsetMin * 60_000;
  if (instantRangeProblem(ms, now) !== undefined) return undefined;
  return { ok: true, ms, hadOffset: true };
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
