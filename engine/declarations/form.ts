import { z } from 'zod';
import { isCalendarDate, parseInstant, isoUtc } from '../time';
import { checkAddressCodes, type AddressCodes } from '../reference/admin-units';
import { checkCccdConsistency, checkDocumentFormat, DOCUMENT_TYPES, normalizeDocumentNumber, type DocumentProblem, type DocumentType, type Sex } from '../reference/documents';
import { issue, KNOWN_ISSUE_CODES, type FieldIssue } from './messages';

/**
 * The unified health and movement declaration: the one form every platform maps to
 * (DESIGN.md; ../shared/reference/declaration-forms.md §6 for the value lists). The schema
 * parses and canonicalises: document numbers without separators, names in NFC with single
 * spaces, phones as `0…` national numbers, `declaredAt` as ISO UTC. Errors leave as FieldIssues
 * with a Vietnamese and an English message (validateDeclaration).
 */

export const SYMPTOMS = [
  'fever',
  'cough',
  'dyspnea',
  'pneumonia',
  'sore_throat',
  'fatigue',
  'nausea_vomiting',
  'diarrhea',
  'skin_haemorrhage',
  'rash',
  'taste_change',
] as const;
export type Symptom = (typeof SYMPTOMS)[number];

export const TRANSPORT_MEANS = ['airplane', 'train', 'coach', 'car', 'motorbike', 'bicycle', 'waterway', 'walking', 'other'] as const;
export type TransportMeans = (typeof TRANSPORT_MEANS)[number];

export const SEXES = ['male', 'female', 'other'] as const;

/** The year of a birth date (`YYYY-MM-DD` or `YYYY`). */
export function birthYear(birthDate: string): number {
  return Number(birthDate.slice(0, 4));
}

const text = (max: number) => z.string('invalid_type').trim().min(1, 'required').max(max, 'too_long');
const digits = (n: 2 | 3 | 5, key: string) => z.string('invalid_type').trim().regex(new RegExp(`^\\d{${n}}$`), key);
const calendarDate = z.string('invalid_type').trim().refine(isCalendarDate, 'date_format');

const nameSchema = z
  .string('invalid_type')
  .transform((v) => v.normalize('NFC').replace(/\s+/gu, ' ').trim())
  .pipe(z.string().min(1, 'required').max(100, 'too_long').regex(/^[\p{L}\p{M}][\p{L}\p{M} .'-]*$/u, 'name_format'));

const birthDateSchema = z
  .string('invalid_type')
  .trim()
  .refine((v) => /^\d{4}$/.test(v) || isCalendarDate(v), 'birth_date_format')
  .refine((v) => birthYear(v) >= 1900, 'birth_date_range');

/** VN numbers: mobile 0[35789]x xxx xxxx, landline 02xx xxx xxxx; `+84`/`84` read as `0`. */
export function normalizePhone(raw: string): string | undefined {
  const compact = raw.replace(/[\s.()-]+/g, '');
  const m = /^(?:\+84|84|0)(\d{9,10})$/.exec(compact);
  if (!m) return undefined;
  const national = `0${m[1]}`;
  return /^0[35789]\d{8}$/.test(national) || /^02\d{9}$/.test(national) ? national : undefined;
}

const phoneSchema = z.string('invalid_type').transform((v, ctx) => {
  const n = normalizePhone(v);
  if (n === undefined) {
    ctx.addIssue({ code: 'custom', message: 'phone_format' });
    return z.NEVER;
  }
  return n;
});

const addressCheck = (a: AddressCodes, ctx: z.RefinementCtx): void => {
  // zod runs this refinement even when a code failed its format check; the format issue says enough.
  const wellFormed = /^\d{2}$/.test(a.province) && (a.district === undefined || /^\d{3}$/.test(a.district)) && (a.commune === undefined || /^\d{5}$/.test(a.commune));
  if (!wellFormed) return;
  for (const p of checkAddressCodes(a)) {
    ctx.addIssue({ code: 'custom', message: p.key, path: [p.field], params: { ...p } });
  }
};

// Province required; district and commune when known. The online forms required the commune,
// but exports of visitors from other provinces often carry the province alone, and refusing
// those would drop exactly the people a checkpoint most needs to know about.
const placeSchema = z
  .strictObject({
    province: digits(2, 'province_format'),
    district: digits(3, 'district_format').optional(),
    commune: digits(5, 'commune_format').optional(),
    detail: text(200).optional(),
  })
  .superRefine(addressCheck);
const addressSchema = placeSchema;

const documentSchema = z
  .strictObject({
    type: z.enum(DOCUMENT_TYPES, 'invalid_value'),
    number: z.string('invalid_type').min(1, 'required'),
  })
  .transform((d, ctx) => {
    const number = normalizeDocumentNumber(d.type, d.number);
    for (const p of checkDocumentFormat(d.type, number)) ctx.addIssue({ code: 'custom', message: p.key, path: ['number'], params: { ...p } });
    return { type: d.type, number };
  });

const instantSchema = z.string('invalid_type').transform((v, ctx) => {
  const r = parseInstant(v);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: 'instant_format' });
    return z.NEVER;
  }
  return isoUtc(r.ms);
});

export const unifiedDeclarationSchema = z
  .strictObject({
    document: documentSchema,
    fullName: nameSchema,
    birthDate: birthDateSchema,
    sex: z.enum(SEXES, 'invalid_value'),
    phone: phoneSchema,
    address: addressSchema,
    trip: z
      .strictObject({
        from: placeSchema,
        to: placeSchema,
        date: calendarDate,
        means: z.enum(TRANSPORT_MEANS, 'invalid_value'),
        vehicleNumber: text(20).optional(),
      })
      .optional(),
    symptoms: z
      .array(z.enum(SYMPTOMS, 'invalid_value'), 'invalid_type')
      .refine((a) => new Set(a).size === a.length, 'duplicate'),
    exposure: z.strictObject({
      visitedAffectedArea: z.boolean('invalid_type'),
      contactWithCase: z.boolean('invalid_type'),
      contactWithSymptomatic: z.boolean('invalid_type'),
      contactWithTraveller: z.boolean('invalid_type'),
    }),
    vaccination: z
      .strictObject({
        doses: z.number('invalid_type').int('invalid_type').min(0, 'too_small').max(10, 'too_big'),
        lastDoseDate: calendarDate.optional(),
        vaccine: text(60).optional(),
      })
      .optional(),
    platform: z.string('invalid_type').regex(/^[a-z][a-z0-9-]{1,31}$/, 'platform_format'),
    sourceRef: text(64).optional(),
    declaredAt: instantSchema,
  })
  .superRefine((d, ctx) => {
    for (const p of crossFieldProblems(d.document.type, d.document.number, d.birthDate, d.sex)) {
      ctx.addIssue({ code: 'custom', message: p.key, path: ['document', 'number'], params: { ...p } });
    }
  });

/** The unified declaration after parsing (canonical values). */
export type UnifiedDeclaration = z.output<typeof unifiedDeclarationSchema>;
/** What a client sends before canonicalisation. */
export type UnifiedDeclarationInput = z.input<typeof unifiedDeclarationSchema>;

function crossFieldProblems(type: DocumentType, num: string, birthDate: string, sex: Sex): DocumentProblem[] {
  if (type !== 'CCCD' || checkDocumentFormat(type, num).length > 0) return [];
  return checkCccdConsistency(num, birthYear(birthDate), sex);
}

export type ValidationResult = { ok: true; value: UnifiedDeclaration } | { ok: false; issues: FieldIssue[] };

export interface ValidateOptions {
  /** Epoch ms; birth dates after it and declarations more than the clock-skew allowance after it are refused. */
  readonly now?: number;
}

const SKEW_MS = 5 * 60_000;

/**
 * Parses a unified declaration; on failure, every field problem at once with both languages.
 * Cross-field checks (the CCCD against birth year and sex) also run when other fields fail, so a
 * citizen fixes everything in one round.
 */
export function validateDeclaration(input: unknown, options: ValidateOptions = {}): ValidationResult {
  const r = unifiedDeclarationSchema.safeParse(input);
  const issues: FieldIssue[] = r.success ? [] : r.error.issues.map((i) => toFieldIssue(i, input));
  if (!r.success) {
    for (const extra of crossFieldFromRaw(input)) {
      if (!issues.some((i) => i.path === extra.path && i.code === extra.code)) issues.push(extra);
    }
  }
  if (r.success && options.now !== undefined) {
    const v = r.data;
    if (v.birthDate.length === 10 ? Date.parse(`${v.birthDate}T00:00:00Z`) > options.now : birthYear(v.birthDate) > new Date(options.now).getUTCFullYear()) {
      issues.push(issue('birthDate', 'birth_date_range'));
    }
    if (Date.parse(v.declaredAt) > options.now + SKEW_MS) issues.push(issue('declaredAt', 'in_future'));
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: (r as { data: UnifiedDeclaration }).data };
}

function crossFieldFromRaw(input: unknown): FieldIssue[] {
  const raw = input as { document?: { type?: unknown; number?: unknown }; birthDate?: unknown; sex?: unknown } | null;
  if (raw === null || typeof raw !== 'object') return [];
  const type = z.enum(DOCUMENT_TYPES).safeParse(raw.document?.type);
  const num = z.string().safeParse(raw.document?.number);
  const birth = birthDateSchema.safeParse(raw.birthDate);
  const sex = z.enum(SEXES).safeParse(raw.sex);
  if (!type.success || !num.success || !birth.success || !sex.success) return [];
  return crossFieldProblems(type.data, normalizeDocumentNumber(type.data, num.data), birth.data, sex.data).map((p) =>
    issue('document.number', p.key, { ...p }),
  );
}

const FORMAT_DIGITS: Record<string, number> = { province_format: 2, district_format: 3, commune_format: 5 };

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

/** A zod issue → a bilingual FieldIssue. Our own keys travel in `message`; zod's codes are translated by kind. */
export function toFieldIssue(i: z.core.$ZodIssue, input: unknown): FieldIssue {
  const path = i.path.map(String).join('.');
  const missing = valueAt(input, i.path) === undefined;
  if (i.code === 'unrecognized_keys') return issue(path || 'declaration', 'unrecognized_keys', { keys: i.keys.join(', ') });
  if (missing && (i.code === 'invalid_type' || i.message === 'required' || i.code === 'invalid_value')) return issue(path, 'required');
  const digits = FORMAT_DIGITS[i.message];
  if (digits !== undefined) return issue(path, 'code_format', { digits });
  if (i.code === 'invalid_value') return issue(path, 'invalid_value', { options: i.values.map(String).join(', ') });
  if (i.code === 'custom') return issue(path, i.message, i.params ?? {});
  if (i.code === 'too_small') return issue(path, i.origin === 'string' || i.origin === 'array' ? 'too_short' : 'too_small', { minimum: Number(i.minimum) });
  if (i.code === 'too_big') return issue(path, i.origin === 'string' || i.origin === 'array' ? 'too_long' : 'too_big', { maximum: Number(i.maximum) });
  if (i.code === 'invalid_type') return issue(path, 'invalid_type', { expected: i.expected });
  if (KNOWN_ISSUE_CODES.includes(i.message)) return issue(path, i.message);
  return issue(path, 'invalid');
}
