import { createHmac } from 'node:crypto';
import { secretKey } from '../secrets';

/**
 * The audit log is a hash chain: each event stores `prev` (the previous event's hash) and its
 * own `hash` = HMAC-SHA-256(TRUYVET_AUDIT_KEY, canonical content + prev). Editing an event
 * breaks its own hash; deleting one leaves a gap in `seq` and a `prev` that points at nothing;
 * both show in verify. The HMAC (not a plain hash) means someone who can write to the database
 * but does not hold the key cannot rebuild a consistent chain after an edit.
 * Pure functions: the store (store.ts) reads and writes, this file computes and checks.
 */

export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.refresh',
  'auth.refused',
  'account.create',
  'account.update',
  'station.create',
  'station.passages.read',
  'import.start',
  'import.finish',
  'import.resume',
  'trace.create',
  'trace.read',
  'trace.list',
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
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditOutcome = 'ok' | 'failed' | 'denied';

/** Only codes, ids, counts and flags: never a name, phone, birth date or raw person key. */
export type AuditDetails = Readonly<Record<string, string | number | boolean | null>>;

/** What a caller records. */
export interface AuditEntry {
  /** Username, `system`, or `cli:<os user>`. */
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

export function eventHash(e: Omit<AuditEvent, 'hash'>): string {
  const content = canonical({
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
  });
  return createHmac('sha256', secretKey('TRUYVET_AUDIT_KEY')).update(content, 'utf8').digest('hex');
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

/**
 * Checks one page of events (in seq order) that follows `cursor`. Returns the problems found and
 * the cursor after the page. A gap names the first missing seq; an edit names the edited event.
 */
export function verifyPage(events: readonly AuditEvent[], cursor: ChainCursor): { problems: ChainProblem[]; cursor: ChainCursor } {
  const problems: ChainProblem[] = [];
  let cur = cursor;
  for (const e of events) {
    if (e.seq !== cur.seq + 1) {
      const missing = e.seq > cur.seq + 1 ? `${cur.seq + 1}${e.seq - 1 > cur.seq + 1 ? `–${e.seq - 1}` : ''}` : String(e.seq);
      problems.push({ seq: cur.seq + 1, reason: e.seq > cur.seq + 1 ? `event ${missing} is missing (deleted)` : `event ${e.seq} is out of order` });
    } else if (e.prev !== cur.hash) {
      problems.push({ seq: e.seq, reason: `event ${e.seq} does not follow event ${cur.seq} (prev hash differs)` });
    }
    const { hash, ...rest } = e;
    if (eventHash(rest) !== hash) problems.push({ seq: e.seq, reason: `event ${e.seq} was changed after it was written (hash differs)` });
    cur = { seq: e.seq, hash: e.hash };
  }
  return { problems, cursor: cur };
}
