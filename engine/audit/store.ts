import { randomBytes } from 'node:crypto';
import { int, num, str } from '../db/convert';
import { readQuery, writeQuery, writeTx } from '../db/driver';
import { isoUtc } from '../time';
import { GENESIS, INTEGER, sealEvent, STRING, verifyPage, type AuditAction, type AuditDetails, type AuditEntry, type AuditEvent, type ChainProblem, type StoredEvent, type StoredValue } from './chain';

/**
 * The append-only audit log in the graph: `(:AuditEvent {chain, seq, ...})` and one
 * `(:AuditHead {chain, seq, hash})` per chain. An append first writes to the head node, which
 * takes its write lock, so appends to one chain run one at a time and each reads the true last
 * seq and hash; (chain, seq) is also unique in the schema, so even a bug could not fork it.
 * Nothing in truyvet updates or deletes an AuditEvent. The main chain is `main`; tests use
 * their own chain names.
 */

export const MAIN_CHAIN = 'main';

/**
 * The chain this process appends to: TRUYVET_AUDIT_CHAIN, or `main`. One database can keep
 * separate chains (say, a staging server beside production); tests use their run id.
 */
export function defaultChain(): string {
  const c = process.env['TRUYVET_AUDIT_CHAIN'];
  return c === undefined || c === '' ? MAIN_CHAIN : c;
}

const TAKE_LOCK = `
MERGE (h:AuditHead {chain: $chain})
  ON CREATE SET h.seq = 0, h.hash = ''
SET h.lock = $token`;

const READ_HEAD = `MATCH (h:AuditHead {chain: $chain}) RETURN h.seq AS seq, h.hash AS hash`;

// The event's properties are the map its hash was computed from (chain.ts, sealEvent).
const CREATE = `
MATCH (h:AuditHead {chain: $chain})
CREATE (e:AuditEvent $props)
SET h.seq = $seq, h.hash = $hash
REMOVE h.lock`;

/** A stored event's properties as Cypher parameters: INTEGERs as Neo4j integers. */
function propsParam(props: StoredEvent): Record<string, unknown> {
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.type === INTEGER ? int(v.value as number) : v.value]));
}

export async function appendAudit(entry: AuditEntry, now: number, chain: string = defaultChain()): Promise<AuditEvent> {
  const token = randomBytes(8).toString('hex');
  // Recomputed from the head inside the transaction, so a retried transaction stays correct.
  return writeTx(async (tx) => {
    await tx.run(TAKE_LOCK, { chain, token });
    const head = (await tx.run(READ_HEAD, { chain })).records[0];
    const prevSeq = num(head?.get('seq') ?? 0);
    const prev = str(head?.get('hash') ?? '');
    const event: Omit<AuditEvent, 'hash'> = { ...clean(entry), chain, seq: prevSeq + 1, at: isoUtc(now), prev };
    const { props, hash } = sealEvent(event, now);
    await tx.run(CREATE, { chain, seq: int(event.seq), hash, props: propsParam(props) });
    return { ...event, hash };
  });
}

/** Drops undefined fields so what is hashed now is what is read back later. */
function clean(e: AuditEntry): AuditEntry {
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as unknown as AuditEntry;
}

function toEvent(v: unknown): AuditEvent {
  const r = v as Record<string, unknown>;
  const opt = <K extends string>(k: K): { [P in K]?: string } => (typeof r[k] === 'string' ? ({ [k]: r[k] } as { [P in K]?: string }) : {});
  return {
    chain: str(r['chain']),
    seq: num(r['seq']),
    at: str(r['at']),
    actor: str(r['actor']),
    role: str(r['role']),
    action: str(r['action']) as AuditAction,
    outcome: str(r['outcome']) as AuditEvent['outcome'],
    ...opt('target'),
    ...opt('requestRef'),
    ...opt('purpose'),
    ...(r['count'] === null || r['count'] === undefined ? {} : { count: num(r['count']) }),
    ...(typeof r['details'] === 'string' ? { details: JSON.parse(r['details']) as AuditDetails } : {}),
    prev: str(r['prev']),
    hash: str(r['hash']),
  };
}

const EVENT_FIELDS = 'e {.chain, .seq, .at, .actor, .role, .action, .outcome, .target, .requestRef, .purpose, .count, .details, .prev, .hash}';

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

// The chain's events in seq order, filtered. SEEK: a nearly empty label at planning time can make
// the planner prefer scanning the whole index, a plan that then stays cached as the label grows.
export const AUDIT_PAGE = `
MATCH (e:AuditEvent {chain: $chain}) USING INDEX SEEK e:AuditEvent(chain, seq)
WHERE e.seq > $after
  AND ($from IS NULL OR e.atMs >= $from) AND ($to IS NULL OR e.atMs <= $to)
  AND ($actor IS NULL OR e.actor = $actor) AND ($action IS NULL OR e.action = $action)
  AND ($requestRef IS NULL OR e.requestRef = $requestRef)
RETURN ${EVENT_FIELDS} AS e ORDER BY e.seq LIMIT $limit`;

export async function listAudit(q: AuditQuery = {}): Promise<AuditEvent[]> {
  return readQuery(
    AUDIT_PAGE,
    {
      chain: q.chain ?? defaultChain(),
      after: int(q.afterSeq ?? 0),
      from: q.from === undefined ? null : int(q.from),
      to: q.to === undefined ? null : int(q.to),
      actor: q.actor ?? null,
      action: q.action ?? null,
      requestRef: q.requestRef ?? null,
      limit: int(q.limit ?? 100),
    },
    (r) => toEvent(r['e']),
  );
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

// Every stored property of each event, with its Cypher type: verify hashes what is stored, not a
// list of fields (chain.ts). Values of other types than the two events are written with are
// left out: the type alone already tells the event was changed.
export const VERIFY_PAGE = `
MATCH (e:AuditEvent {chain: $chain}) USING INDEX SEEK e:AuditEvent(chain, seq)
WHERE e.seq > $after
WITH e ORDER BY e.seq LIMIT $limit
RETURN e.seq AS seq, [k IN keys(e) | [k, valueType(e[k]), CASE WHEN valueType(e[k]) IN ['${STRING}', '${INTEGER}'] THEN e[k] END]] AS props`;

function toStored(v: unknown): StoredEvent {
  return Object.fromEntries((v as [string, string, string | number | null][]).map(([k, type, value]): [string, StoredValue] => [k, { type, value }]));
}

/** Walks the whole chain page by page and checks every link and hash, then the head. */
export async function verifyAudit(chain: string = defaultChain()): Promise<VerifyReport> {
  const heads = await readQuery(READ_HEAD, { chain }, (r) => ({ seq: num(r['seq']), hash: str(r['hash']) }));
  const head = heads[0] ?? { seq: 0, hash: '' };
  let cursor = GENESIS;
  // Where the next page starts: the last seq read as stored (a float if someone retyped it).
  let after: number = 0;
  let count = 0;
  const problems: ChainProblem[] = [];
  for (;;) {
    const page = await readQuery(VERIFY_PAGE, { chain, after: Number.isSafeInteger(after) ? int(after) : after, limit: int(PAGE) }, (r) => ({
      seq: num(r['seq']),
      props: toStored(r['props']),
    }));
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
  await writeQuery(`MATCH (e:AuditEvent {chain: $chain}) WHERE e.seq >= 0 DELETE e`, { chain }, () => undefined);
  await writeQuery(`MATCH (h:AuditHead {chain: $chain}) DELETE h`, { chain }, () => undefined);
}
