/**
 * `npm run bench -- NAME [flags]`: runs one benchmark (bench/NAME.ts) with its flags, so one
 * script reaches them all; without a name, lists them. Each prints its own JSON document (see
 * `npm run bench -- NAME --help`, and docs/benchmarks.md). They are run by hand, never by the
 * test suite: they load the shared Neo4j for minutes.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Command } from 'commander';

const BENCHES: Record<string, string> = {
  import: 'generate a city, import it with the real command (rows/s, peak RSS), one-row-per-transaction baseline',
  storage: 'passage layouts compared: (:Window) buckets vs (:Passage) nodes, write rate and co-location lookups',
  trace: 'trace depth 1 and 2 on an imported city (p50/p95/p99, db hits) against a DuckDB band join (needs DIR)',
  scan: 'POST /api/scans through the real server under load',
  api: 'POST /api/traces and timelines through the real server under load',
  pages: 'reading a stored trace page by page: every page reading the whole result vs kept open',
  view: "the tracers' view in Chromium: counts and the whole view on screen after the trace's answer",
};

const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
const program = new Command('npm run bench --')
  .usage('NAME [flags]')
  .addHelpText('after', '\nFlags of a benchmark: npm run bench -- NAME --help');
for (const [name, description] of Object.entries(BENCHES)) {
  // The bench parses its own flags (bench/harness.ts): everything after the name goes to it.
  program
    .command(name)
    .description(description)
    .argument('[flags...]')
    .helpOption(false)
    .allowUnknownOption()
    .action((flags: string[]) => {
      const r = spawnSync(tsx, [path.join(__dirname, `${name}.ts`), ...flags], { stdio: 'inherit' });
      process.exitCode = r.status ?? 1;
    });
}
const argv = process.argv.slice(2);
if (argv.length === 0) program.outputHelp();
else program.parse(argv, { from: 'user' });
