import type { CaseItem, Cluster, OutbreakLink, OutbreakRun } from './types';

/**
 * The pure parts of the epidemic-wave pages (wave-page.ts, followups-page.ts): a run's counts per
 * generation, the layout of a cluster's graph, the epidemic curve's default window. No DOM here,
 * so the unit tests check them directly.
 */

const DAY_MS = 86_400_000;
/** Ho Chi Minh City is UTC+7 all year (no daylight saving): days are its calendar days. */
const HCMC_MS = 7 * 3_600_000;
/** The API's limit for /api/stats/daily. */
export const CURVE_MAX_DAYS = 92;

/** The statuses a follow-up may have, in the machine's order (engine/followups; the server decides which change is allowed). */
export const FOLLOW_UP_STATUSES = ['to_contact', 'reached', 'unreachable', 'quarantined', 'released', 'tested_positive'] as const;

export function runEnded(run: Pick<OutbreakRun, 'status'>): boolean {
  return run.status === 'done' || run.status === 'failed' || run.status === 'cancelled';
}

/** People of a run by generation (1 = F1…), in generation order, from all the pages loaded. */
export function peoplePerGeneration(people: readonly { generation: number }[]): { generation: number; people: number }[] {
  const counts = new Map<number, number>();
  for (const p of people) counts.set(p.generation, (counts.get(p.generation) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a - b).map(([generation, n]) => ({ generation, people: n }));
}

/** The Ho Chi Minh City day (YYYY-MM-DD) of an instant. */
export function hcmcDay(t: string | number): string {
  return new Date((typeof t === 'number' ? t : Date.parse(t)) + HCMC_MS).toISOString().slice(0, 10);
}

/** The instant a Ho Chi Minh City day starts at. */
export function dayStart(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - HCMC_MS).toISOString();
}

/**
 * The curve's default window, as days: from the earliest to the latest confirmation of the cases
 * listed (the newest 92 days of them at most), or the last 30 days when there are none.
 */
export function curveWindow(cases: readonly Pick<CaseItem, 'confirmedAt'>[], now: number): { from: string; to: string } {
  if (cases.length === 0) return { from: hcmcDay(now - 29 * DAY_MS), to: hcmcDay(now) };
  const times = cases.map((c) => Date.parse(c.confirmedAt));
  const last = Math.max(...times);
  const first = Math.max(Math.min(...times), last - (CURVE_MAX_DAYS - 1) * DAY_MS);
  return { from: hcmcDay(first), to: hcmcDay(last) };
}

/** The instants to ask /api/stats/daily for a window of days (`to` included). */
export function curveQuery(from: string, to: string): { from: string; to: string } {
  return { from: dayStart(from), to: new Date(Date.parse(dayStart(to)) + DAY_MS).toISOString() };
}

export interface ClusterNode {
  readonly id: string;
  readonly kind: 'case' | 'station';
  readonly x: number;
  readonly y: number;
  /** A case: its confirmation day; a station: its name (or id). */
  readonly label: string;
  /** A station: how many pairs of cases met there. */
  readonly links?: number;
}

export interface ClusterEdge {
  readonly from: string;
  readonly to: string;
  /** case → case: a link of a run; case → station: where that link happened. */
  readonly kind: 'link' | 'at';
}

export interface ClusterLayout {
  readonly nodes: ClusterNode[];
  readonly edges: ClusterEdge[];
  readonly days: string[];
}

/**
 * A cluster drawn over the days: its cases (those the caller may see) in columns by confirmation
 * day, joined by the run links between them (the tracer's latest run's, as the cluster answer has
 * no links), and its stations in a row underneath, each tied to the cases of the links that
 * happened there. Positions are in a width × height box with a margin.
 */
export function clusterLayout(cluster: Pick<Cluster, 'cases' | 'stations'>, links: readonly OutbreakLink[], width: number, height: number): ClusterLayout {
  const margin = 30;
  const days = [...new Set(cluster.cases.map((c) => hcmcDay(c.confirmedAt)))].sort();
  const byDay = new Map<string, string[]>();
  for (const c of [...cluster.cases].sort((a, b) => a.confirmedAt.localeCompare(b.confirmedAt) || a.id.localeCompare(b.id))) {
    const d = hcmcDay(c.confirmedAt);
    byDay.set(d, [...(byDay.get(d) ?? []), c.id]);
  }
  const stations = cluster.stations ?? [];
  const caseBottom = stations.length > 0 ? height * 0.68 : height - margin;
  const colX = (i: number): number => (days.length === 1 ? width / 2 : margin + ((width - 2 * margin) * i) / (days.length - 1));
  const nodes: ClusterNode[] = [];
  days.forEach((day, i) => {
    const ids = byDay.get(day) ?? [];
    ids.forEach((id, j) => nodes.push({ id, kind: 'case', x: colX(i), y: margin + ((caseBottom - margin) * (j + 1)) / (ids.length + 1), label: day }));
  });
  stations.forEach((s, i) =>
    nodes.push({ id: `station:${s.id}`, kind: 'station', x: margin + ((width - 2 * margin) * (i + 1)) / (stations.length + 1), y: height - margin, label: s.name ?? s.id, links: s.links }),
  );
  const ids = new Set(cluster.cases.map((c) => c.id));
  const stationIds = new Set(stations.map((s) => s.id));
  const edges: ClusterEdge[] = [];
  const seen = new Set<string>();
  const add = (e: ClusterEdge): void => {
    const key = `${e.kind}|${e.from}|${e.to}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push(e);
  };
  for (const l of links) {
    if (!ids.has(l.from) || !ids.has(l.to)) continue;
    add({ from: l.from, to: l.to, kind: 'link' });
    if (stationIds.has(l.stationId)) {
      add({ from: l.from, to: `station:${l.stationId}`, kind: 'at' });
      add({ from: l.to, to: `station:${l.stationId}`, kind: 'at' });
    }
  }
  return { nodes, edges, days };
}
