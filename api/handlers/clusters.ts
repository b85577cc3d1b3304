import { clusterFor, clustersFor } from '../../engine/clusters';
import { forbidden, notFound } from '../../engine/errors';
import { handler } from '../context';
import { routes } from '../routes';

/**
 * Clusters across days (issue 22 point 4). Jurisdiction is the case persons' registry homes,
 * decided in the query (engine/db/clusters.ts); a cluster with no case inside it is refused
 * (403, audited). The audit records cluster ids and counts, never who the people are.
 */

export const clustersList = handler(routes.clustersList, async ({ query, principal, audit }) => {
  const { since, skip, limit } = query;
  const clusters = await clustersFor({ scope: principal.jurisdiction, ...(since !== undefined ? { since } : {}), skip, limit });
  await audit({ action: 'clusters.read', outcome: 'ok', count: clusters.reduce((n, c) => n + c.cases.length, 0), details: { clusters: clusters.length } });
  return { body: { clusters, skip, limit } };
});

export const clustersGet = handler(routes.clustersGet, async ({ params, principal, audit }) => {
  const cluster = await clusterFor(params.id, principal.jurisdiction);
  if (cluster === undefined) throw notFound(`no cluster '${params.id}'`);
  if (cluster === 'outside') {
    await audit({ action: 'access.denied', outcome: 'denied', target: params.id, details: { route: 'clustersGet', reason: 'no case of the cluster inside jurisdiction' } });
    throw forbidden(`no case of cluster '${params.id}' lives inside your jurisdiction`);
  }
  await audit({ action: 'clusters.read', outcome: 'ok', target: cluster.id, count: cluster.cases.length, details: { size: cluster.size } });
  return { body: cluster };
});
