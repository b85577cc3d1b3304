import { createHmac } from 'node:crypto';
import type { StoredProperties, StoredProperty } from '../db/audit';
import { secretKey } from '../secrets';

/**
 * The audit log is a hash chain: each event stores `prev` (the previous event's hash) and its
 * own `hash` = HMAC-SHA-256(TRUYVET_AUDIT_KEY, content + prev). Editing an event breaks its own
 * hash; deleting one leaves a gap in `seq` and a `prev` that points at nothing; both show in
 * verify. The HMAC (not a plain hash) means someone who can write to the database but does not
 * hold the key cannot rebuild a consistent chain after an edit.
 *
 * Two formats live in one chain (README, "Audit"). Format 2 (`v: 2`, written since issue 20)
 * hashes every stored property of the event node, with its Cypher type, whatever its name: an
 * edit of `atMs` (what the auditor's time filter reads), a removed or an added property all break
 * it. Format 1 (no `v`, events written before) hashed a fixed list of fields that left `atMs`
 * out; its hash is kept as it was, and verify also checks the rest of what the old code wrote:
 * `atMs` is the instant of `at`, no property beyond the old ones, each of its type.
 * Pure functions: the store (store.ts) reads and writes, this file computes and checks.
 */

export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.refresh',
  'auth.refused',
  'auth.logout',
  'account.create',
  'account.update',
  'station.create',
  'station.passages.read',
  'import.start',
  'import.finish',
  'import.resume',
  'trace.create',
  'trace.request',
  'trace.approve',
  'trace.reject',
  'trace.approvals.read',
  'trace.read',
  'trace.list',
  'exposure.create',
  'exposure.read',
  // Venue exposures under the approval step, and their list.
  'exposure.request',
  'exposure.approve',
  'exposure.reject',
  'exposure.approvals.read',
  'exposure.list',
  'trace.cancel',
  'timeline.read',
  'hotspots.read',
  'audit.read',
  'audit.verify',
  'access.denied',
  'purge',
  'declarations.read',
  'scans.flagged.read',
  'isolation.set',
  'isolation.read',
  'qr.revoke',
  // Confirmed cases (issue 22): registered or imported, read, a status changed.
  'cases.create',
  'cases.import',
  'cases.read',
  'cases.status',
  // Outbreak runs (issue 22): started (API, command line), ended, read, listed, cancelled.
  'outbreak.create',
  'outbreak.finish',
  'outbreak.read',
  'outbreak.list',
  'outbreak.cancel',
  'clusters.read',
  // Follow-up (issue 22 point 5): a list read, exported, a status changed, a person promoted by a tracer.
  'followups.read',
  'followups.export',
  'followups.status',
  'followups.promote',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditOutcome = 'ok' | 'failed' | 'denied';

/** Only codes, ids, counts and flags: never a name, phone, birth date or raw person key. */
export type AuditDetails = Readonly<Record<string, string | number | boolean | null>>;

/** What a caller records. */
export interface AuditEntry {
  /** Username, `system`, or `os:<user>@<host>` for the command line. */
  readonly actor: string;
  readonly role: string;
  readonly action: AuditAction;
  readonly outcome: AuditOutcome;
  /** What was acted on: a trace id, an account name, a pseudonymous person id, a station id. */
  readonly target?: string;
  /** The health authority's request number, for traces and what follows from them. */
  readonly requestRef?: string;
  readonly purpose?: string;
  /** How many people's data the action returned. */
  readonly count?: number;
  readonly details?: AuditDetails;
}

export interface AuditEvent extends AuditEntry {
  readonly chain: string;
  readonly seq: number;
  /** ISO 8601 UTC. */
  readonly at: string;
  readonly prev: string;
  readonly hash: string;
}

/** Stable JSON: keys sorted, undefined dropped — the same event always hashes the same. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** The format appendAudit writes. */
export const AUDIT_FORMAT = 2;

/**
 * Cypher's names (`valueType()`) of the two types events are written with; engine/db/audit.ts
 * reads the values of these two types back (VERIFY_PAGE) and writes JS numbers as INTEGERs.
 */
export const STRING = 'STRING NOT NULL';
export const INTEGER = 'INTEGER NOT NULL';

/**
 * One stored property as the database holds it: its Cypher type and, for the two types truyvet
 * writes, its value (any other type is already a change: its value is not needed to say so).
 */
export type StoredValue = StoredProperty;

/** Every stored property of one event node (read as `keys(e)`, so none escapes the check). */
export type StoredEvent = StoredProperties;

const asString = (value: string): StoredValue => ({ type: STRING, value });
const asInteger = (value: number): StoredValue => ({ type: INTEGER, value });

function hmac(content: string): string {
  return createHmac('sha256', secretKey('TRUYVET_AUDIT_KEY')).update(content, 'utf8').digest('hex');
}

/**
 * The properties a format-2 event is stored with, `hash` included. The hash is computed from
 * this very map, which is also what the store writes, so what is hashed is what is stored.
 */
export function sealEvent(e: Omit<AuditEvent, 'hash'>, atMs: number): { props: StoredEvent; hash: string } {
  const props: Record<string, StoredValue> = {
    v: asInteger(AUDIT_FORMAT),
    chain: asString(e.chain),
    seq: asInteger(e.seq),
    at: asString(e.at),
    atMs: asInteger(atMs),
    actor: asString(e.actor),
    role: asString(e.role),
    action: asString(e.action),
    outcome: asString(e.outcome),
    prev: asString(e.prev),
  };
  if (e.target !== undefined) props['target'] = asString(e.target);
  if (e.requestRef !== undefined) props['requestRef'] = asString(e.requestRef);
  if (e.purpose !== undefined) props['purpose'] = asString(e.purpose);
  if (e.count !== undefined) props['count'] = asInteger(e.count);
  if (e.details !== undefined) props['details'] = asString(JSON.stringify(e.details));
  const hash = storedHash(props);
  return { props: { ...props, hash: asString(hash) }, hash };
}

/** Format 2: every property but `hash`, as `name: [type, value]`, sorted by name. */
export function storedHash(props: StoredEvent): string {
  const content = Object.fromEntries(
    Object.entries(props)
      .filter(([k]) => k !== 'hash')
      .map(([k, v]) => [k, [v.type, v.value]]),
  );
  return hmac(canonical(content));
}

/** Format 1's hash (events written before issue 20): a fixed list of fields, without `atMs`. */
export function eventHashV1(e: Omit<AuditEvent, 'hash'>): string {
  return hmac(
    canonical({
      chain: e.chain,
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      role: e.role,
      action: e.action,
      outcome: e.outcome,
      target: e.target,
      requestRef: e.requestRef,
      purpose: e.purpose,
      count: e.count,
      details: e.details,
      prev: e.prev,
    }),
  );
}

/** What format 1 stored, and of which type; the first nine were always written. */
const V1_FIELDS: Readonly<Record<string, string>> = {
  chain: STRING,
  seq: INTEGER,
  at: STRING,
  atMs: INTEGER,
  actor: STRING,
  role: STRING,
  action: STRING,
  outcome: STRING,
  prev: STRING,
  hash: STRING,
  target: STRING,
  requestRef: STRING,
  purpose: STRING,
  count: INTEGER,
  details: STRING,
};
const V1_REQUIRED = ['chain', 'seq', 'at', 'atMs', 'actor', 'role', 'action', 'outcome', 'prev', 'hash'];

/** Why a format-1 event is not as the old code wrote it, or undefined when it is. */
function checkV1(p: StoredEvent): string | undefined {
  for (const [k, v] of Object.entries(p)) {
    const want = V1_FIELDS[k];
    if (want === undefined) return `has a property '${k}' it was not written with`;
    if (v.type !== want) return `its '${k}' is stored as ${v.type}, not as written`;
  }
  const missing = V1_REQUIRED.find((k) => p[k] === undefined);
  if (missing !== undefined) return `its '${missing}' was removed`;
  const val = (k: string) => p[k]?.value as string & number;
  if (Date.parse(val('at')) !== val('atMs')) return "its 'atMs' is not the instant of its 'at'";
  let details: AuditDetails | undefined;
  if (p['details'] !== undefined) {
    try {
      details = JSON.parse(val('details')) as AuditDetails;
    } catch {
      return "its 'details' are not the JSON it was written with";
    }
    if (JSON.stringify(details) !== val('details')) return "its 'details' are not the JSON it was written with";
  }
  const opt = (k: string): Record<string, unknown> => (p[k] === undefined ? {} : { [k]: val(k) });
  const e = {
    chain: val('chain'),
    seq: val('seq'),
    at: val('at'),
    actor: val('actor'),
    role: val('role'),
    action: val('action') as AuditAction,
    outcome: val('outcome') as AuditOutcome,
    ...opt('target'),
    ...opt('requestRef'),
    ...opt('purpose'),
    ...opt('count'),
    ...(details === undefined ? {} : { details }),
    prev: val('prev'),
  };
  return eventHashV1(e) === val('hash') ? undefined : 'hash differs';
}

/** Why an event is not as it was written, or undefined when it is intact. */
export function checkEvent(p: StoredEvent): string | undefined {
  const v = p['v'];
  if (v === undefined) return checkV1(p);
  if (v.type === INTEGER && v.value === AUDIT_FORMAT) return p['hash']?.type === STRING && storedHash(p) === p['hash'].value ? undefined : 'hash differs';
  return `its format 'v' is ${v.type === INTEGER ? `${v.value}, which this version does not know` : `stored as ${v.type}`}`;
}

export interface ChainProblem {
  readonly seq: number;
  readonly reason: string;
}

/** The running state of a verification, so a long chain can be checked page by page. */
export interface ChainCursor {
  readonly seq: number;
  readonly hash: string;
}

export const GENESIS: ChainCursor = { seq: 0, hash: '' };

const intOf = (v: StoredValue | undefined): number | undefined => (v?.type === INTEGER && typeof v.value === 'number' ? v.value : undefined);
const strOf = (v: StoredValue | undefined): string | undefined => (v?.type === STRING && typeof v.value === 'string' ? v.value : undefined);

/**
 * Checks one page of events (in seq order, every stored property) that follows `cursor`.
 * Returns the problems found and the cursor after the page. A gap names the first missing seq;
 * an edit names the edited event (one whose seq itself was retyped is named by its place).
 */
export function verifyPage(events: readonly StoredEvent[], cursor: ChainCursor): { problems: ChainProblem[]; cursor: ChainCursor } {
  const problems: ChainProblem[] = [];
  let cur = cursor;
  for (const p of events) {
    const seq = intOf(p['seq']) ?? cur.seq + 1;
    const hash = strOf(p['hash']) ?? '';
    if (seq !== cur.seq + 1) {
      const missing = seq > cur.seq + 1 ? `${cur.seq + 1}${seq - 1 > cur.seq + 1 ? `–${seq - 1}` : ''}` : String(seq);
      problems.push({ seq: cur.seq + 1, reason: seq > cur.seq + 1 ? `event ${missing} is missing (deleted)` : `event ${seq} is out of order` });
    } else if (strOf(p['prev']) !== cur.hash) {
      problems.push({ seq, reason: `event ${seq} does not follow event ${cur.seq} (prev hash differs)` });
    }
    const changed = checkEvent(p);
    if (changed !== undefined) problems.push({ seq, reason: `event ${seq} was changed after it was written (${changed})` });
    cur = { seq, hash };
  }
  return { problems, cursor: cur };
}
