import { writeTx } from '../engine/db/driver';
import { localNeo4jPid, procCpu, round, timed } from './harness';

/**
 * The import's floor: Neo4j creating passage nodes shaped like the importer's (same label, so the
 * same unique id and the two range indexes; the same properties, strings of the same lengths)
 * from Cypher alone — no CSV, no validation, no parameters to send. Whatever the importer does,
 * it cannot store rows faster than this on the same machine; the gap is the client's share.
 */

// Rows made in the statement from their index; stations and instants spread like a city's.
const CREATE = `
UNWIND range($from, $from + $n - 1) AS i
CREATE (:Passage {id: $prefix + 'F' + toString(1000000000 + i), pid: $prefix + 'p' + toString(1000000000 + (i * 7919) % 1000003),
  station: $prefix + 'ST' + toString(1000 + i % 2000), at: $t0 + i * 1000, leftAt: $t0 + i * 1000 + (i % 5) * 600000, span: i % 3, source: 'csv'})`;

export interface FloorRun {
  readonly writers: number;
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  /** Neo4j's CPU time per row, when the server is the local one (its /proc is readable). */
  readonly neo4jCpuMicrosPerRow: number | null;
}

function neo4jCpuMs(): number | null {
  const pid = localNeo4jPid();
  const cpu = pid === null ? null : procCpu(pid);
  return cpu === null ? null : cpu.seconds * 1000;
}

/** Creates `rows` passages under `prefix` in batches of `batch`, `writers` transactions at a time. The caller removes them. */
export async function serverOnlyFloor(prefix: string, rows: number, batch: number, writers: number): Promise<FloorRun> {
  const cpu0 = neo4jCpuMs();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows) {
      const from = next;
      next += batch;
      await writeTx((tx) => tx.run(CREATE, { prefix, from, n: Math.min(batch, rows - from), t0: 1_627_776_000_000 }));
    }
  };
  const { ms } = await timed(() => Promise.all(Array.from({ length: writers }, worker)));
  const seconds = ms / 1000;
  const cpu1 = neo4jCpuMs();
  return {
    writers,
    rows,
    seconds: round(seconds, 2),
    rowsPerSecond: Math.round(rows / seconds),
    neo4jCpuMicrosPerRow: cpu0 === null || cpu1 === null ? null : Math.round(((cpu1 - cpu0) * 1000) / rows),
  };
}
