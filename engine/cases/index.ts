/**
 * Confirmed cases (issue 22; DESIGN.md "Outbreak semantics", "Interfaces": cases.csv).
 *
 * A case is `(:Case {id, personId, confirmedAt, onsetAt?, infectiousFrom?, infectiousTo?, status,
 * …})-[:OF]->(:Person)` in the graph (engine/db/cases.ts), its person by pseudonym only, its status
 * `confirmed | recovered | died | discarded`. Cases arrive by `truyvet cases import FILE` (the
 * import pipeline, engine/import: sinks.ts caseSink) and `POST /api/cases` (registerCases); both
 * read a case with one parser (input.ts caseInputSchema). Jurisdiction is the case person's
 * registry home, applied in every query; an unregistered person has none, so only national
 * callers see or register their cases.
 *
 * For outbreak runs (`truyvet outbreak trace`, `POST /api/outbreaks`):
 * - `selectCases({ confirmedSince?, confirmedUntil?, caseIds?, statuses?, scope?, limit? })
 *     → Promise<{ cases: OutbreakCase[]; missing: string[] }>`: stored cases, pseudonymous, sorted by
 *   case id, ready for outbreakTrace; statuses default to all but `discarded` (TRACED_STATUSES);
 *   needs confirmedSince or caseIds; more than `limit` (100,000) is a validation error;
 * - `readCasesFile(path, { now, profile?, map?, maxCases? })
 *     → Promise<{ cases: OutbreakCase[]; rejects: ImportReject[]; warnings: string[]; read: number }>`:
 *   a cases CSV read by the import's rules without storing it (`--cases FILE`); it lives in
 *   engine/import (cases-file.ts), which builds on this folder's case input, not the other way.
 * Both leave the case's period as given: outbreakTrace (engine/outbreak) applies DESIGN's defaults.
 */
export {
  CASE_COLUMN,
  CASE_FIELDS,
  CASE_STATUSES,
  MAX_CASES_PER_REQUEST,
  TRACED_STATUSES,
  caseBatchSchema,
  caseInputFields,
  caseInputSchema,
  caseWarnings,
  periodProblem,
  type CaseField,
  type CaseInput,
  type CaseStatus,
} from './input';
export {
  DEFAULT_SELECTION_LIMIT,
  casesFor,
  changeCaseStatus,
  outbreakCaseOfStored,
  periodOf,
  registerCases,
  registerTracedCases,
  selectCases,
  type CaseListFilter,
  type CaseListing,
  type CaseSelection,
  type RegisterOptions,
  type RegisteredCase,
  type StatusChangeRequest,
  type StoredCase,
} from './registry';
