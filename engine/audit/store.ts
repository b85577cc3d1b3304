import { randomBytes } from 'node:crypto';
import { auditChainName } from '../config';
import { appendEvent, auditPage, chainHead, deleteChain, storedEventsPage, type AuditRow } from '../db/audit';
import { isoUtc } from '../time';
import { GENESIS, sealEvent, verifyPage, type AuditAction, type AuditDetails, type AuditEntry, type AuditEvent, type ChainProblem } from './chain';

/**
 * The append-only audit log: events sealed into a hash chain (chain.ts) and stored in the graph
 * (engine/db/audit.ts: an append takes the chain head's write lock, so appends to one chain run
 * one at a time). Nothing in truyvet updates or deletes an AuditEvent. The main chain is `main`;
 * tests use their own chain names.
 */

export const MAIN_CHAIN = 'main';

/**
 * The chain this process appends to: TRUYVET_AUDIT_CHAIN, or `main`. One database can keep
 * separate chains (say, a staging server beside production); tests use their run id.
 */
export function defaultChain(): string {
  return auditChainName() ?? MAIN_CHAIN;
}

export async function appendAudit(entry: AuditEntry, now: number, chain: string = defaultChain()): Promise<AuditEvent> {
  const token = randomBytes(8).toString('hex');
  // Recomputed from the head inside the transaction, so a retried transaction stays correct.
  return appendEvent(chain, token, (head) => {
    const event: Omit<AuditEvent, 'hash'> = { ...clean(entry), chain, seq: head.seq + 1, at: isoUtc(now), prev: head.hash };
    const { props, hash } = sealEvent(event, now);
    return { seq: event.seq, hash, props, result: { ...event, hash } };
  });
}

/** Drops undefined fields so what is hashed now is what is read back later. */
function clean(e: AuditEntry): AuditEntry {
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as unknown as AuditEntry;
}

/** The stored row as an event, fields in the order they were always listed in. */
function toEvent(r: AuditRow): AuditEvent {
  return {
    chain: r.chain,
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    role: r.role,
    action: r.action as AuditAction,
    outcome: r.outcome as AuditEvent['outcome'],
    ...(r.target === undefined ? {} : { target: r.target }),
    ...(r.requestRef === undefined ? {} : { requestRef: r.requestRef }),
    ...(r.purpose === undefined ? {} : { purpose: r.purpose }),
    ...(r.count === undefined ? {} : { count: r.count }),
    ...(r.details === undefined ? {} : { details: JSON.parse(r.details) as AuditDetails }),
    prev: r.prev,
    hash: r.hash,
  };
}

export interface AuditQuery {
  readonly chain?: string;
  /** Epoch ms, inclusive. */
  readonly from?: number;
  readonly to?: number;
  readonly actor?: string;
  readonly action?: AuditAction;
  readonly requestRef?: string;
  /** Events after this seq (the page cursor). */
  readonly afterSeq?: number;
  readonly limit?: number;
}

export async function listAudit(q: AuditQuery = {}): Promise<AuditEvent[]> {
  const { chain, afterSeq, limit, ...filters } = q;
  const rows = await auditPage({ ...filters, chain: chain ?? defaultChain(), afterSeq: afterSeq ?? 0, limit: limit ?? 100 });
  return rows.map(toEvent);
}

export interface VerifyReport {
  readonly chain: string;
  readonly ok: boolean;
  readonly events: number;
  /** The head's seq and hash: write them down elsewhere to detect a truncated tail later. */
  readonly headSeq: number;
  readonly headHash: string;
  readonly problems: ChainProblem[];
}

const PAGE = 2000;

/** Walks the whole chain page by page and checks every link and hash, then the head. */
export async function verifyAudit(chain: string = defaultChain()): Promise<VerifyReport> {
  const head = await chainHead(chain);
  let cursor = GENESIS;
  // Where the next page starts: the last seq read as stored (a float if someone retyped it).
  let after: number = 0;
  let count = 0;
  const problems: ChainProblem[] = [];
  for (;;) {
    const page = await storedEventsPage(chain, after, PAGE);
    const res = verifyPage(
      page.map((e) => e.props),
      cursor,
    );
    problems.push(...res.problems);
    cursor = res.cursor;
    count += page.length;
    after = page[page.length - 1]?.seq ?? after;
    if (page.length < PAGE) break;
  }
  if (head.seq !== cursor.seq) {
    problems.push({
      seq: cursor.seq + 1,
      reason: head.seq > cursor.seq ? `events ${cursor.seq + 1}–${head.seq} are missing (the head says ${head.seq})` : `the head (seq ${head.seq}) is behind the events`,
    });
  } else if (head.hash !== cursor.hash) {
    problems.push({ seq: head.seq, reason: `the head's hash does not match event ${head.seq}` });
  }
  return { chain, ok: problems.length === 0, events: count, headSeq: head.seq, headHash: head.hash, problems };
}

/** Removes a whole chain. Only for tests' own chains: the main chain is never removed. */
export async function dropChain(chain: string): Promise<void> {
  if (chain === MAIN_CHAIN) throw new Error('the main audit chain is never removed');
  await deleteChain(chain);
}
