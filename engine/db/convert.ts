import neo4j from 'neo4j-driver';

/**
 * The database boundary: Neo4j integers and temporals become plain numbers and ISO strings here,
 * and integers going in are sent as Neo4j integers (a JS number would be stored as a float).
 * Nothing outside engine/db sees `{low, high}`.
 */

/** A JS integer as a Cypher INTEGER parameter. */
export function int(n: number): ReturnType<typeof neo4j.int> {
  if (!Number.isSafeInteger(n)) throw new Error(`not a safe integer: ${n}`);
  return neo4j.int(n);
}

/** Any numeric value from a record as a JS number. */
export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (neo4j.isInt(v)) return v.toNumber();
  throw new Error(`expected a number from Neo4j, got ${typeof v}`);
}

export function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}

export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  throw new Error(`expected a string from Neo4j, got ${typeof v}`);
}

export function strOrEmpty(v: unknown): string {
  return v === null || v === undefined ? '' : str(v);
}

/** A Neo4j temporal value (or an ISO string) as an ISO string. */
export function iso(v: unknown): string {
  if (typeof v === 'string') return v;
  if (neo4j.isDateTime(v) || neo4j.isDate(v) || neo4j.isLocalDateTime(v)) return v.toString();
  throw new Error('expected a temporal value from Neo4j');
}
