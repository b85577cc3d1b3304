/** Who a source proposes for follow-up, and who of them becomes one (pure). */

export type FollowUpClass = 'close' | 'brief';

/** A person a source proposes for follow-up (CONTRACT-22): instants in epoch ms. */
export interface FollowUpCandidate {
  readonly personId: string;
  readonly generation: number;
  readonly exposureAt: number;
  readonly class: FollowUpClass;
}

/** Whether a candidate becomes a follow-up: F1 (F2 with the flag), close unless brief ones are asked for. */
export function eligible(c: FollowUpCandidate, o: { readonly includeF2?: boolean; readonly includeBrief?: boolean }): boolean {
  const maxGeneration = o.includeF2 === true ? 2 : 1;
  return c.generation >= 1 && c.generation <= maxGeneration && (c.class === 'close' || o.includeBrief === true);
}

