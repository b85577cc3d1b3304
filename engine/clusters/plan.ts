import type { ClusterMembership, ClusterPlan } from '../db/clusters';

/**
 * What a run's clusters change in the clusters across days (issue 22 point 4), a pure function:
 * `groups` are the run's clusters (case ids joined by its links), `memberships` the clusters
 * their cases are in already. For each group:
 * - none of its cases in a cluster: a new cluster of them (`newId`);
 * - cases in one cluster: the others join it (its id stays);
 * - cases in several: they merge into the oldest (earliest `createdAt`, then smallest id), whose
 *   id stays; the others are absorbed (in order), and the group's new cases join it.
 * A group meeting a cluster absorbed by an earlier group goes to the cluster that absorbed it.
 */
export function planClusters(groups: readonly (readonly string[])[], memberships: readonly ClusterMembership[], newId: () => string): ClusterPlan {
  const clusterOf = new Map(memberships.map((m) => [m.caseId, m.clusterId] as const));
  const createdAt = new Map(memberships.map((m) => [m.clusterId, m.createdAt] as const));
  const absorbedBy = new Map<string, string>();
  const resolve = (id: string): string => {
    let r = id;
    for (let next = absorbedBy.get(r); next !== undefined; next = absorbedBy.get(r)) r = next;
    return r;
  };
  const older = (a: string, b: string): number => createdAt.get(a)! - createdAt.get(b)! || (a < b ? -1 : a > b ? 1 : 0);
  const creates: { id: string; cases: string[] }[] = [];
  const merges: { into: string; from: string }[] = [];
  const joining = new Map<string, Set<string>>();
  for (const group of groups) {
    const existing = [...new Set(group.flatMap((c) => (clusterOf.has(c) ? [resolve(clusterOf.get(c)!)] : [])))].sort(older);
    const fresh = group.filter((c) => !clusterOf.has(c));
    const into = existing[0];
    if (into === undefined) {
      // Groups of one run are disjoint: no later group meets these cases.
      creates.push({ id: newId(), cases: [...group] });
      continue;
    }
    for (const from of existing.slice(1)) {
      merges.push({ into, from });
      absorbedBy.set(from, into);
    }
    for (const c of fresh) clusterOf.set(c, into);
    if (fresh.length > 0) joining.set(into, new Set([...(joining.get(into) ?? []), ...fresh]));
  }
  // Cases joining a cluster a later group absorbed join the cluster that absorbed it.
  const attachesBy = new Map<string, Set<string>>();
  for (const [id, cases] of joining) {
    const r = resolve(id);
    attachesBy.set(r, new Set([...(attachesBy.get(r) ?? []), ...cases]));
  }
  const attaches = [...attachesBy].map(([id, cases]) => ({ id, cases: [...cases].sort() }));
  const touched = new Set([...creates.map((c) => c.id), ...merges.map((m) => resolve(m.into)), ...attaches.map((a) => a.id)]);
  return { creates, merges, attaches, touched: [...touched].sort() };
}
