import { z } from 'zod';
import { isTruyvetError } from '../errors';
import { instant } from '../input';
import { resolveCase } from '../outbreak/cases';
import type { OutbreakCase } from '../types';

/**
 * A confirmed case as its source gives it (DESIGN.md, "Interfaces": cases.csv), read by ONE
 * parser wherever it arrives: the API's JSON (`POST /api/cases`) parses it with caseInputSchema,
 * the CSV import (`truyvet cases import`, engine/import/rows.ts) and readCasesFile build the same
 * object from a row's text and parse it with the same schema. So a case one accepts the other
 * accepts, and a refusal names the same rule. Pure; the clock is passed in.
 *
 * Rules:
 * - `caseId` and `personId` (the person's key as in the source files, a national id): NFC,
 *   trimmed, 1–64 characters, no control characters;
 * - instants by the shared parser (engine/input.ts): ISO 8601, Asia/Ho_Chi_Minh without an
 *   offset, a bare date its midnight there, within [2000-01-01, now + 1 day];
 * - the infectious period (explicit bounds, each missing one by DESIGN's default: from
 *   (onset ?? confirmation) − 2 days to confirmation) must not start after it ends: the outbreak
 *   engine's own check (engine/outbreak/cases.ts resolveCase), naming the bound the user gave;
 * - onset after confirmation is accepted with a warning, not refused: a case tested while still
 *   presymptomatic (screening, a contact's test) has exactly that, and DESIGN's default then
 *   starts the period 2 days before onset. Onset more than 2 days after confirmation with no
 *   explicit period leaves the default period empty, which is refused (field onsetAt).
 */

export const CASE_STATUSES = ['confirmed', 'recovered', 'died', 'discarded'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/**
 * The statuses an outbreak run traces by default: every case but a discarded one (a false
 * positive). A case that recovered or died since its confirmation was still infectious in its
 * period, so its contacts still count.
 */
export const TRACED_STATUSES: readonly CaseStatus[] = ['confirmed', 'recovered', 'died'];

export const MAX_CASE_KEY_LENGTH = 64;
/** Cases one `POST /api/cases` may carry (about 30 KB of JSON, within the API's 64-KB body limit): a laboratory's day goes through the import. */
export const MAX_CASES_PER_REQUEST = 200;

/** A case as typed, checked: the raw person key, instants in epoch ms. */
export interface CaseInput {
  readonly caseId: string;
  /** NFC, trimmed; pseudonymised before it reaches the graph (identity.pseudonym). */
  readonly rawPersonId: string;
  readonly confirmedAt: number;
  readonly onsetAt?: number;
  readonly infectiousFrom?: number;
  readonly infectiousTo?: number;
  /** What is accepted but worth a look (onset after confirmation). */
  readonly warnings: readonly string[];
}

/** The fields of a case, by their API name, in the order of the cases.csv columns. */
export const CASE_FIELDS = ['caseId', 'personId', 'confirmedAt', 'onsetAt', 'infectiousFrom', 'infectiousTo'] as const;
export type CaseField = (typeof CASE_FIELDS)[number];

/** The cases.csv column of each field (DESIGN.md, "Interfaces"). */
export const CASE_COLUMN: Readonly<Record<CaseField, string>> = {
  caseId: 'case_id',
  personId: 'person_id',
  confirmedAt: 'confirmed_at',
  onsetAt: 'onset_at',
  infectiousFrom: 'infectious_from',
  infectiousTo: 'infectious_to',
};

// C0 controls and DEL: a key is one line of text. Matching them is the point.
// eslint-disable-next-line no-control-regex
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;

const key = () =>
  z
    .string()
    .normalize('NFC')
    .trim()
    .min(1, 'empty')
    .max(MAX_CASE_KEY_LENGTH, `longer than ${MAX_CASE_KEY_LENGTH} characters`)
    .regex(NO_CONTROL, 'contains a control character or line break');

/** The fields, each with its parser (instants checked against `now()` at each parse). */
export function caseInputFields(now: () => number) {
  const when = (what: string) =>
    instant(now).meta({
      description: `${what}. ISO 8601; without an offset read in Asia/Ho_Chi_Minh, a bare date is its midnight there; from 2000-01-01T00:00Z to a day after now`,
      example: '2021-08-02T07:30:00+07:00',
    });
  return {
    caseId: key().meta({ description: "the case's id in the laboratory's or authority's register (e.g. BN123456)" }),
    personId: key().meta({ description: "the case person's key as in the source files (a national id); pseudonymised at once" }),
    confirmedAt: when('When the case was confirmed (the positive result); the default end of the infectious period (isolation)'),
    onsetAt: when('Symptom onset, if any').optional(),
    infectiousFrom: when('Start of the infectious period; default (onsetAt ?? confirmedAt) − 2 days').optional(),
    infectiousTo: when('End of the infectious period; default confirmedAt').optional(),
  };
}

type Fields = z.output<z.ZodObject<ReturnType<typeof caseInputFields>>>;

/** The engine's case of checked fields, with a pseudonymous or raw person key as given. */
function outbreakCaseOf(v: Fields, personId: string): OutbreakCase {
  return {
    caseId: v.caseId,
    personId,
    confirmedAt: v.confirmedAt,
    ...(v.onsetAt !== undefined ? { onsetAt: v.onsetAt } : {}),
    ...(v.infectiousFrom !== undefined ? { infectiousFrom: v.infectiousFrom } : {}),
    ...(v.infectiousTo !== undefined ? { infectiousTo: v.infectiousTo } : {}),
  };
}

/**
 * Why the case's infectious period is empty, by the outbreak engine's rule, as the field to fix
 * and the reason; undefined when it is not.
 */
export function periodProblem(c: OutbreakCase): { field: CaseField; reason: string } | undefined {
  try {
    resolveCase(c, 'case');
    return undefined;
  } catch (e) {
    if (!isTruyvetError(e)) throw e;
    const d = e.details[0];
    const field = (d?.field ?? '').replace(/^case\./, '') as CaseField;
    return { field: CASE_FIELDS.includes(field) ? field : 'infectiousFrom', reason: `the infectious period would start after it ends: ${field} is ${d?.reason ?? 'out of order'}` };
  }
}

/** What is accepted but worth a look. */
export function caseWarnings(c: { readonly confirmedAt: number; readonly onsetAt?: number | undefined; readonly infectiousFrom?: number | undefined }): string[] {
  if (c.onsetAt === undefined || c.onsetAt <= c.confirmedAt) return [];
  return c.infectiousFrom === undefined
    ? ['onset is after confirmation (presymptomatic when tested): the default infectious period starts 2 days before onset; give infectiousFrom to start it earlier']
    : ['onset is after confirmation (presymptomatic when tested)'];
}

/** The rules across fields, as a refinement of an object holding the fields. */
function caseRules(v: Fields, ctx: z.RefinementCtx): void {
  // A field that failed its own parse is already reported; the period needs them all.
  const instants = [v.confirmedAt, v.onsetAt, v.infectiousFrom, v.infectiousTo];
  if (!instants.every((t) => t === undefined || Number.isSafeInteger(t))) return;
  const p = periodProblem(outbreakCaseOf(v, v.personId));
  if (p) ctx.addIssue({ code: 'custom', path: [p.field], message: p.reason });
}

function toCaseInput(v: Fields): CaseInput {
  return {
    caseId: v.caseId,
    rawPersonId: v.personId,
    confirmedAt: v.confirmedAt,
    ...(v.onsetAt !== undefined ? { onsetAt: v.onsetAt } : {}),
    ...(v.infectiousFrom !== undefined ? { infectiousFrom: v.infectiousFrom } : {}),
    ...(v.infectiousTo !== undefined ? { infectiousTo: v.infectiousTo } : {}),
    warnings: caseWarnings(v),
  };
}

/** One case: the fields, the rules, the typed result. */
export function caseInputSchema(now: () => number) {
  return z.strictObject(caseInputFields(now)).superRefine(caseRules).transform(toCaseInput);
}

/** Two entries of one batch with the same case id: the same case twice is one, two different ones a mistake. */
function sameCase(a: CaseInput, b: CaseInput): boolean {
  return (
    a.rawPersonId === b.rawPersonId &&
    a.confirmedAt === b.confirmedAt &&
    a.onsetAt === b.onsetAt &&
    a.infectiousFrom === b.infectiousFrom &&
    a.infectiousTo === b.infectiousTo
  );
}

/**
 * Several cases (the API's batch): each by caseInputSchema; a case id given twice with other
 * data is refused at its second place, the same case twice is kept once.
 */
export function caseBatchSchema(now: () => number, max = MAX_CASES_PER_REQUEST) {
  return z
    .strictObject({ cases: z.array(caseInputSchema(now)).min(1).max(max) })
    .superRefine((v, ctx) => {
      const first = new Map<string, { i: number; c: CaseInput }>();
      v.cases.forEach((c, i) => {
        const prev = first.get(c.caseId);
        if (prev === undefined) first.set(c.caseId, { i, c });
        else if (!sameCase(prev.c, c)) ctx.addIssue({ code: 'custom', path: ['cases', i, 'caseId'], message: `repeats cases[${prev.i}] with other data` });
      });
    })
    .transform((v) => {
      const seen = new Set<string>();
      return v.cases.filter((c) => (seen.has(c.caseId) ? false : (seen.add(c.caseId), true)));
    });
}
