import type { ManagedTransaction } from 'neo4j-driver';
import type { Jurisdiction } from '../types';
import { int, num, numOrNull, str } from './convert';
import { readQuery, writeTx } from './driver';
import { toStatus, type IsolationStatus } from './isolation';
import { writePassagesIn, type PassageWrite, type WriteOutcome } from './passages';

/**
 * Checkpoint scans in the graph: `(:Scan {id, officerId, stationId, at, decision, reason, flags,
 * flagged, kind, pid, declarationId, validUntil, lat, lon, passageId, trust, copiedOf, kmh,
 * decidedAt})`, unique by the client-made id so a replayed offline queue records nothing twice.
 * The station's position is copied onto the scan so the copied-code check reads one node per
 * neighbouring scan. Every query takes the officer's jurisdiction as parameters: the database
 * itself refuses a station outside it. engine/scan/service.ts decides the scans (pure, decide.ts)
 * on what inScanTransaction reads and writes.
 */

/** The statuses of a declaration for which a QR code was issued (engine/qr/token.ts, QrStatus). */
export type IssuedCodeStatus = 'accepted' | 'accepted_with_warnings' | 'unverified';

export interface ScopeParams {
  readonly province: string | null;
  readonly district: string | null;
  readonly commune: string | null;
}

export function scopeParams(j: Jurisdiction | null): ScopeParams {
  return { province: j?.province ?? null, district: j?.district ?? null, commune: j?.commune ?? null };
}

const IN_SCOPE = (st: string, row: string) =>
  `(${row}.province IS NULL OR ${st}.province = ${row}.province) AND (${row}.district IS NULL OR ${st}.district = ${row}.district) AND (${row}.commune IS NULL OR ${st}.commune = ${row}.commune)`;

export interface ContextRow extends ScopeParams {
  readonly i: number;
  /** The officer's account name. */
  readonly officer: string;
  /**
   * The account as the request was authorized (token version and role; the jurisdiction is the
   * row's scope): the statement reports whether the stored account still matches. Null: the
   * caller checked the account itself.
   */
  readonly asOf: { readonly tv: number; readonly role: string } | null;
  readonly scanId: string;
  readonly stationId: string;
  /** The person a national code names (its document number's pseudonym); null for a signed code. */
  readonly pid: string | null;
  /** The opaque id of a verified signed code: the statement resolves it to its declaration and person. */
  readonly code: string | null;
  /** Issue time of the scanned code (epoch ms), to find a newer code; null for national codes. */
  readonly iat: number | null;
  readonly at: number;
}

export interface NeighbourScan {
  readonly id: string;
  readonly at: number;
  readonly lat: number;
  readonly lon: number;
}

/** A signed code's record: the declaration it was issued for and what became of it. */
export interface ResolvedCode {
  readonly pid: string;
  readonly declarationId: string;
  readonly status: IssuedCodeStatus;
  readonly revokedAt: number | null;
}

export interface ScanContext {
  /** The officer's account is still as the request was authorized (always true without `asOf`). */
  readonly accountHolds: boolean;
  readonly stationExists: boolean;
  readonly inScope: boolean;
  readonly station: { readonly lat: number; readonly lon: number } | null;
  readonly old: StoredScan | null;
  /** The signed code's record; null for a national code, or a code id the server does not know. */
  readonly code: ResolvedCode | null;
  readonly isolation: IsolationStatus | undefined;
  readonly newerCodeExists: boolean;
  readonly prev: NeighbourScan | null;
  readonly next: NeighbourScan | null;
}

// Every lookup names its index with USING INDEX SEEK. Planned while Scan was nearly empty (a
// young deployment, or bench:scan after its clean-up), the neighbouring-scan lookups became full
// scans of the Scan(pid, at) index, kept in the plan cache while thousands of scans arrived:
// 2–8 ms of Neo4j CPU per scan instead of 0.3–0.5 (tests/db/plans.int.test.ts). The person is the
// national code's, or the one the signed code's record names (the code carries only its id).
export const CONTEXT = `
UNWIND $rows AS row
OPTIONAL MATCH (acct:Account {username: row.officer}) USING INDEX SEEK acct:Account(username)
OPTIONAL MATCH (st:Station {id: row.stationId}) USING INDEX SEEK st:Station(id)
OPTIONAL MATCH (old:Scan {id: row.scanId}) USING INDEX SEEK old:Scan(id)
OPTIONAL MATCH (code:Declaration {qrCodeId: row.code}) USING INDEX SEEK code:Declaration(qrCodeId)
WITH row, acct, st, old, code, CASE WHEN row.code IS NULL THEN row.pid ELSE code.pid END AS pid
OPTIONAL MATCH (iso:Isolation {pid: pid}) USING INDEX SEEK iso:Isolation(pid)
CALL (row, pid) {
  OPTIONAL MATCH (p:Person {id: pid})-[:DECLARED]->(d:Declaration) USING INDEX SEEK p:Person(id)
  WHERE row.iat IS NOT NULL AND d.qrIssuedAt > row.iat
  RETURN count(d) > 0 AS newer
}
CALL (row, pid) {
  OPTIONAL MATCH (s:Scan) USING INDEX SEEK s:Scan(pid, at)
  WHERE s.pid = pid AND s.at <= row.at AND s.id <> row.scanId AND s.trust IS NOT NULL
  WITH s ORDER BY s.at DESC LIMIT 1
  RETURN CASE WHEN s IS NULL THEN null ELSE s {.id, .at, .lat, .lon} END AS prev
}
CALL (row, pid) {
  OPTIONAL MATCH (s:Scan) USING INDEX SEEK s:Scan(pid, at)
  WHERE s.pid = pid AND s.at > row.at AND s.id <> row.scanId AND s.trust IS NOT NULL
  WITH s ORDER BY s.at ASC LIMIT 1
  RETURN CASE WHEN s IS NULL THEN null ELSE s {.id, .at, .lat, .lon} END AS next
}
RETURN row.i AS i,
  row.asOf IS NULL OR (acct IS NOT NULL AND coalesce(acct.disabled, false) = false
    AND coalesce(acct.tokenVersion, 0) = row.asOf.tv AND acct.role = row.asOf.role
    AND coalesce(acct.province, '') = coalesce(row.province, '') AND coalesce(acct.district, '') = coalesce(row.district, '')
    AND coalesce(acct.commune, '') = coalesce(row.commune, '')) AS accountHolds,
  st IS NOT NULL AS stationExists,
  st IS NOT NULL AND ${IN_SCOPE('st', 'row')} AS inScope,
  CASE WHEN st IS NULL THEN null ELSE st {.lat, .lon} END AS station,
  CASE WHEN old IS NULL THEN null ELSE old {.*} END AS old,
  CASE WHEN code IS NULL THEN null ELSE code {.pid, .id, .status, .qrRevokedAt} END AS code,
  CASE WHEN iso IS NULL THEN null ELSE iso {.*} END AS iso,
  newer, prev, next`;

/**
 * Everything a batch of scans needs to be decided, in one statement of the transaction that
 * then writes the batch (engine/scan/service.ts): one transaction per batch instead of a read
 * and a write, and the decisions rest on what that transaction sees.
 */
async function readScanContextIn(tx: ManagedTransaction, rows: readonly ContextRow[]): Promise<Map<number, ScanContext>> {
  const params = rows.map((r) => ({ ...r, i: int(r.i), at: int(r.at), iat: r.iat === null ? null : int(r.iat), asOf: r.asOf === null ? null : { tv: int(r.asOf.tv), role: r.asOf.role } }));
  const res = await tx.run(CONTEXT, { rows: params });
  return new Map(
    res.records.map((rec) => {
      const r = rec.toObject() as Record<string, unknown>;
      const station = r['station'] as Record<string, unknown> | null;
      return [
        num(r['i']),
        {
          accountHolds: r['accountHolds'] === true,
          stationExists: r['stationExists'] === true,
          inScope: r['inScope'] === true,
          station: station === null ? null : { lat: num(station['lat']), lon: num(station['lon']) },
          old: r['old'] === null ? null : toStoredScan(r['old']),
          code: toCode(r['code']),
          isolation: r['iso'] === null ? undefined : toStatus(r['iso']),
          newerCodeExists: r['newer'] === true,
          prev: toNeighbour(r['prev']),
          next: toNeighbour(r['next']),
        },
      ] as const;
    }),
  );
}

function toCode(v: unknown): ResolvedCode | null {
  if (v === null || v === undefined) return null;
  const c = v as Record<string, unknown>;
  const status = c['status'];
  // A code is issued only for these (engine/declarations/registry-check.ts issuesQr).
  if (status !== 'accepted' && status !== 'accepted_with_warnings' && status !== 'unverified') return null;
  return { pid: str(c['pid']), declarationId: str(c['id']), status, revokedAt: numOrNull(c['qrRevokedAt']) };
}

function toNeighbour(v: unknown): NeighbourScan | null {
  if (v === null || v === undefined) return null;
  const s = v as Record<string, unknown>;
  return { id: str(s['id']), at: num(s['at']), lat: num(s['lat']), lon: num(s['lon']) };
}

/** A scan as stored (and as its first decision is replayed). */
export interface StoredScan {
  readonly id: string;
  readonly officerId: string;
  readonly stationId: string;
  readonly at: number;
  readonly decidedAt: number;
  readonly decision: 'pass' | 'stop';
  readonly reason: string;
  readonly flags: string[];
  readonly flagged: boolean;
  readonly kind: string;
  readonly pid: string | null;
  readonly declarationId: string | null;
  readonly validUntil: number | null;
  readonly lat: number;
  readonly lon: number;
  readonly passageId: string | null;
  readonly trust: string | null;
  readonly copiedOf: string | null;
  readonly kmh: number | null;
}

export function toStoredScan(v: unknown): StoredScan {
  const s = v as Record<string, unknown>;
  const optStr = (x: unknown) => (typeof x === 'string' ? x : null);
  return {
    id: str(s['id']),
    officerId: str(s['officerId']),
    stationId: str(s['stationId']),
    at: num(s['at']),
    decidedAt: num(s['decidedAt']),
    decision: str(s['decision']) as 'pass' | 'stop',
    reason: str(s['reason']),
    flags: Array.isArray(s['flags']) ? (s['flags'] as unknown[]).map(str) : [],
    flagged: s['flagged'] === true,
    kind: str(s['kind']),
    pid: optStr(s['pid']),
    declarationId: optStr(s['declarationId']),
    validUntil: numOrNull(s['validUntil']),
    lat: num(s['lat']),
    lon: num(s['lon']),
    passageId: optStr(s['passageId']),
    trust: optStr(s['trust']),
    copiedOf: optStr(s['copiedOf']),
    kmh: numOrNull(s['kmh']),
  };
}

// A new scan that identified someone gets its passage in the same statement: the scan id is
// unique and the scan is new, so its passage (`qr-<scan id>`) cannot exist yet, and the
// classification writePassages does for imports (duplicate or conflict?) is not needed. The
// Passage node is the one writePassages makes (engine/db/passages.ts): a scan is a point, so its
// duration class (span) is 0.
const WRITE = `
UNWIND $rows AS row
MATCH (st:Station {id: row.props.stationId}) USING INDEX SEEK st:Station(id)
WHERE ${IN_SCOPE('st', 'row')}
MERGE (s:Scan {id: row.props.id})
  ON CREATE SET s += row.props, s.fresh = true
WITH row, st, s, coalesce(s.fresh, false) AS created
REMOVE s.fresh
WITH row, st, s, created
CALL (row, st, created) {
  WITH row, st WHERE created AND row.passage IS NOT NULL
  MERGE (p:Person {id: row.props.pid})
    ON CREATE SET p.ref = row.passage.ref, p.registered = false
  CREATE (:Passage {id: row.props.passageId, pid: row.props.pid, station: st.id, at: row.props.at, leftAt: row.props.at,
    span: 0, source: 'qr', trust: row.props.trust})
}
RETURN s.id AS id, created, CASE WHEN created THEN null ELSE s {.*} END AS scan`;

export interface ScanWrite extends ScopeParams {
  readonly scan: StoredScan;
  /**
   * The passage to write with a new scan (its window start, and the sealed raw key for a
   * person new to the graph, when the code carried one), or absent when the scan identified
   * nobody.
   */
  readonly passage?: { readonly ref: string | null };
}

/**
 * Creates scans that are new; for an id already stored returns the stored one (`created`
 * false), so two devices racing with one id both get the first decision. A row whose station
 * is not in its scope is not written and not returned.
 */
export async function writeScans(rows: readonly ScanWrite[]): Promise<Map<string, { created: boolean; scan: StoredScan }>> {
  if (rows.length === 0) return new Map();
  return writeTx((tx) => writeScansIn(tx, rows));
}

/** writeScans inside a transaction the caller opened. */
async function writeScansIn(tx: ManagedTransaction, rows: readonly ScanWrite[]): Promise<Map<string, { created: boolean; scan: StoredScan }>> {
  if (rows.length === 0) return new Map();
  const params = rows.map((r) => ({
    province: r.province,
    district: r.district,
    commune: r.commune,
    passage: r.passage === undefined ? null : { ref: r.passage.ref },
    props: {
      ...r.scan,
      at: int(r.scan.at),
      decidedAt: int(r.scan.decidedAt),
      validUntil: r.scan.validUntil === null ? null : int(r.scan.validUntil),
    },
  }));
  const res = await tx.run(WRITE, { rows: params });
  // A new scan is what the caller wrote: only an id stored before comes back whole.
  const written = new Map(rows.map((r) => [r.scan.id, r.scan]));
  return new Map(
    res.records.map((r) => {
      const id = str(r.get('id'));
      const created = r.get('created') === true;
      return [id, { created, scan: created ? written.get(id)! : toStoredScan(r.get('scan')) }] as const;
    }),
  );
}

/** What one scan batch's transaction can do, in this order. */
export interface ScanBatch {
  /** The context of each scan of the batch (by its `i`). */
  readContext(rows: readonly ContextRow[]): Promise<Map<number, ScanContext>>;
  writeScans(rows: readonly ScanWrite[]): Promise<Map<string, { created: boolean; scan: StoredScan }>>;
  /** Passages of replayed scans (engine/db/passages.ts, writePassagesIn): a duplicate is no harm. */
  writePassages(rows: readonly PassageWrite[]): Promise<Map<string, WriteOutcome>>;
}

/**
 * Runs `work` in one write transaction (one commit, one disk flush per batch). `work` must only
 * return what it decided: a retried transaction runs it again from the start.
 */
export async function inScanTransaction<T>(work: (batch: ScanBatch) => Promise<T>): Promise<T> {
  return writeTx((tx) =>
    work({
      readContext: (rows) => readScanContextIn(tx, rows),
      writeScans: (rows) => writeScansIn(tx, rows),
      writePassages: (rows) => writePassagesIn(tx, rows),
    }),
  );
}

const FLAGGED = `
MATCH (s:Scan)
WHERE s.flagged = true AND s.at >= $from AND s.at <= $to
  AND ($flag IS NULL OR $flag IN s.flags)
MATCH (st:Station {id: s.stationId})
WHERE ($province IS NULL OR st.province = $province)
  AND ($district IS NULL OR st.district = $district)
  AND ($commune IS NULL OR st.commune = $commune)
RETURN s {.*} AS scan
ORDER BY s.at DESC, s.id
SKIP $skip LIMIT $limit`;

export interface FlaggedScanQuery {
  /** Stations' jurisdiction (any prefix); null = everywhere. */
  readonly scope: Jurisdiction | null;
  readonly from: number;
  readonly to: number;
  /** Only scans with this flag (e.g. `copied_code`). */
  readonly flag?: string;
  readonly skip?: number;
  readonly limit?: number;
}

/** Scans with an alert flag (copied, tampered, expired, isolated …), newest first: the tracers' list. */
export async function listFlaggedScans(q: FlaggedScanQuery): Promise<StoredScan[]> {
  return readQuery(
    FLAGGED,
    {
      ...scopeParams(q.scope),
      from: int(q.from),
      to: int(q.to),
      flag: q.flag ?? null,
      skip: int(Math.trunc(q.skip ?? 0)),
      limit: int(Math.min(Math.trunc(q.limit ?? 100), 10_000)),
    },
    (r) => toStoredScan(r['scan']),
  );
}

/** One stored scan, or undefined. */
export async function getScan(id: string): Promise<StoredScan | undefined> {
  const rows = await readQuery('MATCH (s:Scan {id: $id}) RETURN s {.*} AS scan', { id }, (r) => toStoredScan(r['scan']));
  return rows[0];
}
