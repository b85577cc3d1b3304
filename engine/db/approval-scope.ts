/**
 * The approval step (TRUYVET_TRACE_APPROVAL=required) for every kind of request that waits for an
 * approver: trace requests (traces.ts) and venue exposures (exposures.ts). A request is stored
 * with its requester's jurisdiction (`scopeProvince`, `scopeDistrict`, `scopeCommune`), and an
 * approver decides only requests of tracers inside their own: the requester's jurisdiction inside
 * the approver's, a national request only for a national approver. One statement of that rule,
 * for the node bound to `v`, with the approver's scope as $province, $district, $commune.
 */
export const IN_APPROVER_SCOPE = (v: string): string =>
  `($province IS NULL OR (${v}.scopeProvince = $province AND ($district IS NULL OR ${v}.scopeDistrict = $district)
  AND ($commune IS NULL OR ${v}.scopeCommune = $commune)))`;

/** An approver's decision on a request. */
export interface ApprovalDecision {
  readonly by: string;
  /** Epoch ms. */
  readonly at: number;
  readonly note?: string;
}
