import { int, num, numOrNull, str, strOrEmpty } from '../db/convert';
import { readQuery, writeQuery } from '../db/driver';
import { seal, unseal } from '../identity';
import type { Jurisdiction } from '../types';
import type { UnifiedDeclaration } from './form';
import type { FieldIssue } from './messages';
import type { DeclarationStatus } from './registry-check';

/**
 * Declarations in the graph: `(:Person {id: pid})-[:DECLARED]->(:Declaration {id, pid, status,
 * platform, declaredAt, receivedAt, data, checks, province, district, commune, qr…})`.
 * `data` is the sealed JSON of the unified form (engine/identity.ts), so the database alone
 * shows no names, numbers or health answers; the home codes stay readable because review lists
 * are scoped by jurisdiction. Every declaration is kept, rejected ones too (status `rejected`),
 * for review. Instants are epoch-ms INTEGERs like passages. Writes are idempotent by id.
 */

export interface StoredQr {
  readonly token: string;
  /** Epoch ms. */
  readonly issuedAt: number;
  readonly validUntil: number;
}

export interface DeclarationRow {
  readonly id: string;
  readonly personId: string;
  /** Sealed raw person key (the document number) for a Person first seen here. */
  readonly personRef: string;
  readonly status: DeclarationStatus;
  readonly platform: string;
  readonly declaredAt: number;
  readonly receivedAt: number;
  readonly reasons: readonly FieldIssue[];
  readonly warnings: readonly FieldIssue[];
  readonly qr: StoredQr | null;
  readonly declaration: UnifiedDeclaration;
}

/** A stored declaration without its sealed content. */
export interface DeclarationSummary {
  readonly id: string;
  readonly personId: string;
  readonly status: DeclarationStatus;
  readonly platform: string;
  readonly declaredAt: number;
  readonly receivedAt: number;
  readonly reasons: FieldIssue[];
  readonly warnings: FieldIssue[];
  readonly qr: StoredQr | null;
  readonly province: string;
  readonly district: string;
  readonly commune: string;
}

const WRITE = `
UNWIND $rows AS row
MERGE (d:Declaration {id: row.id})
  ON CREATE SET d.fresh = true, d.pid = row.pid, d.status = row.status, d.platform = row.platform,
    d.declaredAt = row.declaredAt, d.receivedAt = row.receivedAt, d.data = row.data, d.checks = row.checks,
    d.province = row.province, d.district = row.district, d.commune = row.commune,
    d.qrToken = row.qrToken, d.qrIssuedAt = row.qrIssuedAt, d.qrValidUntil = row.qrValidUntil
WITH row, d, coalesce(d.fresh, false) AS created
REMOVE d.fresh
WITH row, d, created
CALL (row, d, created) {
  WITH row, d WHERE created
  MERGE (p:Person {id: row.pid})
    ON CREATE SET p.ref = row.ref, p.registered = false
  MERGE (p)-[:DECLARED]->(d)
}
RETURN row.id AS id, created, ${summaryProjection('d')} AS s`;

function summaryProjection(v: string): string {
  return `${v} {.id, .pid, .status, .platform, .declaredAt, .receivedAt, .checks, .province, .district, .commune, .qrToken, .qrIssuedAt, .qrValidUntil}`;
}

export interface StoreOutcome {
  readonly created: boolean;
  /** What is stored under the id: the new row, or the first one when it was already there. */
  readonly stored: DeclarationSummary;
}

/** Writes declarations (one transaction); an id already stored keeps its first content. */
export async function storeDeclarations(rows: readonly DeclarationRow[]): Promise<Map<string, StoreOutcome>> {
  const out = new Map<string, StoreOutcome>();
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
      data: seal(JSON.stringify(r.declaration)),
      checks: JSON.stringify({ reasons: r.reasons, warnings: r.warnings }),
      province: r.declaration.address.province,
      district: r.declaration.address.district ?? '',
      commune: r.declaration.address.commune ?? '',
      qrToken: r.qr?.token ?? null,
      qrIssuedAt: r.qr === null ? null : int(r.qr.issuedAt),
      qrValidUntil: r.qr === null ? null : int(r.qr.validUntil),
    });
  }
  const res = await writeQuery(WRITE, { rows: params }, (rec) => ({ id: str(rec['id']), created: rec['created'] === true, stored: toSummary(rec['s']) }));
  for (const r of res) out.set(r.id, { created: r.created, stored: r.stored });
  return out;
}

function toSummary(v: unknown): DeclarationSummary {
  const s = v as Record<string, unknown>;
  const checks = JSON.parse(strOrEmpty(s['checks']) || '{}') as { reasons?: FieldIssue[]; warnings?: FieldIssue[] };
  const qrIssuedAt = numOrNull(s['qrIssuedAt']);
  const qrValidUntil = numOrNull(s['qrValidUntil']);
  const token = s['qrToken'];
  return {
    id: str(s['id']),
    personId: str(s['pid']),
    status: str(s['status']) as DeclarationStatus,
    platform: str(s['platform']),
    declaredAt: num(s['declaredAt']),
    receivedAt: num(s['receivedAt']),
    reasons: checks.reasons ?? [],
    warnings: checks.warnings ?? [],
    qr: typeof token === 'string' && qrIssuedAt !== null && qrValidUntil !== null ? { token, issuedAt: qrIssuedAt, validUntil: qrValidUntil } : null,
    province: strOrEmpty(s['province']),
    district: strOrEmpty(s['district']),
    commune: strOrEmpty(s['commune']),
  };
}

/** One declaration's summary, or undefined. */
export async function getDeclaration(id: string): Promise<DeclarationSummary | undefined> {
  const rows = await readQuery(`MATCH (d:Declaration {id: $id}) RETURN ${summaryProjection('d')} AS s`, { id }, (r) => toSummary(r['s']));
  return rows[0];
}

/** The unified form as declared (unsealed). For roles allowed to see personal data; the caller decides. */
export async function readDeclarationContent(id: string): Promise<UnifiedDeclaration | undefined> {
  const rows = await readQuery('MATCH (d:Declaration {id: $id}) RETURN d.data AS data', { id }, (r) => str(r['data']));
  return rows[0] === undefined ? undefined : (JSON.parse(unseal(rows[0])) as UnifiedDeclaration);
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

export interface DeclarationQuery {
  readonly status?: DeclarationStatus;
  /** Home jurisdiction of the declarant (any prefix); undefined = everywhere. A query parameter, so the database filters. */
  readonly scope?: Jurisdiction;
  readonly from?: number;
  readonly to?: number;
  readonly skip?: number;
  readonly limit?: number;
}

/** Declarations newest first, e.g. the rejected ones for review. */
export async function listDeclarations(q: DeclarationQuery = {}): Promise<DeclarationSummary[]> {
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
    (r) => toSummary(r['s']),
  );
}

/** The person's newest QR code (the one that wins), or undefined when none was issued. */
export async function latestQrOfPerson(personId: string): Promise<(StoredQr & { declarationId: string }) | undefined> {
  const rows = await readQuery(
    `MATCH (:Person {id: $pid})-[:DECLARED]->(d:Declaration) WHERE d.qrToken IS NOT NULL
     RETURN d.id AS id, d.qrToken AS token, d.qrIssuedAt AS issuedAt, d.qrValidUntil AS validUntil
     ORDER BY d.qrIssuedAt DESC, d.id DESC LIMIT 1`,
    { pid: personId },
    (r) => ({ declarationId: str(r['id']), token: str(r['token']), issuedAt: num(r['issuedAt']), validUntil: num(r['validUntil']) }),
  );
  return rows[0];
}
