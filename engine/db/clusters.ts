import type { ManagedTransaction } from 'neo4j-driver';
import { scopeParams } from '../jurisdiction';
import type { Jurisdiction } from '../types';
import { int, num, str, strOrEmpty } from './convert';
import { readQuery, writeTx } from './driver';

/**
 * Clusters across days (issue 22 point 4): `(:Cluster {id: 'cl-…', indexCase, createdAt,
 * updatedAt, firstRun, lastRun, merged: [ids]})<-[:IN {run, at}]-(:Case)`. A case is in one
 * cluster at most; clusters only grow and merge (a later run that finds no link for a case does
 * not take it out: the links found before still stand). A merge keeps the older cluster (earlier
 * `createdAt`, then smaller id), moves the other's cases into it, adds its id (and the ids it
 * had absorbed) to `merged`, and deletes it, so an old id still finds the cluster it became.
 *
 * Jurisdiction is the case persons' registry homes (`Identity`), a parameter of every read: a
 * scoped caller sees a cluster with at least one case of a person living inside it, and only
 * those cases' ids; the cluster's size, days, stations and communes are of all its cases.
 */

/** A case already in a cluster, as a run's attachment reads it. */
export interface ClusterMembership {
  readonly caseId: string;
  readonly clusterId: string;
  /** The cluster's creation, epoch ms: the older cluster survives a merge. */
  readonly createdAt: number;
}

/** What a run changes: clusters to create, merges in order (each `from` into `into`), cases to attach. */
export interface ClusterPlan {
  readonly creates: readonly { readonly id: string; readonly cases: readonly string[] }[];
  readonly merges: readonly { readonly into: string; readonly from: string }[];
  readonly attaches: readonly { readonly id: string; readonly cases: readonly string[] }[];
  /** Every cluster the run created or changed, whose index case is computed again. */
  readonly touched: readonly string[];
}

export interface ClusterAttachOptions {
  readonly run: string;
  readonly now: number;
  /** The lead of a default infectious period (engine/outbreak/cases.ts): the index case is the earliest infectious start. */
  readonly leadMs: number;
}

async function rows(tx: ManagedTransaction, cypher: string, params: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  return (await tx.run(cypher, params)).records.map((r) => r.toObject() as Record<string, unknown>);
}

/**
 * Attaches a run's clusters (each a list of registry case ids) to the clusters across days, in
 * one transaction: reads the cases' clusters, asks `plan` what to change, writes it, and sets the
 * index case of every cluster touched. One attachment at a time (a lock on one meta node), so
 * two runs ending together cannot both create a cluster for the same cases.
 */
export async function attachClusters(
  groups: readonly (readonly string[])[],
  o: ClusterAttachOptions,
  plan: (memberships: readonly ClusterMembership[]) => ClusterPlan,
): Promise<ClusterPlan> {
  const ids = [...new Set(groups.flat())];
  if (ids.length === 0) return { creates: [], merges: [], attaches: [], touched: [] };
  return writeTx(async (tx) => {
    await tx.run(`MERGE (m:TruyvetMeta {key: 'clusterLock'}) SET m.value = $now`, { now: int(o.now) });
    const read = await rows(
      tx,
      `UNWIND $ids AS cid MATCH (:Case {id: cid})-[:IN]->(k:Cluster) RETURN cid AS caseId, k.id AS clusterId, k.createdAt AS createdAt`,
      { ids },
    );
    const p = plan(read.map((r) => ({ caseId: str(r['caseId']), clusterId: str(r['clusterId']), createdAt: num(r['createdAt']) })));
    const now = int(o.now);
    if (p.creates.length > 0) {
      await tx.run(
        `UNWIND $creates AS k
         CREATE (x:Cluster {id: k.id, createdAt: $now, updatedAt: $now, firstRun: $run, lastRun: $run, merged: []})
         WITH x, k UNWIND k.cases AS cid
         MATCH (c:Case {id: cid}) WHERE NOT (c)-[:IN]->(:Cluster)
         CREATE (c)-[:IN {run: $run, at: $now}]->(x)`,
        { creates: p.creates.map((k) => ({ id: k.id, cases: [...k.cases] })), run: o.run, now },
      );
    }
    // One statement per merge, in order: a cluster absorbed by one merge may absorb another before.
    for (const m of p.merges) {
      await tx.run(
        `MATCH (into:Cluster {id: $into}), (gone:Cluster {id: $from})
         CALL (into, gone) {
           MATCH (c:Case)-[i:IN]->(gone)
           CREATE (c)-[:IN {run: i.run, at: i.at}]->(into)
           DELETE i
         }
         SET into.merged = coalesce(into.merged, []) + [gone.id] + coalesce(gone.merged, [])
         WITH gone DETACH DELETE gone`,
        m,
      );
    }
    if (p.attaches.length > 0) {
      await tx.run(
        `UNWIND $attaches AS a
         MATCH (x:Cluster {id: a.id})
         WITH x, a UNWIND a.cases AS cid
         MATCH (c:Case {id: cid}) WHERE NOT (c)-[:IN]->(:Cluster)
         CREATE (c)-[:IN {run: $run, at: $now}]->(x)`,
        { attaches: p.attaches.map((a) => ({ id: a.id, cases: [...a.cases] })), run: o.run, now },
      );
    }
    // The index case: the earliest infectious start (the default period's, without one), then the smallest id (DESIGN.md).
    await tx.run(
      `UNWIND $touched AS kid
       MATCH (x:Cluster {id: kid})<-[:IN]-(c:Case)
       WITH x, c ORDER BY coalesce(c.infectiousFrom, coalesce(c.onsetAt, c.confirmedAt) - $lead), c.id
       WITH x, collect(c.id)[0] AS index
       SET x.indexCase = index, x.updatedAt = $now, x.lastRun = $run`,
      { touched: [...p.touched], lead: int(o.leadMs), now, run: o.run },
    );
    return p;
  });
}

// ---- reads --------------------------------------------------------------------------------------

const INSIDE = `($province IS NULL OR coalesce(i.province = $province AND ($district IS NULL OR i.district = $district) AND ($commune IS NULL OR i.commune = $commune), false))`;

/** A cluster's case as read: its home only when registered; `inside` the caller's jurisdiction. */
export interface ClusterCaseRow {
  readonly id: string;
  readonly confirmedAt: number;
  readonly status: string;
  readonly home: { readonly province: string; readonly district: string; readonly commune: string } | null;
  readonly inside: boolean;
}

export interface ClusterStationRow {
  readonly id: string;
  readonly name: string | null;
  readonly province: string | null;
  readonly district: string | null;
  readonly commune: string | null;
  /** Links (distinct pairs of cases) at this station. */
  readonly links: number;
}

export interface ClusterRow {
  readonly id: string;
  readonly indexCase: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly merged: readonly string[];
  readonly cases: readonly ClusterCaseRow[];
  /** Only in a cluster read whole (readCluster). */
  readonly stations?: readonly ClusterStationRow[];
}

// Visible: at least one case of a person living inside the scope (the query decides).
const VISIBLE = `EXISTS {
  MATCH (k)<-[:IN]-(c0:Case)
  WHERE $province IS NULL OR EXISTS {
    MATCH (i:Identity {pid: c0.personId})
    WHERE i.province = $province AND ($district IS NULL OR i.district = $district) AND ($commune IS NULL OR i.commune = $commune)
  }
}`;

const CASES = `CALL (k) {
  MATCH (k)<-[:IN]-(c:Case)
  OPTIONAL MATCH (i:Identity {pid: c.personId})
  RETURN collect({id: c.id, confirmedAt: c.confirmedAt, status: c.status, registered: i IS NOT NULL,
    province: i.province, district: i.district, commune: i.commune, inside: ${INSIDE}}) AS cases
}`;

const STATIONS = `CALL (k) {
  MATCH (k)<-[:IN]-(a:Case)-[l:LINKED]->(b:Case)-[:IN]->(k)
  WITH l.station AS station, count(DISTINCT [a.id, b.id]) AS links
  OPTIONAL MATCH (s:Station {id: station})
  RETURN collect({id: station, name: s.name, province: s.province, district: s.district, commune: s.commune, links: links}) AS stations
}`;

function caseRow(v: unknown): ClusterCaseRow {
  const r = v as Record<string, unknown>;
  return {
    id: str(r['id']),
    confirmedAt: num(r['confirmedAt']),
    status: strOrEmpty(r['status']),
    home: r['registered'] === true ? { province: strOrEmpty(r['province']), district: strOrEmpty(r['district']), commune: strOrEmpty(r['commune']) } : null,
    inside: r['inside'] === true,
  };
}

function stationRow(v: unknown): ClusterStationRow {
  const r = v as Record<string, unknown>;
  const opt = (k: string) => (typeof r[k] === 'string' ? r[k] : null);
  return { id: str(r['id']), name: opt('name'), province: opt('province'), district: opt('district'), commune: opt('commune'), links: num(r['links']) };
}

function clusterRow(r: Record<string, unknown>): ClusterRow {
  return {
    id: str(r['id']),
    indexCase: strOrEmpty(r['indexCase']),
    createdAt: num(r['createdAt']),
    updatedAt: num(r['updatedAt']),
    merged: ((r['merged'] as unknown[] | null) ?? []).map(str),
    cases: (r['cases'] as unknown[]).map(caseRow),
    ...(r['stations'] !== undefined ? { stations: (r['stations'] as unknown[]).map(stationRow) } : {}),
  };
}

export interface ClusterListQuery {
  readonly scope: Jurisdiction | undefined;
  /** Clusters changed at or after this instant (epoch ms); 0: all. */
  readonly since: number;
  readonly skip: number;
  readonly limit: number;
}

/** Clusters visible in the scope, most recently changed first, with their cases. */
export async function listClusters(q: ClusterListQuery): Promise<ClusterRow[]> {
  return readQuery(
    `MATCH (k:Cluster) WHERE k.updatedAt >= $since AND ${VISIBLE}
     WITH k ORDER BY k.updatedAt DESC, k.id SKIP $skip LIMIT $limit
     ${CASES}
     RETURN k.id AS id, k.indexCase AS indexCase, k.createdAt AS createdAt, k.updatedAt AS updatedAt, k.merged AS merged, cases
     ORDER BY updatedAt DESC, id`,
    { since: int(q.since), skip: int(q.skip), limit: int(q.limit), ...scopeParams(q.scope) },
    clusterRow,
  );
}

/**
 * A cluster by its id, or by an id it absorbed (`merged`), with its cases and stations;
 * `undefined`: no such cluster; `{inside: false}`: it has no case inside the scope.
 */
export async function readCluster(id: string, scope: Jurisdiction | undefined): Promise<ClusterRow | { inside: false } | undefined> {
  const [row] = await readQuery(
    `OPTIONAL MATCH (own:Cluster {id: $id})
     OPTIONAL MATCH (absorber:Cluster) WHERE own IS NULL AND $id IN absorber.merged
     WITH coalesce(own, absorber) AS k WHERE k IS NOT NULL
     WITH k LIMIT 1
     WITH k, ${VISIBLE} AS visible
     ${CASES}
     ${STATIONS}
     RETURN visible, k.id AS id, k.indexCase AS indexCase, k.createdAt AS createdAt, k.updatedAt AS updatedAt, k.merged AS merged, cases, stations`,
    { id, ...scopeParams(scope) },
    (r) => (r['visible'] === true ? clusterRow(r) : ({ inside: false } as const)),
  );
  return row;
}

/** Helpers for tests and tools: the cluster a case is in, undefined when none. */
export async function clusterOfCase(caseId: string): Promise<string | undefined> {
  const [id] = await readQuery('MATCH (:Case {id: $id})-[:IN]->(k:Cluster) RETURN k.id AS id', { id: caseId }, (r) => str(r['id']));
  return id;
}
