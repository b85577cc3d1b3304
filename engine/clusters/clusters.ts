import { randomBytes } from 'node:crypto';
import * as db from '../db/clusters';
import type { ClusterCaseRow, ClusterPlan, ClusterRow } from '../db/clusters';
import { INFECTIOUS_LEAD_MS } from '../outbreak/cases';
import { DEFAULT_TZ, isoUtc } from '../time';
import type { Jurisdiction, OutbreakCluster } from '../types';
import { planClusters } from './plan';

/**
 * Clusters across days (issue 22 point 4; the graph: engine/db/clusters.ts). An outbreak run that
 * is done attaches its clusters (attachRunClusters, from engine/outbreak-store's completion): a
 * stable id per cluster, kept when later runs add cases and when two clusters merge (the older
 * one's). Read, scoped by the case persons' homes, as ClusterView: the index case, size by
 * confirmation day, stations of its links, communes its case persons live in.
 */

export const CLUSTER_ID_RE = /^cl-[0-9a-f]{16}$/;

export function newClusterId(): string {
  return `cl-${randomBytes(8).toString('hex')}`;
}

/** Attaches a done run's clusters to the clusters across days; returns what changed. */
export async function attachRunClusters(run: string, clusters: readonly OutbreakCluster[], now: number): Promise<ClusterPlan> {
  const groups = clusters.map((c) => c.cases);
  return db.attachClusters(groups, { run, now, leadMs: INFECTIOUS_LEAD_MS }, (m) => planClusters(groups, m, newClusterId));
}

export interface ClusterDay {
  /** The calendar day in Ho Chi Minh City time, YYYY-MM-DD. */
  readonly day: string;
  /** Cases confirmed that day. */
  readonly cases: number;
  /** The cluster's size at the end of that day. */
  readonly total: number;
}

export interface ClusterCommune {
  readonly province: string;
  readonly district: string;
  readonly commune: string;
  readonly cases: number;
}

export interface ClusterCase {
  readonly id: string;
  readonly confirmedAt: string;
  readonly status: string;
  readonly home: ClusterCaseRow['home'];
}

export interface ClusterView {
  readonly id: string;
  /** Null when the index case's person lives outside the reader's jurisdiction. */
  readonly indexCase: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Ids of clusters merged into this one (they find it still). */
  readonly merged: readonly string[];
  readonly size: number;
  readonly firstConfirmedAt: string;
  readonly lastConfirmedAt: string;
  readonly days: readonly ClusterDay[];
  /** The registry homes of its case persons (all its cases); `unregistered` counts those without. */
  readonly communes: readonly ClusterCommune[];
  readonly unregistered: number;
  /** The cases of people living inside the reader's jurisdiction. */
  readonly cases: readonly ClusterCase[];
  /** Its other cases, counted only. */
  readonly outsideCases: number;
  /** Where its links happened (distinct pairs of cases per station), most first; read whole only. */
  readonly stations?: readonly db.ClusterStationRow[];
}

const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: DEFAULT_TZ, year: 'numeric', month: '2-digit', day: '2-digit' });

/** A stored cluster as a reader sees it (pure). */
export function clusterView(r: ClusterRow): ClusterView {
  const cases = [...r.cases].sort((a, b) => a.confirmedAt - b.confirmedAt || (a.id < b.id ? -1 : 1));
  const perDay = new Map<string, number>();
  for (const c of cases) {
    const d = dayFormat.format(c.confirmedAt);
    perDay.set(d, (perDay.get(d) ?? 0) + 1);
  }
  let total = 0;
  const days = [...perDay].map(([day, n]) => ({ day, cases: n, total: (total += n) }));
  const communes = new Map<string, ClusterCommune>();
  for (const c of cases) {
    if (!c.home) continue;
    const key = `${c.home.province}/${c.home.district}/${c.home.commune}`;
    const e = communes.get(key);
    communes.set(key, { ...c.home, cases: (e?.cases ?? 0) + 1 });
  }
  const inside = cases.filter((c) => c.inside);
  const index = cases.find((c) => c.id === r.indexCase);
  return {
    id: r.id,
    indexCase: index?.inside === true ? index.id : null,
    createdAt: isoUtc(r.createdAt),
    updatedAt: isoUtc(r.updatedAt),
    merged: [...r.merged],
    size: cases.length,
    firstConfirmedAt: isoUtc(cases[0]?.confirmedAt ?? r.createdAt),
    lastConfirmedAt: isoUtc(cases.at(-1)?.confirmedAt ?? r.createdAt),
    days,
    communes: [...communes.values()].sort((a, b) => b.cases - a.cases || (`${a.province}/${a.district}/${a.commune}` < `${b.province}/${b.district}/${b.commune}` ? -1 : 1)),
    unregistered: cases.filter((c) => !c.home).length,
    cases: inside.map((c) => ({ id: c.id, confirmedAt: isoUtc(c.confirmedAt), status: c.status, home: c.home })),
    outsideCases: cases.length - inside.length,
    ...(r.stations ? { stations: [...r.stations].sort((a, b) => b.links - a.links || (a.id < b.id ? -1 : 1)) } : {}),
  };
}

export interface ClusterListFilter {
  readonly scope: Jurisdiction | undefined;
  /** Clusters changed at or after this instant (epoch ms). */
  readonly since?: number;
  readonly skip: number;
  readonly limit: number;
}

/** Clusters with a case inside the scope, most recently changed first. */
export async function clustersFor(f: ClusterListFilter): Promise<ClusterView[]> {
  const rows = await db.listClusters({ scope: f.scope, since: f.since ?? 0, skip: f.skip, limit: f.limit });
  return rows.map(clusterView);
}

/** A cluster (by its id or one it absorbed); undefined: none; 'outside': none of its cases lives inside the scope. */
export async function clusterFor(id: string, scope: Jurisdiction | undefined): Promise<ClusterView | 'outside' | undefined> {
  const r = await db.readCluster(id, scope);
  if (r === undefined) return undefined;
  if ('inside' in r) return 'outside';
  return clusterView(r);
}

export { clusterOfCase } from '../db/clusters';
