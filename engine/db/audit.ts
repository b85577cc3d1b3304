import { int, num, str } from './convert';
import { readQuery, writeQuery, writeTx } from './driver';

/**
 * The audit log's storage (engine/audit/store.ts appends and verifies, engine/audit/chain.ts
 * seals and checks): `(:AuditEvent {chain, seq, ...})` and one `(:AuditHead {chain, seq, hash})`
 * per chain. An append first writes to the head node, which takes its write lock, so appends to
 * one chain run one at a time and each reads the true last seq and hash; (chain, seq) is also
 * unique in the schema, so even a bug could not fork it. Nothing here updates or deletes an
 * AuditEvent except dropping a whole chain, which the caller allows for tests' chains only.
 */

/** One stored property: its Cypher type (`valueType()`) and, for strings and integers, its value. */
export interface StoredProperty {
  readonly type: string;
  readonly value: string | number | null;
}

/** Every stored property of one event node (read as `keys(e)`, so none escapes a check). */
export type StoredProperties = Readonly<Record<string, StoredProperty>>;

const TAKE_LOCK = `
MERGE (h:AuditHead {chain: $chain})
  ON CREATE SET h.seq = 0, h.hash = ''
SET h.lock = $token`;

const READ_HEAD = `MATCH (h:AuditHead {chain: $chain}) RETURN h.seq AS seq, h.hash AS hash`;

// The event's properties are the map its hash was computed from (engine/audit/chain.ts, sealEvent).
const CREATE = `
MATCH (h:AuditHead {chain: $chain})
CREATE (e:AuditEvent $props)
SET h.seq = $seq, h.hash = $hash
REMOVE h.lock`;

/** The head of a chain: the last seq and hash (0 and '' for a chain without events). */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/**
 * Appends one event: `seal` gets the chain's head, read inside the write transaction after its
 * lock is taken, and returns the new event's seq, its properties and hash; the head moves to
 * them. A retried transaction calls `seal` again on the head as it then is.
 */
export async function appendEvent<T>(chain: string, token: string, seal: (head: ChainHead) => { seq: number; hash: string; props: StoredProperties; result: T }): Promise<T> {
  return writeTx(async (tx) => {
    await tx.run(TAKE_LOCK, { chain, token });
    const head = (await tx.run(READ_HEAD, { chain })).records[0];
    const sealed = seal({ seq: num(head?.get('seq') ?? 0), hash: str(head?.get('hash') ?? '') });
    // Numbers are written as Cypher INTEGERs: the chain seals integers only.
    const props = Object.fromEntries(Object.entries(sealed.props).map(([k, v]) => [k, typeof v.value === 'number' ? int(v.value) : v.value]));
    await tx.run(CREATE, { chain, seq: int(sealed.seq), hash: sealed.hash, props });
    return sealed.result;
  });
}

export async function chainHead(chain: string): Promise<ChainHead> {
  const heads = await readQuery(READ_HEAD, { chain }, (r) => ({ seq: num(r['seq']), hash: str(r['hash']) }));
  return heads[0] ?? { seq: 0, hash: '' };
}

/** An event as read for listing: the fields it was written with. */
export interface AuditRow {
  readonly chain: string;
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly role: string;
  readonly action: string;
  readonly outcome: string;
  readonly target?: string;
  readonly requestRef?: string;
  readonly purpose?: string;
  readonly count?: number;
  /** JSON text. */
  readonly details?: string;
  readonly prev: string;
  readonly hash: string;
}

function toRow(v: unknown): AuditRow {
  const r = v as Record<string, unknown>;
  const opt = <K extends string>(k: K): { [P in K]?: string } => (typeof r[k] === 'string' ? ({ [k]: r[k] } as { [P in K]?: string }) : {});
  return {
    chain: str(r['chain']),
    seq: num(r['seq']),
    at: str(r['at']),
    actor: str(r['actor']),
    role: str(r['role']),
    action: str(r['action']),
    outcome: str(r['outcome']),
    ...opt('target'),
    ...opt('requestRef'),
    ...opt('purpose'),
    ...(r['count'] === null || r['count'] === undefined ? {} : { count: num(r['count']) }),
    ...opt('details'),
    prev: str(r['prev']),
    hash: str(r['hash']),
  };
}

const EVENT_FIELDS = 'e {.chain, .seq, .at, .actor, .role, .action, .outcome, .target, .requestRef, .purpose, .count, .details, .prev, .hash}';

// The chain's events in seq order, filtered. SEEK: a nearly empty label at planning time can make
// the planner prefer scanning the whole index, a plan that then stays cached as the label grows.
export const AUDIT_PAGE = `
MATCH (e:AuditEvent {chain: $chain}) USING INDEX SEEK e:AuditEvent(chain, seq)
WHERE e.seq > $after
  AND ($from IS NULL OR e.atMs >= $from) AND ($to IS NULL OR e.atMs <= $to)
  AND ($actor IS NULL OR e.actor = $actor) AND ($action IS NULL OR e.action = $action)
  AND ($requestRef IS NULL OR e.requestRef = $requestRef)
RETURN ${EVENT_FIELDS} AS e ORDER BY e.seq LIMIT $limit`;

export interface AuditPageQuery {
  readonly chain: string;
  /** Events after this seq (the page cursor). */
  readonly afterSeq: number;
  readonly limit: number;
  /** Epoch ms, inclusive. */
  readonly from?: number;
  readonly to?: number;
  readonly actor?: string;
  readonly action?: string;
  readonly requestRef?: string;
}

export async function auditPage(q: AuditPageQuery): Promise<AuditRow[]> {
  return readQuery(
    AUDIT_PAGE,
    {
      chain: q.chain,
      after: int(q.afterSeq),
      from: q.from === undefined ? null : int(q.from),
      to: q.to === undefined ? null : int(q.to),
      actor: q.actor ?? null,
      action: q.action ?? null,
      requestRef: q.requestRef ?? null,
      limit: int(q.limit),
    },
    (r) => toRow(r['e']),
  );
}

// Every stored property of each event, with its Cypher type: verify hashes what is stored, not a
// list of fields (engine/audit/chain.ts). Values of other types than the two events are written
// with (STRING and INTEGER, chain.ts's STRING and INTEGER) are left out: the type alone already
// tells the event was changed.
export const VERIFY_PAGE = `
MATCH (e:AuditEvent {chain: $chain}) USING INDEX SEEK e:AuditEvent(chain, seq)
WHERE e.seq > $after
WITH e ORDER BY e.seq LIMIT $limit
RETURN e.seq AS seq, [k IN keys(e) | [k, valueType(e[k]), CASE WHEN valueType(e[k]) IN ['STRING NOT NULL', 'INTEGER NOT NULL'] THEN e[k] END]] AS props`;

/**
 * Up to `limit` events after `after` in seq order, each with every stored property. `after` is
 * the last seq read as stored: a float if someone retyped it, so it is sent as it came.
 */
export async function storedEventsPage(chain: string, after: number, limit: number): Promise<{ seq: number; props: StoredProperties }[]> {
  return readQuery(VERIFY_PAGE, { chain, after: Number.isSafeInteger(after) ? int(after) : after, limit: int(limit) }, (r) => ({
    seq: num(r['seq']),
    props: Object.fromEntries((r['props'] as [string, string, string | number | null][]).map(([k, type, value]): [string, StoredProperty] => [k, { type, value }])),
  }));
}

/** Removes a whole chain, events and head. */
export async function deleteChain(chain: string): Promise<void> {
  await writeQuery(`MATCH (e:AuditEvent {chain: $chain}) WHERE e.seq >= 0 DELETE e`, { chain }, () => undefined);
  await writeQuery(`MATCH (h:AuditHead {chain: $chain}) DELETE h`, { chain }, () => undefined);
}
