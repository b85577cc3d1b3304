import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { invalidInput, notFound, TruyvetError } from '../errors';
import { DEFAULT_TZ, parseInstant } from '../time';
import { validateDeclaration, type UnifiedDeclaration, type ValidateOptions } from './form';
import type { FieldIssue } from './messages';

/**
 * Platform exports → the unified form, and back, driven by one declarative mapping file per
 * platform (platforms/*.json): no code per platform. A mapping lists, for every field of the
 * platform's record, the unified path it fills and how its values translate (a value table, a
 * codec for dates and numbers, a flag that adds one member to a list, or a list of values).
 * Anything the mapping does not name is an error that says platform, field and value: silently
 * dropping a field of a health declaration is worse than refusing the record.
 */

/** Unified paths a mapping may fill (the leaves of form.ts). */
export const UNIFIED_TARGETS = [
  'document.type',
  'document.number',
  'fullName',
  'birthDate',
  'sex',
  'phone',
  'address.province',
  'address.district',
  'address.commune',
  'address.detail',
  'trip.from.province',
  'trip.from.district',
  'trip.from.commune',
  'trip.from.detail',
  'trip.to.province',
  'trip.to.district',
  'trip.to.commune',
  'trip.to.detail',
  'trip.date',
  'trip.means',
  'trip.vehicleNumber',
  'symptoms',
  'exposure.visitedAffectedArea',
  'exposure.contactWithCase',
  'exposure.contactWithSymptomatic',
  'exposure.contactWithTraveller',
  'vaccination.doses',
  'vaccination.lastDoseDate',
  'vaccination.vaccine',
  'sourceRef',
  'declaredAt',
  // The platform a record was first filed on, for exports that gather several; default: the mapping's own.
  'platform',
] as const;

/**
 * Value codecs, each a pair of pure functions between the platform's text and the unified value:
 * - `date-dmy` dd/mm/yyyy ↔ YYYY-MM-DD; `date-ymd-slash` YYYY/MM/DD ↔ YYYY-MM-DD (Bluezone);
 * - `year` YYYY ↔ a birth date (a full date goes back as its year);
 * - `datetime-dmy-vn` "dd/mm/yyyy HH:mm" wall clock in Asia/Ho_Chi_Minh ↔ ISO UTC;
 * - `instant-vn` ISO with +07:00 ↔ ISO UTC; `instant` ISO ↔ ISO UTC (written back in UTC);
 * - `int` decimal text ↔ integer (CSV cells).
 */
export const CODECS = ['date-dmy', 'date-ymd-slash', 'year', 'datetime-dmy-vn', 'instant-vn', 'instant', 'int'] as const;
export type Codec = (typeof CODECS)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const fieldSchema = z.strictObject({
  /** The platform's field: a CSV header, or a dotted path in a JSON record. */
  source: z.string().min(1),
  target: z.enum(UNIFIED_TARGETS),
  codec: z.enum(CODECS).optional(),
  /** [platform value, unified value] pairs, read both ways; the first pair wins when writing back. */
  values: z.array(z.tuple([scalar, scalar])).min(1).optional(),
  /** The field is a yes/no flag: yes adds this member to the unified list at `target`. */
  member: z.string().optional(),
  /** The field holds several values: a JSON array, or `; `-separated text in a CSV cell. */
  list: z.boolean().optional(),
  note: z.string().optional(),
});

export const platformMappingSchema = z.strictObject({
  platform: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/),
  title: z.string(),
  /** `csv`: flat records of text cells (empty = absent); `json`: nested records, absent = missing key. */
  format: z.enum(['csv', 'json']),
  source: z.string().optional(),
  /** Unified values every record of this platform gets (at least `platform`). */
  constants: z.record(z.string(), scalar),
  fields: z.array(fieldSchema).min(1),
  /** Platform fields that are known and deliberately not carried over (e.g. a commitment checkbox). */
  ignore: z.array(z.string()).default([]),
});

export type PlatformMapping = z.output<typeof platformMappingSchema>;
export type FieldMapping = PlatformMapping['fields'][number];

/** A problem with one field of one platform record. */
export interface MappingProblem {
  readonly platform: string;
  /** The platform's field name (or the unified path when no platform field fills it). */
  readonly field: string;
  /** The offending value as text, when there is one. */
  readonly value?: string;
  readonly reason: string;
  /** The bilingual form issue, when the problem was found by the unified form's validation. */
  readonly issue?: FieldIssue;
}

const PLATFORM_DIR = path.join(__dirname, 'platforms');
const cache = new Map<string, PlatformMapping>();

/** Names of the shipped mappings (file names without `.json`). */
export function listPlatforms(): string[] {
  return fs
    .readdirSync(PLATFORM_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Reads and checks a shipped mapping by name (a closed list: the name never becomes a free path). */
export function loadPlatform(name: string): PlatformMapping {
  const hit = cache.get(name);
  if (hit) return hit;
  if (!listPlatforms().includes(name)) throw notFound(`no platform mapping '${name}'; known: ${listPlatforms().join(', ')}`);
  const m = parsePlatformMapping(JSON.parse(fs.readFileSync(path.join(PLATFORM_DIR, `${name}.json`), 'utf8')), name);
  cache.set(name, m);
  return m;
}

/** Checks a mapping document (also for mappings kept outside the shipped folder). */
export function parsePlatformMapping(doc: unknown, origin: string): PlatformMapping {
  const r = platformMappingSchema.safeParse(doc);
  if (!r.success) {
    throw invalidInput(
      `platform mapping ${origin} is not valid`,
      r.error.issues.map((i) => ({ field: i.path.join('.'), reason: i.message })),
    );
  }
  const m = r.data;
  const sources = new Set<string>();
  for (const f of m.fields) {
    if (sources.has(f.source)) throw invalidInput(`platform mapping ${origin}: field '${f.source}' is mapped twice`);
    sources.add(f.source);
    if (f.values !== undefined && f.codec !== undefined) throw invalidInput(`platform mapping ${origin}: field '${f.source}' has both values and a codec`);
    if ((f.member !== undefined || f.list === true) && f.target !== 'symptoms') {
      throw invalidInput(`platform mapping ${origin}: field '${f.source}' is a member/list field but '${f.target}' is not a list`);
    }
  }
  if (m.constants['platform'] !== m.platform) throw invalidInput(`platform mapping ${origin}: constants.platform must be '${m.platform}'`);
  return m;
}

// ---------------------------------------------------------------- platform record → unified

export type FromPlatformResult = { ok: true; value: UnifiedDeclaration } | { ok: false; problems: MappingProblem[] };

/**
 * One platform record → a validated unified declaration, or every problem at once, each naming
 * the platform's field (validation issues of the unified form are traced back to it).
 */
export function fromPlatform(m: PlatformMapping, record: unknown, options: ValidateOptions = {}): FromPlatformResult {
  const pre = recordToUnifiedInput(m, record);
  if (!pre.ok) return pre;
  const v = validateDeclaration(pre.input, options);
  if (v.ok) return v;
  return { ok: false, problems: v.issues.map((i) => issueToProblem(m, i, record)) };
}

/** The mapping step alone: the unified-shaped input, not yet validated. */
export function recordToUnifiedInput(m: PlatformMapping, record: unknown): { ok: true; input: Record<string, unknown> } | { ok: false; problems: MappingProblem[] } {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return { ok: false, problems: [{ platform: m.platform, field: '(record)', reason: 'a record must be an object' }] };
  }
  const problems: MappingProblem[] = [];
  const sources = new Set(m.fields.map((f) => f.source));
  for (const [field, value] of leaves(m, record as Record<string, unknown>)) {
    if (!sources.has(field) && !m.ignore.some((i) => field === i || field.startsWith(`${i}.`))) {
      problems.push({ platform: m.platform, field, value: show(value), reason: `unknown field '${field}' for platform '${m.platform}'` });
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m.constants)) out[k] = v;
  for (const f of m.fields) {
    const raw = m.format === 'csv' ? (record as Record<string, unknown>)[f.source] : getPath(record, f.source);
    if (isAbsent(raw)) continue;
    const fail = (value: unknown, reason: string) => problems.push({ platform: m.platform, field: f.source, value: show(value), reason });
    if (f.member !== undefined) {
      const flag = decodeValue(f, raw, fail);
      if (flag === undefined) continue;
      if (typeof flag !== 'boolean') {
        fail(raw, `field '${f.source}' of platform '${m.platform}' must map to yes or no`);
        continue;
      }
      const list = (getPath(out, f.target) as unknown[] | undefined) ?? [];
      if (flag) list.push(f.member);
      setPath(out, f.target, list);
    } else if (f.list === true) {
      const items = m.format === 'csv' ? (typeof raw === 'string' ? raw.split(';').map((s) => s.trim()).filter((s) => s !== '') : undefined) : Array.isArray(raw) ? raw : undefined;
      if (items === undefined) {
        fail(raw, `field '${f.source}' of platform '${m.platform}' must be a list`);
        continue;
      }
      const decoded = items.map((it: unknown) => decodeValue(f, it, fail));
      if (decoded.every((d) => d !== undefined)) setPath(out, f.target, decoded);
    } else {
      const v = decodeValue(f, raw, fail);
      if (v !== undefined) setPath(out, f.target, v);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, input: prune(out) as Record<string, unknown> };
}

function decodeValue(f: FieldMapping, raw: unknown, fail: (value: unknown, reason: string) => void): unknown {
  if (f.values !== undefined) {
    const hit = f.values.find(([p]) => p === raw);
    if (hit === undefined) {
      fail(raw, `value ${show(raw)} of field '${f.source}' cannot be mapped; expected one of ${f.values.map(([p]) => show(p)).join(', ')}`);
      return undefined;
    }
    return hit[1];
  }
  if (f.codec === undefined) {
    if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return raw;
    fail(raw, `field '${f.source}' must be a single value`);
    return undefined;
  }
  const r = decodeCodec(f.codec, raw);
  if (!r.ok) fail(raw, `value ${show(raw)} of field '${f.source}' ${r.reason}`);
  return r.ok ? r.value : undefined;
}

type CodecResult = { ok: true; value: unknown } | { ok: false; reason: string };

function decodeCodec(codec: Codec, raw: unknown): CodecResult {
  if (codec === 'int') {
    if (typeof raw === 'number' && Number.isInteger(raw)) return { ok: true, value: raw };
    if (typeof raw === 'string' && /^\d{1,6}$/.test(raw.trim())) return { ok: true, value: Number(raw.trim()) };
    return { ok: false, reason: 'is not a whole number' };
  }
  if (typeof raw !== 'string') return { ok: false, reason: 'must be text' };
  const t = raw.trim();
  switch (codec) {
    case 'date-dmy': {
      const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
      return m ? { ok: true, value: `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` } : { ok: false, reason: 'is not a date written dd/mm/yyyy' };
    }
    case 'date-ymd-slash': {
      const m = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(t);
      return m ? { ok: true, value: `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` } : { ok: false, reason: 'is not a date written yyyy/mm/dd' };
    }
    case 'year':
      return /^\d{4}$/.test(t) ? { ok: true, value: t } : { ok: false, reason: 'is not a year (yyyy)' };
    case 'datetime-dmy-vn': {
      const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(t);
      if (!m) return { ok: false, reason: 'is not a date-time written dd/mm/yyyy HH:mm' };
      const local = `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}T${m[4]!.padStart(2, '0')}:${m[5]}:${m[6] ?? '00'}`;
      const p = parseInstant(local, DEFAULT_TZ);
      return p.ok ? { ok: true, value: new Date(p.ms).toISOString() } : { ok: false, reason: p.reason };
    }
    case 'instant-vn':
    case 'instant': {
      const p = parseInstant(t, DEFAULT_TZ);
      return p.ok ? { ok: true, value: new Date(p.ms).toISOString() } : { ok: false, reason: p.reason };
    }
  }
}

// ---------------------------------------------------------------- unified → platform record

/**
 * A unified declaration → the platform's record. CSV records have every column (empty text
 * for an absent value); JSON records omit absent values. A unified value the platform cannot
 * express (e.g. sex `other` on a yes/no field) is an error naming the platform field.
 */
export function toPlatform(m: PlatformMapping, d: UnifiedDeclaration): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const problems: MappingProblem[] = [];
  for (const f of m.fields) {
    const v = getPath(d, f.target);
    let encoded: unknown;
    if (f.member !== undefined) {
      encoded = encodeValue(m, f, Array.isArray(v) && v.includes(f.member), problems);
    } else if (v === undefined || (f.target === 'platform' && v === m.constants['platform'])) {
      // The mapping's own platform is the default a record without this field gets: not written.
      encoded = undefined;
    } else if (f.list === true) {
      const items = (v as unknown[]).map((it) => encodeValue(m, f, it, problems));
      encoded = m.format === 'csv' ? items.join('; ') : items;
    } else {
      encoded = encodeValue(m, f, v, problems);
    }
    if (m.format === 'csv') out[f.source] = cell(encoded);
    else if (encoded !== undefined) setPath(out, f.source, encoded);
  }
  if (problems.length > 0) {
    throw new TruyvetError(
      'invalid_input',
      `the declaration cannot be written as a '${m.platform}' record`,
      problems.map((p) => ({ field: p.field, reason: p.reason })),
    );
  }
  return out;
}

/** A CSV cell: empty for an absent value. */
function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

function encodeValue(m: PlatformMapping, f: FieldMapping, v: unknown, problems: MappingProblem[]): unknown {
  if (f.values !== undefined) {
    const hit = f.values.find(([, u]) => u === v);
    if (hit === undefined) {
      problems.push({ platform: m.platform, field: f.source, value: show(v), reason: `unified value ${show(v)} has no '${m.platform}' equivalent for field '${f.source}'` });
      return undefined;
    }
    return hit[0];
  }
  if (f.codec === undefined) return v;
  return encodeCodec(f.codec, v);
}

const pad = (n: number) => String(n).padStart(2, '0');

function vnWallClock(iso: string): { date: string; time: string } {
  // Asia/Ho_Chi_Minh has had no daylight saving since 1975: a fixed +07:00 is exact for any
  // instant a declaration can carry.
  const t = new Date(Date.parse(iso) + 7 * 3600_000);
  return {
    date: `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`,
    time: `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`,
  };
}

function encodeCodec(codec: Codec, v: unknown): unknown {
  const s = String(v);
  switch (codec) {
    case 'int':
      return v;
    case 'date-dmy':
      return `${s.slice(8, 10)}/${s.slice(5, 7)}/${s.slice(0, 4)}`;
    case 'date-ymd-slash':
      return s.replaceAll('-', '/');
    case 'year':
      return s.slice(0, 4);
    case 'datetime-dmy-vn': {
      const w = vnWallClock(s);
      const [y, mo, d] = w.date.split('-');
      return `${d}/${mo}/${y} ${w.time.endsWith(':00') ? w.time.slice(0, 5) : w.time}`;
    }
    case 'instant-vn': {
      const w = vnWallClock(s);
      return `${w.date}T${w.time}+07:00`;
    }
    case 'instant':
      return new Date(Date.parse(s)).toISOString();
  }
}

// ---------------------------------------------------------------- helpers

/** Every leaf of a record as [dotted path, value]; arrays are leaves. CSV records are flat. */
function leaves(m: PlatformMapping, record: Record<string, unknown>): [string, unknown][] {
  if (m.format === 'csv') return Object.entries(record);
  const out: [string, unknown][] = [];
  const walk = (o: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      const p = prefix === '' ? k : `${prefix}.${k}`;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && !isMappedSource(m, p)) walk(v as Record<string, unknown>, p);
      else out.push([p, v]);
    }
  };
  walk(record, '');
  return out;
}

function isMappedSource(m: PlatformMapping, p: string): boolean {
  return m.fields.some((f) => f.source === p);
}

function isAbsent(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

export function getPath(o: unknown, dotted: string): unknown {
  let cur = o;
  for (const k of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function setPath(o: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let cur = o;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (next === null || typeof next !== 'object') cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = value;
}

/** Drops objects left empty (a trip with no field filled is no trip). */
function prune(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const p = prune(x);
    if (p !== null && typeof p === 'object' && !Array.isArray(p) && Object.keys(p).length === 0) continue;
    out[k] = p;
  }
  return out;
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** A unified-form issue → the platform field that fed the path (or the unified path itself). */
function issueToProblem(m: PlatformMapping, i: FieldIssue, record: unknown): MappingProblem {
  const target = i.path.replace(/\.\d+$/, '');
  const f = m.fields.find((x) => x.target === i.path) ?? m.fields.find((x) => x.target === target && x.member === undefined) ?? m.fields.find((x) => x.target === target);
  const field = f?.source ?? i.path;
  const raw = f === undefined ? undefined : m.format === 'csv' ? (record as Record<string, unknown>)[f.source] : getPath(record, f.source);
  return {
    platform: m.platform,
    field,
    ...(raw === undefined || f?.member !== undefined ? {} : { value: show(raw) }),
    reason: `${i.message_en} (platform '${m.platform}', field '${field}')`,
    issue: i,
  };
}
