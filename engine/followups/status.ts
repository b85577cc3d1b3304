import { conflict } from '../errors';

/**
 * The follow-up of a listed person (issue 22 point 5; DESIGN.md "Outbreak semantics", follow-up):
 * the work a commune does for each close F1 of an outbreak run. Pure rules, no storage: which
 * status may follow which, and when quarantine ends.
 *
 *   to_contact → reached | unreachable
 *   unreachable → reached | quarantined   (found at home later, or quarantined where they live)
 *   reached → quarantined
 *   quarantined → released (once the quarantine has ended) | tested_positive
 *   any open status → tested_positive     (a positive test does not wait for the phone call)
 *   released, tested_positive: closed, nothing follows.
 */

export const FOLLOW_UP_STATUSES = ['to_contact', 'reached', 'unreachable', 'quarantined', 'released', 'tested_positive'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];

/** Statuses that keep a follow-up open: a person has at most one open follow-up. */
export const OPEN_STATUSES: readonly FollowUpStatus[] = ['to_contact', 'reached', 'unreachable', 'quarantined'];

export function isOpen(s: FollowUpStatus): boolean {
  return OPEN_STATUSES.includes(s);
}

const NEXT: Readonly<Record<FollowUpStatus, readonly FollowUpStatus[]>> = {
  to_contact: ['reached', 'unreachable', 'tested_positive'],
  unreachable: ['reached', 'quarantined', 'tested_positive'],
  reached: ['quarantined', 'tested_positive'],
  quarantined: ['released', 'tested_positive'],
  released: [],
  tested_positive: [],
};

/** The statuses that may follow `s`. */
export function nextStatuses(s: FollowUpStatus): readonly FollowUpStatus[] {
  return NEXT[s];
}

/** Default quarantine: 14 days after the exposure, the 2021 rule (TRUYVET_QUARANTINE_DAYS, engine/config.ts). */
export const DEFAULT_QUARANTINE_DAYS = 14;

const DAY_MS = 86_400_000;

/** When quarantine ends for an exposure at `exposureAt` (epoch ms): exposure + Q whole days. */
export function quarantineUntil(exposureAt: number, quarantineDays: number): number {
  return exposureAt + quarantineDays * DAY_MS;
}

/**
 * Checks a status change: the same status again is no change (`false`); a change the machine does
 * not allow, or a release before the quarantine has ended, is a conflict naming both statuses and
 * what may follow. Returns true when the status changes.
 */
export function checkTransition(from: FollowUpStatus, to: FollowUpStatus, f: { readonly quarantineUntil: number; readonly now: number }): boolean {
  if (from === to) return false;
  const allowed = NEXT[from];
  if (!allowed.includes(to)) {
    const then = allowed.length === 0 ? `a follow-up that is ${from} is closed` : `from ${from} it may become ${allowed.join(', ')}`;
    throw conflict(`a follow-up cannot go from ${from} to ${to}: ${then}`);
  }
  if (to === 'released' && f.now < f.quarantineUntil) {
    throw conflict(`the quarantine runs until ${new Date(f.quarantineUntil).toISOString()}: release it then, or record tested_positive`);
  }
  return true;
}
