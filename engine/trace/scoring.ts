/**
 * A person's risk score from the evidence of the contacts that put them in the trace (docs/tracing.md,
 * "Risk score"):
 *
 *   e     = n + overlapSeconds / 900          (n contacts; each 15 min of overlap weighs one more contact)
 *   score = (1 − exp(−e / 2)) × 0.5^(g − 1)   (g = generation), rounded to 3 decimals
 *
 * so it lies in [0, 1), grows with every contact and every minute spent together, and halves
 * with each generation away from the case: one brief F1 contact scores 0.393, an F1 who spent an
 * hour beside the case 0.918, an F2 at most 0.5.
 */

export interface Evidence {
  readonly generation: number;
  /** Contacts that reached the person in their generation. */
  readonly contacts: number;
  /** Sum of those contacts' overlap, in seconds (without the tolerance). */
  readonly overlapSeconds: number;
}

export const OVERLAP_PER_CONTACT_SECONDS = 900;

export function riskScore(e: Evidence): number {
  if (e.contacts <= 0 || e.generation < 1) return 0;
  const weight = e.contacts + Math.max(0, e.overlapSeconds) / OVERLAP_PER_CONTACT_SECONDS;
  const intensity = 1 - Math.exp(-weight / 2);
  return Math.round(intensity * 0.5 ** (e.generation - 1) * 1000) / 1000;
}
