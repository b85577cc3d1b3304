import { deleteRunEdges, GRAPH_BATCH, writeRunClusters, writeRunContacts, writeRunLinks, type ContactRow, type LinkRow } from '../db/outbreaks';
import type { Link } from '../outbreak/assemble';
import type { Edge } from '../trace/assemble';
import type { OutbreakCluster } from '../types';

/**
 * An outbreak run written into the graph for Neo4j's own tools (Browser, Bloom), pseudonymous ids
 * only (engine/db/outbreaks.ts has the shape): a CONTACT relationship per (source, target) pair of
 * the run, not per contact edge, and a LINKED relationship per link.
 *
 * Why one per pair: a depth-2 run holds 10^5–10^6 contact edges, most pairs meeting several times
 * (the same market, the same checkpoint every day); the graph is for seeing who met whom in
 * which run, and the earliest contact is the one that counts for exposure. `contacts` on the
 * relationship says how many edges it stands for; every edge's evidence (both passages, each
 * time and overlap) stays in the sealed result, paged by the API.
 */

/** The run's CONTACT rows: each pair's earliest contact (contacts come in the engine's order: generation, time, ids), with the pair's count. */
export function contactRows(contacts: readonly Edge[]): ContactRow[] {
  const at = new Map<string, number>();
  const rows: [string, string, number, string, number, number, number][] = [];
  for (const e of contacts) {
    const key = `${e.source}\u0000${e.target}`;
    const i = at.get(key);
    if (i !== undefined) {
      const row = rows[i]!;
      row[6]++;
      // A pair's edges share a generation (the target's); the earliest is kept, whatever the order given.
      if (e.at < row[2]) [row[2], row[3], row[4]] = [e.at, e.stationId, e.overlapMs / 1000];
      continue;
    }
    at.set(key, rows.length);
    rows.push([e.source, e.target, e.at, e.stationId, e.overlapMs / 1000, e.generation, 1]);
  }
  return rows;
}

export function linkRows(links: readonly Link[]): LinkRow[] {
  return links.map((l) => [l.from, l.to, l.generation, l.at, l.stationId, l.overlapMs / 1000, l.via ?? null] as const);
}

export interface GraphWriteOptions {
  /** Checked between batches: an aborted write stops, and the caller removes what was written (removeRunGraph) or says it is incomplete. */
  readonly signal?: AbortSignal;
  /** CONTACT relationships written so far, after each batch (awaited: the caller may record it). */
  readonly onBatch?: (written: number) => void | Promise<void>;
}

/**
 * Writes the run's CONTACT and LINKED relationships, a batch per transaction, and marks its
 * clustered cases' TRACED relationships with their cluster; returns how many of each relationship.
 */
export async function writeRunGraph(
  run: string,
  contacts: readonly Edge[],
  links: readonly Link[],
  clusters: readonly OutbreakCluster[],
  o: GraphWriteOptions = {},
): Promise<{ contacts: number; links: number }> {
  const linked = await writeRunCaseGraph(run, links, clusters, o);
  return { contacts: await writeRunContactGraph(run, contacts, o), links: linked };
}

/**
 * The part of a run's graph between cases: its LINKED relationships and its clusters on the
 * TRACED ones (what the clusters' reads use, engine/db/clusters.ts); returns the LINKED written.
 */
export async function writeRunCaseGraph(run: string, links: readonly Link[], clusters: readonly OutbreakCluster[], o: Pick<GraphWriteOptions, 'signal'> = {}): Promise<number> {
  const lrows = linkRows(links);
  let linked = 0;
  for (let i = 0; i < lrows.length; i += GRAPH_BATCH) {
    o.signal?.throwIfAborted();
    linked += await writeRunLinks(run, lrows.slice(i, i + GRAPH_BATCH));
  }
  o.signal?.throwIfAborted();
  await writeRunClusters(run, clusters.flatMap((c) => c.cases.map((id) => [id, c.id, id === c.index] as const)));
  return linked;
}

/** The run's CONTACT relationships, one per (source, target) pair; returns how many were written. */
export async function writeRunContactGraph(run: string, contacts: readonly Edge[], o: GraphWriteOptions = {}): Promise<number> {
  const rows = contactRows(contacts);
  let written = 0;
  for (let i = 0; i < rows.length; i += GRAPH_BATCH) {
    o.signal?.throwIfAborted();
    written += await writeRunContacts(run, rows.slice(i, i + GRAPH_BATCH));
    await o.onBatch?.(written);
  }
  return written;
}

/** Removes every relationship a run wrote (a run that failed or was cancelled while writing them). */
export async function removeRunGraph(run: string): Promise<number> {
  return deleteRunEdges(run, { links: true });
}
