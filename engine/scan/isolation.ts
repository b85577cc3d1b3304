import { readIsolation, writeIsolation, type IsolationClass, type IsolationStatus } from '../db/isolation';
import { forbidden, notFound } from '../errors';
import type { Jurisdiction } from '../types';

export { ISOLATION_CLASSES, type IsolationClass, type IsolationStatus } from '../db/isolation';

/**
 * Isolation status per person, set by a tracer for a traced F0/F1/…, or by a checkpoint officer
 * for a person living in the officer's jurisdiction: while it holds, a scan says
 * "stop" even with a valid code. One `(:Isolation {pid})` node per person holds the current
 * status (engine/db/isolation.ts; history is the API's audit log). `until` absent = until released.
 */

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

/** True when the status holds at instant `at`. */
export function isIsolatedAt(s: IsolationStatus | undefined, at: number): boolean {
  if (s === undefined || !s.isolated) return false;
  return s.since <= at && (s.until === null || at < s.until);
}

/**
 * Sets (or releases) a person's isolation; the person must be known to the graph (not_found), and
 * with `homeIn` live inside it (forbidden, also for an unknown person).
 */
export async function setIsolation(input: SetIsolationInput): Promise<IsolationStatus> {
  const { homeIn, until, ...s } = input;
  const stored = await writeIsolation({ ...s, until: until ?? null }, homeIn);
  if (stored === undefined) throw homeIn ? notHome() : notFound(`no person ${input.personId}`);
  return stored;
}

/** A person's isolation status; with `homeIn`, forbidden unless the person lives inside it (checked in the query). */
export async function getIsolation(personId: string, homeIn?: Jurisdiction): Promise<IsolationStatus | undefined> {
  const { inside, status } = await readIsolation(personId, homeIn);
  if (!inside) throw notHome();
  return status;
}
