import { seal, unseal } from '../identity';
import type { Jurisdiction } from '../types';
import { int, num, numOrNull, str, strOrEmpty } from './convert';
import { readQuery, writeQuery } from './driver';

/**
 * Declarations in the graph: `(:Person {id: pid})-[:DECLARED]->(:Declaration {id, pid, status,
 * platform, declaredAt, receivedAt, data, checks, province, district, commune, qr…})`.
 * `data` is the sealed JSON of the unified form (engine/identity.ts), so the database alone
 * shows no names, numbers or health answers; the home codes stay readable because review lists
 * are scoped by jurisdiction. Every declaration is kept, rejected ones too (status `rejected`),
 * for review. Instants are epoch-ms INTEGERs like passages. Writes are idempotent by id.
 *
 * A declaration's QR code lives on it: `qrToken`, `qrCodeId` (the opaque id the code carries,
 * unique, how a scan finds the code), `qrIssuedAt`, `qrValidUntil`, and once revoked
 * `qrRevokedAt` and `qrRevokedBy` (`holder`, `staff` or `superseded`).
 *
 * engine/declarations/storage.ts gives these functions the declarations' own types: the status
 * (S), a check's issue (I) and the unified form (F) are stored as text and JSON here, and come
 * back as the caller's types, as they were written.
 */

export interface StoredQr {
  readonly token: string;
  /** The opaque id inside the code (engine/qr/token.ts); '' for a code issued before code ids. */
  readonly codeId: string;
  /** Epoch ms. */
  readonly issuedAt: number;
  readonly validUntil: number;
  /** When the code was revoked (epoch ms), or null. */
  readonly revokedAt: number | null;
  readonly revokedBy: QrRevoker | null;
}

/** Who revoked a code: its holder (the receipt's key), staff (an officer or admin), or a newer declaration of the same person. */
export type QrRevoker = 'holder' | 'staff' | 'superseded';

/** A code as the declaration's row writes it (not revoked yet). */
export type IssuedQrRow = Pick<StoredQr, 'token' | 'codeId' | 'issuedAt' | 'validUntil'>;

export interface DeclarationWrite<S extends string, I, F> {
  readonly id: string;
  readonly personId: string;
  /** Sealed raw person key (the document number) for a Person first seen here. */
  readonly personRef: string;
  readonly status: S;
  readonly platform: string;
  readonly declaredAt: number;
  readonly receivedAt: number;
  readonly reasons: readonly I[];
  readonly warnings: readonly I[];
  readonly qr: IssuedQrRow | null;
  /** The unified form: stored sealed. */
  readonly content: F;
  /** The declarant's home as declared ('' for a unit the address lacks): review lists are scoped by it. */
  readonly home: { readonly province: string; readonly district: string; readonly commune: string };
}

/** A stored declaration without its sealed content. */
export interface StoredDeclaration<S extends string, I> {
  readonly id: string;
  readonly personId: string;
  readonly status: S;
  readonly platform: string;
  readonly declaredAt: number;
  readonly receivedAt: number;
  readonly reasons: I[];
  readonly warnings: I[];
  readonly qr: StoredQr | null;
  readonly province: string;
  readonly district: string;
  readonly commune: string;
}

// A new declaration with a code supersedes the person's older codes still in force: they are
// revoked (`superseded`) when it arrives, so only the newest code passes a checkpoint. A code
// arriving older than one already stored (an import of past declarations) is revoked at once.
// Equal issue times: the later arrival is the newer. A declaration without a code (rejected)
// revokes nothing: anyone who knows a document number could otherwise cancel its holder's code.
const WRITE = `
UNWIND $rows AS row
MERGE (d:Declaration {id: row.id})
  ON CREATE SET d.fresh = true, d.pid = row.pid, d.status = row.status, d.platform = row.platform,
    d.declaredAt = row.declaredAt, d.receivedAt = row.receivedAt, d.data = row.data, d.checks = row.checks,
    d.province = row.province, d.district = row.district, d.commune = row.commune,
    d.qrToken = row.qrToken, d.qrCodeId = row.qrCodeId, d.qrIssuedAt = row.qrIssuedAt, d.qrValidUntil = row.qrValidUntil
WITH row, d, coalesce(d.fresh, false) AS created
REMOVE d.fresh
WITH row, d, created
CALL (row, d, created) {
  WITH row, d WHERE created
  MERGE (p:Person {id: row.pid})
    ON CREATE SET p.ref = row.ref, p.registered = false
  MERGE (p)-[:DECLARED]->(d)
  WITH row, d, p WHERE row.qrCodeId IS NOT NULL
  CALL (row, d, p) {
    MATCH (p)-[:DECLARED]->(o:Declaration)
    WHERE o <> d AND o.qrCodeId IS NOT NULL AND o.qrRevokedAt IS NULL AND o.qrIssuedAt <= row.qrIssuedAt
    SET o.qrRevokedAt = row.receivedAt, o.qrRevokedBy = 'superseded'
  }
  CALL (row, d, p) {
    MATCH (p)-[:DECLARED]->(o:Declaration)
    WHERE o <> d AND o.qrCodeId IS NOT NULL AND o.qrIssuedAt > row.qrIssuedAt
    WITH d, row LIMIT 1
    SET d.qrRevokedAt = row.receivedAt, d.qrRevokedBy = 'superseded'
  }
}
RETURN row.id AS id, created, ${summaryProjection('d')} AS s`;

function summaryProjection(v: string): string {
  return `${v} {.id, .pid, .status, .platform, .declaredAt, .receivedAt, .checks, .province, .district, .commune, .qrToken, .qrCodeId, .qrIssuedAt, .qrValidUntil, .qrRevokedAt, .qrRevokedBy}`;
}

export interface StoreOutcomeOf<S extends string, I> {
  readonly created: boolean;
  /** What is stored under the id: the new row, or the first one when it was already there. */
  readonly stored: StoredDeclaration<S, I>;
}

/** Writes declarations (one transaction); an id already stored keeps its first content. */
export async function writeDeclarations<S extends string, I, F>(rows: readonly DeclarationWrite<S, I, F>[]): Promise<Map<string, StoreOutcomeOf<S, I>>> {
  const out = new Map<string, StoreOutcomeOf<S, I>>();
  if (rows.length === 0) return out;
  const seen = new Set<string>();
  const params = [];
  for (const r of rows) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    params.push({
      id: r.id,
      pid: r.personId,
      ref: r.personRef,
      status: r.status,
      platform: r.platform,
      declaredAt: int(r.declaredAt),
      receivedAt: int(r.receivedAt),
      data: seal(JSON.stringify(r.content)),
      checks: JSON.stringify({ reasons: r.reasons, warnings: r.warnings }),
      province: r.home.province,
      district: r.home.district,
      commune: r.home.commune,
      qrToken: r.qr?.token ?? null,
      qrCodeId: r.qr?.codeId ?? null,
      qrIssuedAt: r.qr === null ? null : int(r.qr.issuedAt),
      qrValidUntil: r.qr === null ? null : int(r.qr.validUntil),
    });
  }
  const res = await writeQuery(WRITE, { rows: params }, (rec) => ({ id: str(rec['id']), created: rec['created'] === true, stored: toSummary<S, I>(rec['s']) }));
  for (const r of res) out.set(r.id, { created: r.created, stored: r.stored });
  return out;
}

function toSummary<S extends string, I>(v: unknown): StoredDeclaration<S, I> {
  const s = v as Record<string, unknown>;
  const checks = JSON.parse(strOrEmpty(s['checks']) || '{}') as { reasons?: I[]; warnings?: I[] };
  const qrIssuedAt = numOrNull(s['qrIssuedAt']);
  const qrValidUntil = numOrNull(s['qrValidUntil']);
  const token = s['qrToken'];
  const revokedBy = s['qrRevokedBy'];
  return {
    id: str(s['id']),
    personId: str(s['pid']),
    status: str(s['status']) as S,
    platform: str(s['platform']),
    declaredAt: num(s['declaredAt']),
    receivedAt: num(s['receivedAt']),
    reasons: checks.reasons ?? [],
    warnings: checks.warnings ?? [],
    qr:
      typeof token === 'string' && qrIssuedAt !== null && qrValidUntil !== null
        ? {
            token,
            codeId: strOrEmpty(s['qrCodeId']),
            issuedAt: qrIssuedAt,
            validUntil: qrValidUntil,
            revokedAt: numOrNull(s['qrRevokedAt']),
            revokedBy: revokedBy === 'holder' || revokedBy === 'staff' || revokedBy === 'superseded' ? revokedBy : null,
          }
        : null,
    province: strOrEmpty(s['province']),
    district: strOrEmpty(s['district']),
    commune: strOrEmpty(s['commune']),
  };
}

/** One declaration's summary, or undefined. */
export async function readDeclaration<S extends string, I>(id: string): Promise<StoredDeclaration<S, I> | undefined> {
  const rows = await readQuery(`MATCH (d:Declaration {id: $id}) RETURN ${summaryProjection('d')} AS s`, { id }, (r) => toSummary<S, I>(r['s']));
  return rows[0];
}

/** The unified form as declared (unsealed). For roles allowed to see personal data; the caller decides. */
export async function readDeclarationForm<F>(id: string): Promise<F | undefined> {
  const rows = await readQuery('MATCH (d:Declaration {id: $id}) RETURN d.data AS data', { id }, (r) => str(r['data']));
  return rows[0] === undefined ? undefined : (JSON.parse(unseal(rows[0])) as F);
}

const LIST = `
MATCH (d:Declaration)
WHERE ($status IS NULL OR d.status = $status)
  AND ($province IS NULL OR d.province = $province)
  AND ($district IS NULL OR d.district = $district)
  AND ($commune IS NULL OR d.commune = $commune)
  AND ($from IS NULL OR d.declaredAt >= $from)
  AND ($to IS NULL OR d.declaredAt <= $to)
RETURN ${summaryProjection('d')} AS s
ORDER BY d.declaredAt DESC, d.id
SKIP $skip LIMIT $limit`;

export interface DeclarationQuery<S extends string> {
  readonly status?: S;
  /** Home jurisdiction of the declarant (any prefix); undefined = everywhere. A query parameter, so the database filters. */
  readonly scope?: Jurisdiction;
  readonly from?: number;
  readonly to?: number;
  readonly skip?: number;
  readonly limit?: number;
}

/** Declarations newest first, e.g. the rejected ones for review. */
export async function readDeclarations<S extends string, I>(q: DeclarationQuery<S> = {}): Promise<StoredDeclaration<S, I>[]> {
  return readQuery(
    LIST,
    {
      status: q.status ?? null,
      province: q.scope?.province ?? null,
      district: q.scope?.district ?? null,
      commune: q.scope?.commune ?? null,
      from: q.from === undefined ? null : int(q.from),
      to: q.to === undefined ? null : int(q.to),
      skip: int(Math.trunc(q.skip ?? 0)),
      limit: int(Math.min(Math.trunc(q.limit ?? 100), 10_000)),
    },
    (r) => toSummary<S, I>(r['s']),
  );
}

/** The person's newest QR code (the one that wins), or undefined when none was issued. */
export async function latestQrOfPerson(personId: string): Promise<(StoredQr & { declarationId: string }) | undefined> {
  const rows = await readQuery(
    `MATCH (:Person {id: $pid})-[:DECLARED]->(d:Declaration) WHERE d.qrToken IS NOT NULL
     RETURN ${summaryProjection('d')} AS s
     ORDER BY d.qrIssuedAt DESC, d.id DESC LIMIT 1`,
    { pid: personId },
    (r) => toSummary<string, unknown>(r['s']),
  );
  const s = rows[0];
  return s?.qr ? { ...s.qr, declarationId: s.id } : undefined;
}

export interface RevokeQrRequest {
  readonly declarationId: string;
  /**
   * The caller's jurisdiction: the declarant's home (the declaration's address) must lie inside
   * it. Null: anywhere (the holder's key, or a national account). A query parameter, so the
   * database itself refuses a holder outside it.
   */
  readonly scope: Jurisdiction | null;
  readonly by: Exclude<QrRevoker, 'superseded'>;
  /** Epoch ms. */
  readonly now: number;
}

export type RevokeQrOutcome =
  | { readonly outcome: 'no_code' }
  | { readonly outcome: 'outside' }
  | { readonly outcome: 'revoked'; readonly declarationId: string; readonly revokedAt: number; readonly revokedBy: QrRevoker; readonly already: boolean };

const REVOKE = `
OPTIONAL MATCH (d:Declaration {id: $id})
WITH d, d IS NOT NULL AND d.qrCodeId IS NOT NULL AS hasCode,
  d IS NOT NULL AND ($province IS NULL OR d.province = $province) AND ($district IS NULL OR d.district = $district)
    AND ($commune IS NULL OR d.commune = $commune) AS inScope
WITH d, hasCode, inScope, hasCode AND inScope AND d.qrRevokedAt IS NULL AS fresh
CALL (d, fresh) {
  WITH d WHERE fresh
  SET d.qrRevokedAt = $now, d.qrRevokedBy = $by
}
RETURN hasCode, inScope, fresh, d.qrRevokedAt AS revokedAt, d.qrRevokedBy AS revokedBy`;

/**
 * Revokes a declaration's QR code (idempotent: a code revoked before keeps its first revocation,
 * and the answer says so). A declaration without a code, or none, is `no_code`; a holder outside
 * the scope is `outside` and nothing changes.
 */
export async function revokeQr(q: RevokeQrRequest): Promise<RevokeQrOutcome> {
  const [r] = await writeQuery(
    REVOKE,
    { id: q.declarationId, province: q.scope?.province ?? null, district: q.scope?.district ?? null, commune: q.scope?.commune ?? null, now: int(q.now), by: q.by },
    (rec: Record<string, unknown>) => rec,
  );
  if (r === undefined || r['hasCode'] !== true) return { outcome: 'no_code' };
  if (r['inScope'] !== true) return { outcome: 'outside' };
  const by: unknown = r['revokedBy'];
  return {
    outcome: 'revoked',
    declarationId: q.declarationId,
    revokedAt: num(r['revokedAt']),
    revokedBy: by === 'holder' || by === 'staff' || by === 'superseded' ? by : q.by,
    already: r['fresh'] !== true,
  };
}

/**
 * The ids of the codes revoked by `now` and still within their validity, sorted: what an offline
 * device must refuse (an expired code it refuses anyway). Read on the revocation index.
 */
export async function revokedQrCodes(now: number): Promise<string[]> {
  return readQuery(
    `MATCH (d:Declaration) USING INDEX SEEK d:Declaration(qrRevokedAt)
     WHERE d.qrRevokedAt <= $now AND d.qrValidUntil > $now AND d.qrCodeId IS NOT NULL
     RETURN d.qrCodeId AS id ORDER BY id`,
    { now: int(now) },
    (r) => str(r['id']),
  );
}
