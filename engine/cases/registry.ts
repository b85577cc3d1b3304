import { casesByIds, listCases, setCaseStatus, writeCases, type StoredCase } from '../db/cases';
import { conflict, forbidden, invalidInput, notFound, TruyvetError, validationFailed } from '../errors';
import { pseudonym, seal } from '../identity';
import { infectiousPeriod } from '../outbreak/cases';
import { fullIdentities, type ScopedIdentities } from '../privacy/visibility';
import { MIN_INSTANT_MS } from '../time';
import type { Jurisdiction, OutbreakCase } from '../types';
import { CASE_STATUSES, TRACED_STATUSES, type CaseInput, type CaseStatus } from './input';

/**
 * The case registry's work for the API and the command line: registering cases one by one
 * (the import writes files through the import pipeline, engine/import/sinks.ts caseSink, with the
 * same storage), listing them for a jurisdiction with the identities its caller may see, changing
 * a status, and selecting cases for an outbreak run. Jurisdiction is always the case person's
 * registry home, applied in the query (engine/db/cases.ts).
 */

export type { StoredCase };

/** What became of one case of a registration. */
export interface RegisteredCase {
  readonly id: string;
  readonly outcome: 'created' | 'updated' | 'duplicate';
  /** The person is in the population registry (else: kept as unregistered). */
  readonly registered: boolean;
  readonly warnings: readonly string[];
}

export interface RegisterOptions {
  /** The caller's jurisdiction: every case person must live inside it; undefined: national. */
  readonly scope: Jurisdiction | undefined;
  /** Who registers (a username). */
  readonly by: string;
  readonly now: number;
  readonly source: string;
}

/**
 * Registers checked cases, all or none, in one transaction. A case id already stored with the same
 * data is a duplicate; with other dates for the same person it is updated (a correction; the
 * status stays); for another person it is a conflict (409, nothing written). With a scope, every
 * case person must live inside it by the population registry, which a person missing from the
 * registry does not: such a case is registered by a national tracer (403, nothing written; the
 * refusal is the same whether the person lives elsewhere or is unknown, so it tells nothing about
 * the registry). Field names in errors are the batch's (`cases.2.personId`).
 */
export async function registerCases(cases: readonly CaseInput[], o: RegisterOptions): Promise<RegisteredCase[]> {
  const { written, results } = await writeCases(
    cases.map((c) => ({
      id: c.caseId,
      personId: pseudonym(c.rawPersonId),
      personRef: () => seal(c.rawPersonId),
      confirmedAt: c.confirmedAt,
      ...(c.onsetAt !== undefined ? { onsetAt: c.onsetAt } : {}),
      ...(c.infectiousFrom !== undefined ? { infectiousFrom: c.infectiousFrom } : {}),
      ...(c.infectiousTo !== undefined ? { infectiousTo: c.infectiousTo } : {}),
    })),
    { source: o.source, by: o.by, now: o.now, scope: o.scope, atomic: true },
  );
  const outside = cases.flatMap((c, i) => (results.get(c.caseId)?.outcome === 'outside' ? [{ field: `cases.${i}.personId`, reason: 'does not live in your jurisdiction' }] : []));
  if (outside.length > 0) {
    throw new TruyvetError(
      'forbidden',
      `${outside.length === 1 ? 'the case person does' : `${outside.length} case persons do`} not live in your jurisdiction (by the population registry): the authority where they live, or a national tracer, registers their cases`,
      outside,
    );
  }
  const taken = cases.find((c) => results.get(c.caseId)?.outcome === 'other_person');
  if (taken) throw conflict(`case '${taken.caseId}' is already registered for another person; nothing was registered`);
  if (!written) throw new Error('registerCases: the write was held back without a reason');
  return cases.map((c) => {
    const r = results.get(c.caseId);
    const outcome = r?.outcome === 'updated' ? 'updated' : r?.outcome === 'duplicate' ? 'duplicate' : 'created';
    return { id: c.caseId, outcome, registered: r?.registered ?? false, warnings: c.warnings };
  });
}

/**
 * Registers the cases of a file an outbreak run traced (`truyvet outbreak trace --cases FILE`), so
 * that the run's `(:Case)` nodes are the registry's, as the import would have written them: a new
 * case is created, the same data again is a duplicate, other dates for the same person update it
 * (its status stays); all or none, and a case id stored for another person is a conflict. The case
 * persons are in the graph already (the run traced them), so no raw key is needed. National: the
 * command line has no jurisdiction.
 */
export async function registerTracedCases(cases: readonly OutbreakCase[], o: Omit<RegisterOptions, 'scope'>): Promise<{ created: number; updated: number; duplicates: number }> {
  const { written, results } = await writeCases(
    cases.map((c) => ({
      id: c.caseId,
      personId: c.personId,
      personRef: () => {
        throw invalidInput(`case '${c.caseId}': its person is not in the graph`);
      },
      confirmedAt: c.confirmedAt,
      ...(c.onsetAt !== undefined ? { onsetAt: c.onsetAt } : {}),
      ...(c.infectiousFrom !== undefined ? { infectiousFrom: c.infectiousFrom } : {}),
      ...(c.infectiousTo !== undefined ? { infectiousTo: c.infectiousTo } : {}),
    })),
    { source: o.source, by: o.by, now: o.now, scope: undefined, atomic: true },
  );
  const taken = cases.find((c) => results.get(c.caseId)?.outcome === 'other_person');
  if (taken) throw conflict(`case '${taken.caseId}' is registered for another person; nothing was registered or stored`);
  if (!written) throw new Error('registerTracedCases: the write was held back without a reason');
  const n = (x: string) => cases.filter((c) => results.get(c.caseId)?.outcome === x).length;
  return { created: n('imported'), updated: n('updated'), duplicates: n('duplicate') };
}

export interface CaseListFilter {
  readonly scope: Jurisdiction | undefined;
  /** Default: every status. */
  readonly statuses?: readonly CaseStatus[];
  readonly confirmedFrom?: number;
  readonly confirmedTo?: number;
  readonly skip: number;
  readonly limit: number;
}

/** A page of cases with the identities of their people the caller may see (engine/privacy/visibility.ts). */
export interface CaseListing extends ScopedIdentities {
  readonly cases: StoredCase[];
}

/** The latest instant a stored case may have (input is refused past now + 1 day): an open upper bound for the index range. */
const FAR_FUTURE = Date.UTC(9999, 0, 1);

/**
 * Cases of people living inside the scope, newest confirmation first, with their people's
 * identities for that scope: full for people whose home lies inside it (everyone, nationally;
 * the raw key for an unregistered person), else only their home (engine/privacy/visibility.ts).
 */
export async function casesFor(f: CaseListFilter): Promise<CaseListing> {
  const cases = await listCases({
    scope: f.scope,
    statuses: f.statuses === undefined ? null : f.statuses,
    confirmedFrom: f.confirmedFrom ?? MIN_INSTANT_MS,
    confirmedTo: f.confirmedTo ?? FAR_FUTURE,
    skip: f.skip,
    limit: f.limit,
  });
  const ids = await fullIdentities([...new Set(cases.map((c) => c.personId))], f.scope);
  return { cases, ...ids };
}

export interface StatusChangeRequest {
  readonly id: string;
  readonly status: CaseStatus;
  readonly note?: string | undefined;
  readonly by: string;
  readonly now: number;
  readonly scope: Jurisdiction | undefined;
}

/**
 * Sets a case's status (stamped: who, when, the note) when its person lives inside the scope; the
 * same status again changes nothing. Throws not_found for an unknown id, forbidden for a case
 * outside the scope (the query decides).
 */
export async function changeCaseStatus(r: StatusChangeRequest): Promise<{ stored: StoredCase; before: CaseStatus; changed: boolean }> {
  if (!CASE_STATUSES.includes(r.status)) throw validationFailed(`status '${String(r.status)}' is not one of ${CASE_STATUSES.join(', ')}`, [{ field: 'status', reason: 'unknown' }]);
  const res = await setCaseStatus({ id: r.id, status: r.status, note: r.note ?? null, by: r.by, now: r.now, scope: r.scope });
  if (res === undefined) throw notFound(`no case '${r.id}'`);
  if (!res.inside) throw forbidden('this case person does not live in your jurisdiction: the authority where they live changes its status');
  return { stored: res.stored, before: res.before as CaseStatus, changed: res.changed };
}

/** The case's infectious period as it is traced: explicit bounds, or DESIGN's defaults. */
export function periodOf(c: StoredCase): { from: number; to: number } {
  return infectiousPeriod(outbreakCaseOfStored(c));
}

/** A stored case as the outbreak engine takes it (pseudonymous person id). */
export function outbreakCaseOfStored(c: StoredCase): OutbreakCase {
  return {
    caseId: c.id,
    personId: c.personId,
    confirmedAt: c.confirmedAt,
    ...(c.onsetAt !== null ? { onsetAt: c.onsetAt } : {}),
    ...(c.infectiousFrom !== null ? { infectiousFrom: c.infectiousFrom } : {}),
    ...(c.infectiousTo !== null ? { infectiousTo: c.infectiousTo } : {}),
  };
}

/** What an outbreak run traces: stored cases chosen by confirmation time or id. */
export interface CaseSelection {
  /** Cases confirmed at or after this instant (epoch ms). */
  readonly confirmedSince?: number;
  /** … and at or before this one (default: no bound). */
  readonly confirmedUntil?: number;
  /** Exactly these cases (with the bounds above, if given, applied too). */
  readonly caseIds?: readonly string[];
  /** Default TRACED_STATUSES: every case but a discarded one. */
  readonly statuses?: readonly CaseStatus[];
  /** Only cases of people living inside it (the person's registry home); undefined: national. */
  readonly scope?: Jurisdiction | undefined;
  /** At most this many cases (by case id); more is an error, not a silent cut. Default 100,000. */
  readonly limit?: number;
}

export const DEFAULT_SELECTION_LIMIT = 100_000;

/**
 * Stored cases for an outbreak run (`truyvet outbreak trace --confirmed-since`, `POST
 * /api/outbreaks`), ready for outbreakTrace: pseudonymous person ids, sorted by case id. `missing`
 * lists asked-for ids not returned (unknown, outside the scope, another status or outside the
 * bounds: the same for all, so it tells a scoped caller nothing about cases elsewhere). Needs
 * confirmedSince or caseIds: a run over every case ever stored is a mistake.
 */
export async function selectCases(s: CaseSelection): Promise<{ cases: OutbreakCase[]; missing: string[] }> {
  if (s.confirmedSince === undefined && s.caseIds === undefined) {
    throw validationFailed('choose cases by confirmation time or by id', [{ field: 'confirmedSince', reason: 'required without caseIds' }]);
  }
  const limit = s.limit ?? DEFAULT_SELECTION_LIMIT;
  const statuses = s.statuses ?? TRACED_STATUSES;
  const from = s.confirmedSince ?? MIN_INSTANT_MS;
  const to = s.confirmedUntil ?? FAR_FUTURE;
  let found: StoredCase[];
  if (s.caseIds !== undefined) {
    found = (await casesByIds(s.caseIds, s.scope, statuses)).filter((c) => c.confirmedAt >= from && c.confirmedAt <= to);
  } else {
    found = await listCases({ scope: s.scope, statuses, confirmedFrom: from, confirmedTo: to, skip: 0, limit: limit + 1 }, 'byId');
  }
  if (found.length > limit) {
    throw validationFailed(`more than ${limit} cases match: narrow the selection`, [{ field: s.caseIds !== undefined ? 'caseIds' : 'confirmedSince', reason: `more than ${limit} cases` }]);
  }
  const have = new Set(found.map((c) => c.id));
  const missing = s.caseIds === undefined ? [] : [...new Set(s.caseIds)].filter((id) => !have.has(id));
  return { cases: found.map(outbreakCaseOfStored), missing };
}
