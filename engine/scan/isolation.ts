import { int, num, numOrNull, str } from '../db/convert';
import { readQuery, writeQuery } from '../db/driver';
import { notFound } from '../errors';

/**
 * Isolation status per person, set by a tracer for a traced F0/F1/…: while it holds, a scan says
 * "stop" even with a valid code. One `(:Isolation {pid})` node per person holds the current
 * status (history is the API's audit log). `until` absent = until released.
 */

export const ISOLATION_CLASSES = ['F0', 'F1', 'F2', 'F3', 'F4', 'F5', 'other'] as const;
export type IsolationClass = (typeof ISOLATION_CLASSES)[number];

export interface IsolationStatus {
  readonly personId: string;
  readonly isolated: boolean;
  readonly classification: IsolationClass;
  /** Epoch ms. */
  readonly since: number;
  readonly until: number | null;
  /** Account id of the tracer who set it. */
  readonly setBy: string;
  readonly updatedAt: number;
}

export interface SetIsolationInput {
  readonly personId: string;
  /** false releases the person. */
  readonly isolated: boolean;
  readonly classification: IsolationClass;
  readonly since: number;
  readonly until?: number | null;
  readonly setBy: string;
  readonly now: number;
}

/** True when the status holds at instant `at`. */
export function isIsolatedAt(s: IsolationStatus | undefined, at: number): boolean {
  if (s === undefined || !s.isolated) return false;
  return s.since <= at && (s.until === null || at < s.until);
}

const SET = `
MATCH (p:Person {id: $pid})
MERGE (i:Isolation {pid: $pid})
SET i.isolated = $isolated, i.classification = $classification, i.since = $since, i.until = $until,
    i.setBy = $setBy, i.updatedAt = $now
RETURN i {.*} AS i`;

/** Sets (or releases) a person's isolation; the person must be known to the graph. */
export async function setIsolation(input: SetIsolationInput): Promise<IsolationStatus> {
  const rows = await writeQuery(
    SET,
    {
      pid: input.personId,
      isolated: input.isolated,
      classification: input.classification,
      since: int(input.since),
      until: input.until === undefined || input.until === null ? null : int(input.until),
      setBy: input.setBy,
      now: int(input.now),
    },
    (r) => toStatus(r['i']),
  );
  if (rows[0] === undefined) throw notFound(`no person ${input.personId}`);
  return rows[0];
}

export async function getIsolation(personId: string): Promise<IsolationStatus | undefined> {
  const rows = await readQuery('MATCH (i:Isolation {pid: $pid}) RETURN i {.*} AS i', { pid: personId }, (r) => toStatus(r['i']));
  return rows[0];
}

export function toStatus(v: unknown): IsolationStatus {
  const i = v as Record<string, unknown>;
  return {
    personId: str(i['pid']),
    isolated: i['isolated'] === true,
    classification: str(i['classification']) as IsolationClass,
    since: num(i['since']),
    until: numOrNull(i['until']),
    setBy: str(i['setBy']),
    updatedAt: num(i['updatedAt']),
  };
}
