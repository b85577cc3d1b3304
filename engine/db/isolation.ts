import { scopeParams } from '../jurisdiction';
import type { Jurisdiction } from '../types';
import { int, num, numOrNull, str } from './convert';
import { readQuery, writeQuery } from './driver';

/**
 * Isolation status in the graph (engine/scan/isolation.ts holds the rules): one
 * `(:Isolation {pid})` node per person holds the current status (history is the API's audit
 * log). `until` null = until released. An officer's jurisdiction is a parameter of the queries:
 * the person's registry home must lie inside it.
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

/** `inside` when `$province` is null (no scope) or the person's registry home lies inside the scope. */
const HOME_INSIDE = `($province IS NULL OR coalesce(h.province = $province AND ($district IS NULL OR h.district = $district)
  AND ($commune IS NULL OR h.commune = $commune), false))`;

const SET = `
MATCH (p:Person {id: $pid})
OPTIONAL MATCH (h:Identity {pid: $pid})
WITH p, h WHERE ${HOME_INSIDE}
MERGE (i:Isolation {pid: $pid})
SET i.isolated = $isolated, i.classification = $classification, i.since = $since, i.until = $until,
    i.setBy = $setBy, i.updatedAt = $now
RETURN i {.*} AS i`;

/**
 * Writes a person's status; undefined when the graph does not know the person, or (with
 * `homeIn`) their registry home is not inside it.
 */
export async function writeIsolation(
  s: { personId: string; isolated: boolean; classification: IsolationClass; since: number; until: number | null; setBy: string; now: number },
  homeIn: Jurisdiction | undefined,
): Promise<IsolationStatus | undefined> {
  const rows = await writeQuery(
    SET,
    {
      pid: s.personId,
      isolated: s.isolated,
      classification: s.classification,
      since: int(s.since),
      until: s.until === null ? null : int(s.until),
      setBy: s.setBy,
      now: int(s.now),
      ...scopeParams(homeIn),
    },
    (r) => toStatus(r['i']),
  );
  return rows[0];
}

/** A person's status, and whether their registry home lies inside `homeIn` (always, without one). */
export async function readIsolation(personId: string, homeIn: Jurisdiction | undefined): Promise<{ inside: boolean; status: IsolationStatus | undefined }> {
  const rows = await readQuery(
    `OPTIONAL MATCH (h:Identity {pid: $pid})
     WITH ${HOME_INSIDE} AS inside
     OPTIONAL MATCH (i:Isolation {pid: $pid}) WHERE inside
     RETURN inside, i {.*} AS i`,
    { pid: personId, ...scopeParams(homeIn) },
    (r) => ({ inside: r['inside'] === true, status: r['i'] === null ? undefined : toStatus(r['i']) }),
  );
  return rows[0] ?? { inside: false, status: undefined };
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
