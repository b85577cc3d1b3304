import { personClass } from '../trace/assemble';
import { quarantineDays } from '../config';
import * as db from '../db/outbreaks';
import { openFollowUps, type FollowUpCandidate, type FollowUpClass, type OpenedFollowUps } from '../followups';
import type { OutbreakHead, OutbreakReached, ShapedOutbreak } from '../outbreak';

/**
 * The follow-ups of an outbreak run (issue 22 point 5, issue 25 point 4): when a run is stored,
 * its close F1s (and close F2s with `followUpF2`) become follow-ups for the commune they live in
 * (engine/followups); a tracer who owns the run may promote any other F1 or F2 of it (a brief
 * contact), audited by the API (promote.ts).
 */

/** A run's person is close when their longest time together with who reached them is at least the run's closeSeconds (issue 25). */
export function runPersonClass(r: OutbreakReached, head: OutbreakHead): FollowUpClass {
  return personClass(r, head.params.closeSeconds * 1000);
}

/** Every listed person of a run as a follow-up candidate (openFollowUps picks the eligible ones). */
export function runCandidates(shaped: ShapedOutbreak): FollowUpCandidate[] {
  return shaped.people.map((r) => ({ personId: r.id, generation: r.generation, exposureAt: r.exposureAt, class: runPersonClass(r, shaped.head) }));
}

export interface RunFollowUpOptions {
  /** Close F2s too. */
  readonly includeF2: boolean;
  readonly now: number;
}

/** Opens the follow-ups of a stored run (idempotent: storing it again opens nothing twice). */
export async function openRunFollowUps(id: string, shaped: ShapedOutbreak, o: RunFollowUpOptions): Promise<OpenedFollowUps> {
  const meta = await db.readOutbreakRun(id);
  return openFollowUps({
    source: 'run',
    sourceId: id,
    candidates: runCandidates(shaped),
    quarantineDays: quarantineDays(),
    actor: meta?.owner ?? 'system',
    includeF2: o.includeF2,
    now: o.now,
  });
}
