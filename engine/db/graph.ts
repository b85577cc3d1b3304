import { num, str } from './convert';
import { readQuery } from './driver';

/**
 * What a database holds, for commands that only run on an empty one (the bulk first load
 * replaces the store). `TruyvetMeta` is the schema's own bookkeeping (`truyvet db migrate`
 * writes it), not data.
 */
export interface StoredData {
  readonly nodes: number;
  /** Labels of the data nodes, most frequent first (a few). */
  readonly labels: readonly string[];
}

export async function storedData(): Promise<StoredData> {
  const [total] = await readQuery('MATCH (n) WHERE NOT n:TruyvetMeta RETURN count(n) AS n', {}, (r) => num(r['n']));
  if (!total) return { nodes: 0, labels: [] };
  const labels = await readQuery(
    'MATCH (n) WHERE NOT n:TruyvetMeta WITH n LIMIT 100000 UNWIND labels(n) AS label RETURN label, count(*) AS c ORDER BY c DESC, label LIMIT 5',
    {},
    (r) => str(r['label']),
  );
  return { nodes: total, labels };
}
