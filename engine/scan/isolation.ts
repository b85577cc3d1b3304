import { int, num, numOrNull, str } from '../db/convert';
import { readQuery, writeQuery } from '../db/driver';
import { forbidden, notFound } from '../errors';
import { scopeParams } from '../jurisdiction';
import type { Jurisdiction } from '../types';

/**
 * Isolation status per person, set by a tracer for a traced F0/F1/…, or by a checkpoint officer
 * for a person living in the officer's jurisdiction: while it holds, a scan says
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
  /**
   * An officer's jurisdiction: the person's registry home must lie inside it (checked in the
   * query); absent for a tracer, who acts through a trace naming the person.
   */
  readonly homeIn?: Jurisdiction;
}

/** The refusal when the person does not live inside the caller's jurisdiction (or is unknown: the same answer). */
const notHome = () => forbidden("this person does not live in your jurisdiction: the officers where the person lives decide");

/** `inside` when `$province` is null (no scope) or the person's registry home lies inside the scope. */
const HOME_INSIDE = `($province IS NULL OR coalesce(h.province = $province AND ($district IS NULL OR h.district = $district)
  AND ($commune IS NULL OR h.commune = $commune), false))`;

/** True when the status holds at instant `at`. */
export function isIsolatedAt(s: IsolationStatus | undefined, at: number): boolean {
  if (s === undefined || !s.isolated) return false;
  return s.since <= at && (s.until === null || at < s.until);
}

const SET = `
MATCH (p:Person {id: $pid})
OPTIONAL MATCH (h:Identity {pid: $pid})
WITH p, h WHERE ${HOME_INSIDE}
MERGE (i:Isolation {pid: $pid})
SET i.isolated = $isolated, i.classification = $classification, i.since = $since, i.until = $until,
    i.setBy = $setBy, i.updatedAt = $now
RETURN i {.*} AS i`;

/**
 * Sets (or releases) a person's isolation; the person must be known to the graph (not_found), and
 * with `homeIn` live inside it (forbidden, also for an unknown person).
 */
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
      ...scopeParams(input.homeIn),
    },
    (r) => toStatus(r['i']),
  );
  if (rows[0] === undefined) throw input.homeIn ? notHome() : notFound(`no person ${input.personId}`);
  return rows[0];
}

/** A person's isolation status; with `homeIn`, forbidden unless the person lives inside it (checked in the query). */
export async function getIsolation(personId: string, homeIn?: Jurisdiction): Promise<IsolationStatus | undefined> {
  const rows = await readQuery(
    `OPTIONAL MATCH (h:Identity {pid: $pid})
     WITH ${HOME_INSIDE} AS inside
     OPTIONAL MATCH (i:Isolation {pid: $pid}) WHERE inside
     RETURN inside, i {.*} AS i`,
    { pid: personId, ...scopeParams(homeIn) },
    (r) => ({ inside: r['inside'] === true, status: r['i'] === null ? undefined : toStatus(r['i']) }),
  );
  if (rows[0]?.inside !== true) throw notHome();
  return rows[0].status;
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
