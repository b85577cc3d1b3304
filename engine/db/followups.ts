import { scopeParams } from '../jurisdiction';
import type { Jurisdiction } from '../types';
import { int, num, numOrNull, str, strOrEmpty } from './convert';
import { readQuery, writeQuery } from './driver';

/**
 * Follow-up (issue 22 point 5; DESIGN.md "Outbreak semantics"; docs/outbreaks.md "Follow-up"),
 * every statement of it:
 *
 * - `(:FollowUp {id: 'fu-…', personId, status, generation, class, exposureAt, quarantineUntil,
 *   province, district, commune, sources: ['run:<id>' | 'exposure:<id>'], createdAt, createdBy,
 *   updatedAt, statusChangedAt, statusChangedBy, note?, caseId?, promotedBy?, openFor?})`, instants
 *   as epoch-ms integers; `province/district/commune` the person's registry home when it was
 *   opened (empty: not in the registry), the jurisdiction every read and change is scoped by,
 *   here in the query; `openFor` = personId while open, unique, so there is one open follow-up
 *   per person even when two runs end at once;
 * - `(:FollowUp)-[:FOR]->(:Person)`;
 * - for a follow-up that tested positive, the case it became: `(:Case)-[:FOUND_BY]->(:OutbreakRun)`
 *   for each run among its sources, and `caseId`.
 *
 * Only pseudonymous ids: names and phones stay in the sealed registry (engine/db/people.ts).
 */

export interface FollowUpRow {
  readonly id: string;
  readonly personId: string;
  readonly status: string;
  readonly generation: number;
  readonly class: string;
  readonly exposureAt: number;
  readonly quarantineUntil: number;
  readonly province: string;
  readonly district: string;
  readonly commune: string;
  readonly sources: string[];
  readonly createdAt: number;
  readonly createdBy: string;
  readonly updatedAt: number;
  readonly statusChangedAt: number;
  readonly statusChangedBy: string;
  readonly note: string | null;
  readonly caseId: string | null;
  readonly promotedBy: string | null;
}

const FIELDS = `f {.id, .personId, .status, .generation, .class, .exposureAt, .quarantineUntil, .province, .district, .commune, .sources,
  .createdAt, .createdBy, .updatedAt, .statusChangedAt, .statusChangedBy, .note, .caseId, .promotedBy}`;

function toRow(v: unknown): FollowUpRow {
  const r = v as Record<string, unknown>;
  return {
    id: str(r['id']),
    personId: str(r['personId']),
    status: str(r['status']),
    generation: num(r['generation']),
    class: str(r['class']),
    exposureAt: num(r['exposureAt']),
    quarantineUntil: num(r['quarantineUntil']),
    province: strOrEmpty(r['province']),
    district: strOrEmpty(r['district']),
    commune: strOrEmpty(r['commune']),
    sources: (r['sources'] as string[] | null) ?? [],
    createdAt: num(r['createdAt']),
    createdBy: strOrEmpty(r['createdBy']),
    updatedAt: num(r['updatedAt']),
    statusChangedAt: num(r['statusChangedAt']),
    statusChangedBy: strOrEmpty(r['statusChangedBy']),
    note: typeof r['note'] === 'string' ? r['note'] : null,
    caseId: typeof r['caseId'] === 'string' ? r['caseId'] : null,
    promotedBy: typeof r['promotedBy'] === 'string' ? r['promotedBy'] : null,
  };
}

/** The home filter on a follow-up `f` (null parameters: no condition). */
const INSIDE = `($province IS NULL OR (f.province = $province AND ($district IS NULL OR f.district = $district) AND ($commune IS NULL OR f.commune = $commune)))`;

/** One person to open (or extend) a follow-up for. */
export interface OpenRow {
  /** A new id, used when a follow-up is created. */
  readonly id: string;
  readonly personId: string;
  readonly generation: number;
  readonly class: string;
  readonly exposureAt: number;
  readonly quarantineUntil: number;
}

export interface OpenOutcome {
  readonly personId: string;
  readonly id: string;
  readonly outcome: 'created' | 'updated';
}

// One open follow-up per person: MERGE on the unique `openFor` finds it or creates it under the
// constraint's lock. A person who already has a follow-up from this source (a run stored again,
// a promotion repeated) is left alone, as is a confirmed case (isolated, not followed up).
// A new source keeps the latest quarantine end, the smallest generation, and close over brief.
const OPEN = `
UNWIND $rows AS row
MATCH (p:Person {id: row.pid})
WHERE NOT EXISTS { MATCH (d:FollowUp)-[:FOR]->(p) WHERE $source IN d.sources }
  AND NOT EXISTS { MATCH (c:Case)-[:OF]->(p) WHERE c.status <> 'discarded' }
OPTIONAL MATCH (i:Identity {pid: row.pid})
MERGE (f:FollowUp {openFor: row.pid})
  ON CREATE SET f.id = row.id, f.personId = row.pid, f.status = 'to_contact', f.generation = row.generation, f.class = row.class,
    f.exposureAt = row.exposureAt, f.quarantineUntil = row.until, f.province = coalesce(i.province, ''),
    f.district = coalesce(i.district, ''), f.commune = coalesce(i.commune, ''), f.sources = [], f.createdAt = $now,
    f.createdBy = $actor, f.statusChangedAt = $now, f.statusChangedBy = $actor
WITH f, p, row, size(f.sources) = 0 AS created
MERGE (f)-[:FOR]->(p)
SET f.sources = f.sources + $source,
    f.generation = CASE WHEN row.generation < f.generation THEN row.generation ELSE f.generation END,
    f.class = CASE WHEN row.class = 'close' THEN 'close' ELSE f.class END,
    f.exposureAt = CASE WHEN row.until > f.quarantineUntil THEN row.exposureAt ELSE f.exposureAt END,
    f.quarantineUntil = CASE WHEN row.until > f.quarantineUntil THEN row.until ELSE f.quarantineUntil END,
    f.promotedBy = coalesce($promotedBy, f.promotedBy),
    f.updatedAt = $now
RETURN row.pid AS pid, f.id AS id, created`;

/** Opens or extends follow-ups from one source (one transaction per batch); people left alone are not returned. */
export async function openFollowUpRows(
  rows: readonly OpenRow[],
  o: { readonly source: string; readonly actor: string; readonly now: number; readonly promotedBy?: string },
): Promise<OpenOutcome[]> {
  const out: OpenOutcome[] = [];
  for (let i = 0; i < rows.length; i += 5_000) {
    const batch = rows.slice(i, i + 5_000).map((r) => ({
      id: r.id,
      pid: r.personId,
      generation: int(r.generation),
      class: r.class,
      exposureAt: int(r.exposureAt),
      until: int(r.quarantineUntil),
    }));
    out.push(
      ...(await writeQuery(OPEN, { rows: batch, source: o.source, actor: o.actor, now: int(o.now), promotedBy: o.promotedBy ?? null }, (x) => ({
        personId: str(x['pid']),
        id: str(x['id']),
        outcome: x['created'] === true ? ('created' as const) : ('updated' as const),
      }))),
    );
  }
  return out;
}

export interface FollowUpListQuery {
  readonly scope: Jurisdiction | undefined;
  /** null: every status. */
  readonly statuses: readonly string[] | null;
  readonly skip: number;
  readonly limit: number;
}

/** Follow-ups of people whose home (when opened) lies inside the scope: open ones by quarantine end, then the closed. */
export async function listFollowUps(q: FollowUpListQuery): Promise<FollowUpRow[]> {
  return readQuery(
    `MATCH (f:FollowUp)
     WHERE ($statuses IS NULL OR f.status IN $statuses) AND ${INSIDE}
     RETURN ${FIELDS} AS f
     ORDER BY f.openFor IS NULL, f.quarantineUntil, f.id
     SKIP $skip LIMIT $limit`,
    { statuses: q.statuses === null ? null : [...q.statuses], ...scopeParams(q.scope), skip: int(q.skip), limit: int(q.limit) },
    (x) => toRow(x['f']),
  );
}

/** A follow-up and whether it lies inside the scope (its fields only when it does); undefined: no such follow-up. */
export async function readFollowUp(id: string, scope: Jurisdiction | undefined): Promise<{ inside: true; row: FollowUpRow } | { inside: false } | undefined> {
  const rows = await readQuery(
    `MATCH (f:FollowUp {id: $id}) WITH f, ${INSIDE} AS inside RETURN inside, CASE WHEN inside THEN ${FIELDS} END AS f`,
    { id, ...scopeParams(scope) },
    (x) => (x['inside'] === true ? { inside: true as const, row: toRow(x['f']) } : { inside: false as const }),
  );
  return rows[0];
}

/** The follow-ups of these people (any status, newest first); national: for tests and the command line. */
export async function followUpsOfPeople(pids: readonly string[]): Promise<FollowUpRow[]> {
  if (pids.length === 0) return [];
  return readQuery(
    `UNWIND $pids AS pid MATCH (f:FollowUp {personId: pid}) RETURN ${FIELDS} AS f ORDER BY f.createdAt DESC, f.id`,
    { pids: [...new Set(pids)] },
    (x) => toRow(x['f']),
  );
}

export interface StatusWrite {
  readonly id: string;
  /** The status read before the change: the write happens only if it is still this one. */
  readonly from: string;
  readonly to: string;
  readonly open: boolean;
  readonly note: string | null;
  readonly by: string;
  readonly now: number;
  readonly scope: Jurisdiction | undefined;
  /** The case a positive test became: linked to the follow-up and to every run among its sources. */
  readonly caseId?: string;
}

/** Writes a checked status change; undefined when the follow-up changed meanwhile (or left the scope). */
export async function writeFollowUpStatus(w: StatusWrite): Promise<FollowUpRow | undefined> {
  const rows = await writeQuery(
    `MATCH (f:FollowUp {id: $id}) WHERE f.status = $from AND ${INSIDE}
     SET f.status = $to, f.statusChangedAt = $now, f.statusChangedBy = $by, f.updatedAt = $now, f.note = $note,
         f.openFor = CASE WHEN $open THEN f.openFor ELSE null END,
         f.caseId = coalesce($caseId, f.caseId)
     WITH f
     CALL (f) {
       OPTIONAL MATCH (c:Case {id: $caseId})
       UNWIND [s IN f.sources WHERE s STARTS WITH 'run:' | substring(s, 4)] AS rid
       MATCH (r:OutbreakRun {id: rid})
       WITH c, r WHERE c IS NOT NULL
       MERGE (c)-[:FOUND_BY]->(r)
       RETURN count(*) AS linked
     }
     RETURN ${FIELDS} AS f`,
    { id: w.id, from: w.from, to: w.to, open: w.open, note: w.note, by: w.by, now: int(w.now), caseId: w.caseId ?? null, ...scopeParams(w.scope) },
    (x) => toRow(x['f']),
  );
  return rows[0];
}

/** Follow-ups per status inside the scope (daily counts, issue 22 point 7). */
export async function followUpsByStatus(scope: Jurisdiction | undefined): Promise<Record<string, number>> {
  const rows = await readQuery(
    `MATCH (f:FollowUp) WHERE ${INSIDE} RETURN f.status AS status, count(*) AS n`,
    scopeParams(scope),
    (x) => [str(x['status']), num(x['n'])] as const,
  );
  return Object.fromEntries(rows);
}

/** The id of the person's follow-up (the newest) that has this source; undefined: none. */
export async function followUpFromSource(pid: string, source: string): Promise<string | undefined> {
  const rows = await readQuery(
    'MATCH (f:FollowUp {personId: $pid}) WHERE $source IN f.sources RETURN f.id AS id ORDER BY f.createdAt DESC LIMIT 1',
    { pid, source },
    (x) => str(x['id']),
  );
  return rows[0];
}

/** For cleanups: follow-ups of these people, gone. */
export async function deleteFollowUpsOf(pids: readonly string[]): Promise<number> {
  if (pids.length === 0) return 0;
  const [n] = await writeQuery('UNWIND $pids AS pid MATCH (f:FollowUp {personId: pid}) DETACH DELETE f RETURN count(*) AS n', { pids: [...pids] }, (x) => numOrNull(x['n']) ?? 0);
  return n ?? 0;
}
