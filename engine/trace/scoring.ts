/**
 * A person's risk score from the evidence of the contacts that put them in the trace (docs/tracing.md,
 * "Risk score"):
 *
 *   e     = Σ over those contacts of  w × (1 + overlapSeconds / 900)
 *   score = (1 − exp(−e / 2)) × 0.5^(g − 1)   (g = generation), rounded to 3 decimals
 *
 * where w = 1, or w = 0.5 (NATIONAL_EVIDENCE_WEIGHT) for a contact resting on a passage from the
 * national QR code (either of its two passages): that code has no signature and is checked only
 * against the registry, so such a contact counts half a contact, and its time together half too.
 * With full evidence e = n + overlap / 900 (n contacts; each 15 min of overlap weighs one more
 * contact). The score lies in [0, 1), grows with every contact and every minute spent together,
 * and halves with each generation away from the case: one brief F1 contact scores 0.393 (0.221
 * on national evidence), an F1 who spent an hour beside the case 0.918, an F2 at most 0.5.
 */

export interface Evidence {
  readonly generation: number;
  /** Contacts that reached the person in their generation. */
  readonly contacts: number;
  /** Sum of those contacts' overlap, in seconds (without the tolerance). */
  readonly overlapSeconds: number;
  /** Of those contacts, the ones resting on a national-QR passage (default 0)… */
  readonly nationalContacts?: number;
  /** …and their overlap, in seconds (default 0). */
  readonly nationalOverlapSeconds?: number;
}

export const OVERLAP_PER_CONTACT_SECONDS = 900;

/** What a contact resting on a national-QR passage weighs against one of full trust. */
export const NATIONAL_EVIDENCE_WEIGHT = 0.5;

export function riskScore(e: Evidence): number {
  if (e.contacts <= 0 || e.generation < 1) return 0;
  const nc = Math.min(Math.max(0, e.nationalContacts ?? 0), e.contacts);
  const no = Math.min(Math.max(0, e.nationalOverlapSeconds ?? 0), Math.max(0, e.overlapSeconds));
  const full = e.contacts - nc + (Math.max(0, e.overlapSeconds) - no) / OVERLAP_PER_CONTACT_SECONDS;
  const weight = full + NATIONAL_EVIDENCE_WEIGHT * (nc + no / OVERLAP_PER_CONTACT_SECONDS);
  const intensity = 1 - Math.exp(-weight / 2);
  return Math.round(intensity * 0.5 ** (e.generation - 1) * 1000) / 1000;
}
