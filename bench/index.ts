/**
 * `npm run bench -- NAME [flags]`: runs one benchmark (bench/NAME.ts) with its flags, so one
 * script reaches them all; without a name, lists them. Each prints its own JSON document (see
 * the comment at the top of each file, and README "Benchmarks"). They are run by hand, never by
 * the test suite: they load the shared Neo4j for minutes.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BENCHES: Record<string, string> = {
  import: 'generate a city, import it with the real command (rows/s, peak RSS), one-row-per-transaction baseline',
  storage: 'passage layouts compared: (:Window) buckets vs (:Passage) nodes, write rate and co-location lookups',
  trace: 'trace depth 1 and 2 on an imported city (p50/p95/p99, db hits) against a DuckDB band join (needs DIR)',
  scan: 'POST /api/scans through the real server under load',
  api: 'POST /api/traces and timelines through the real server under load',
  pages: 'reading a stored trace page by page: every page reading the whole result vs kept open',
};

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || name === '--help' || !(name in BENCHES)) {
  const lines = Object.entries(BENCHES).map(([k, v]) => `  ${k.padEnd(8)} ${v}`);
  process.stderr.write(`usage: npm run bench -- NAME [flags]\n\n${lines.join('\n')}\n\nFlags: the comment at the top of bench/NAME.ts.\n`);
  process.exit(name === undefined || name === '--help' ? 0 : 2);
}

const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
const r = spawnSync(tsx, [path.join(__dirname, `${name}.ts`), ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
