/**
 * Benchmark cities, shared by bench/import.ts, bench/trace.ts and bench/storage.ts.
 *
 * DESIGN.md plans for ~10M people and tens of millions of passages over 14–21 days: about 0.1–0.3
 * passages per person-day (lockdown: most people stay home). `design` cities follow that
 * (`--mobility 0.1`: 0.19 passages per person-day measured); `dense` cities are the generator's
 * default (2.15 passages per person-day: few, hyper-connected people), kept for comparison.
 * Both: 2,000 stations, 14 days from 2021-08-01.
 *
 * Generated files are cached under ~/.cache/truyvet/ (deterministic for a seed, so reusable), and
 * copied with a prefix in front of every id (stations, people, passages), so several cities sit
 * apart in one database and each can be removed by its prefix.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { once } from 'node:events';
import { runAutoCommit } from '../engine/db/driver';
import { CELL_SEEK } from '../engine/db/passages';
import { FILES, generateCity } from '../generator';

export const CACHE = path.join(os.homedir(), '.cache', 'truyvet');
export const STATIONS = 2000;
export const DAYS = 14;
/**
 * People per passage wanted: design 0.37 (the generator then makes 0.19 passages per
 * person-day: 994,444 passages for 370,000 people), dense 0.034 (2.15 per person-day: 913,028
 * passages for 34,000 people, seed 1).
 */
export const PEOPLE_PER_PASSAGE = { design: 0.37, dense: 0.034 } as const;
export type CityKind = keyof typeof PEOPLE_PER_PASSAGE;

export interface CitySpec {
  readonly kind: CityKind;
  readonly passages: number;
  readonly seed: number;
}

export function peopleFor(spec: CitySpec): number {
  return Math.max(20, Math.round(spec.passages * PEOPLE_PER_PASSAGE[spec.kind]));
}

const label = (n: number): string => (n >= 1e6 ? `${Math.round(n / 1e6)}m` : `${Math.round(n / 1e3)}k`);

/** The raw generated city (cached): its directory and what the generator said. */
export async function rawCity(spec: CitySpec, progress: (m: string) => void): Promise<{ dir: string; people: number; passages: number; seconds: number }> {
  const people = peopleFor(spec);
  const dir = path.join(CACHE, `raw-${spec.kind}-${label(spec.passages)}-s${spec.seed}`);
  const done = path.join(dir, 'generated.json');
  if (fs.existsSync(done)) return JSON.parse(fs.readFileSync(done, 'utf8')) as { dir: string; people: number; passages: number; seconds: number };
  progress(`generating ${spec.kind} city: ${people} people, ${STATIONS} stations, ${DAYS} days → ${dir}`);
  const t0 = performance.now();
  const s = await generateCity(dir, { people, stations: STATIONS, days: DAYS, seed: spec.seed, start: '2021-08-01', ...(spec.kind === 'design' ? { mobility: 0.1 } : {}) });
  const out = { dir, people, passages: s.passages, seconds: Math.round((performance.now() - t0) / 100) / 10 };
  fs.writeFileSync(done, JSON.stringify(out));
  return out;
}

/**
 * Copies a generated file with `prefix` in front of its ids (columns by index), up to `limit`
 * data rows. The generator writes no quoted fields, so a line split on commas is exact; a quote
 * would stop the copy rather than be mangled.
 */
export async function prefixed(src: string, dest: string, prefix: string, idColumns: readonly number[], limit = Infinity): Promise<number> {
  const out = createWriteStream(dest);
  const lines = readline.createInterface({ input: createReadStream(src), crlfDelay: Infinity });
  let n = -1;
  for await (const line of lines) {
    if (n >= limit) break;
    if (n >= 0) {
      if (line.includes('"')) throw new Error(`${src}: quoted field on data row ${n + 1}`);
      const cells = line.split(',');
      for (const c of idColumns) if (cells[c] !== '' && cells[c] !== undefined) cells[c] = prefix + cells[c];
      if (!out.write(`${cells.join(',')}\n`)) await once(out, 'drain');
    } else if (!out.write(`${line}\n`)) await once(out, 'drain');
    n++;
  }
  lines.close();
  out.end();
  await once(out, 'finish');
  return n;
}

/** stations.csv, people.csv and passages.csv of `raw` with every id prefixed, in `dest`. */
export async function prefixedCity(raw: string, dest: string, prefix: string, passageLimit = Infinity): Promise<{ stations: string; people: string; passages: string; rows: number }> {
  fs.mkdirSync(dest, { recursive: true });
  const files = { stations: path.join(dest, FILES.stations), people: path.join(dest, FILES.people), passages: path.join(dest, FILES.passages) };
  await prefixed(path.join(raw, FILES.stations), files.stations, prefix, [0]);
  await prefixed(path.join(raw, FILES.people), files.people, prefix, [0]);
  const rows = await prefixed(path.join(raw, FILES.passages), files.passages, prefix, [0, 1, 2], passageLimit);
  return { ...files, rows };
}

/**
 * Removes what a prefix put in the graph: the people with a passage at its stations (with their
 * registry rows), its passages, its stations, in small transactions (a million passages in one
 * would outgrow the server's transaction memory).
 */
export async function removePrefix(prefix: string): Promise<void> {
  const passages = `MATCH (x:Passage) ${CELL_SEEK('x')} AND x.station STARTS WITH $prefix AND x.span IS NOT NULL AND x.at IS NOT NULL`;
  await runAutoCommit(
    `${passages} WITH DISTINCT x.pid AS pid
     CALL (pid) { OPTIONAL MATCH (p:Person {id: pid}) OPTIONAL MATCH (i:Identity {pid: pid}) DETACH DELETE p, i } IN TRANSACTIONS OF 5000 ROWS`,
    { prefix },
  );
  await runAutoCommit(`${passages} CALL (x) { DELETE x } IN TRANSACTIONS OF 20000 ROWS`, { prefix });
  await runAutoCommit(`MATCH (s:Station) WHERE s.id STARTS WITH $prefix CALL (s) { DETACH DELETE s } IN TRANSACTIONS OF 1000 ROWS`, { prefix });
}
