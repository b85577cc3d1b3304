import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { createAccount, generatePassword, getAccount } from '../../engine/accounts';
import type { Role } from '../../engine/accounts/roles';
import { envText, localSecretsDir, usesLocalNeo4j } from '../../engine/config';
import { importDeclarationsFile } from '../../engine/declarations/import';
import { countStations, describeCollisions, describeIndexProgress, migrate } from '../../engine/db';
import { invalidInput } from '../../engine/errors';
import { runImport, type ImportKind } from '../../engine/import';
import { DEFAULT_CITY, generateCity } from '../../generator';
import { start as startNeo4j } from '../../tools/neo4j/launcher';
import { buildViz } from '../../viz/build';
import { action } from '../run';
import { workerRole } from '../../api/cluster';
import { serveUntilStopped } from '../serving';

/**
 * `truyvet up` (what `npm start` runs): the whole local setup in one command. Starts the local
 * Neo4j (unless NEO4J_URI points elsewhere), migrates, loads a demo city when the graph has no
 * station yet, makes one demo account per role, builds the view, and serves on :8080.
 * Every step reuses what is already there, so a second `npm start` only serves.
 */

const Flags = z.object({
  port: z.coerce.number().int().min(0).max(65_535),
  host: z.string().min(1),
  people: z.coerce.number().int().min(100).max(1_000_000),
  days: z.coerce.number().int().min(1).max(60),
  workers: z.coerce.number().int().min(1).max(64),
});

const ROLES: readonly Role[] = ['admin', 'tracer', 'officer', 'importer', 'auditor'];
/** The demo city lies in Ho Chi Minh City (79); the officer works in District 1 (760). */
const JURISDICTION: Partial<Record<Role, { province: string; district?: string }>> = {
  tracer: { province: '79' },
  officer: { province: '79', district: '760' },
  importer: { province: '79' },
};

function dataDir(): string {
  return path.dirname(localSecretsDir());
}

export function register(program: Command): void {
  program
    .command('up')
    .description('start everything locally: Neo4j, schema, demo city (if the graph is empty), demo accounts, the API and the view')
    .option('--port <n>', 'TCP port', envText('PORT') ?? '8080')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--people <n>', 'size of the demo city, if one is made', '3000')
    .option('--days <n>', 'days of movement in the demo city, ending yesterday', '14')
    .option('--workers <n>', 'server processes sharing the port (as `serve --workers`): up to one per core', envText('TRUYVET_WORKERS') ?? '1')
    .action(
      action(async (raw: Record<string, unknown>) => {
        const parsed = Flags.safeParse(raw);
        if (!parsed.success) throw invalidInput('bad flags', parsed.error.issues.map((i) => ({ field: `--${i.path.join('.')}`, reason: i.message })));
        const f = parsed.data;
        // A worker of `--workers` runs this command again: the primary has done the rest.
        if (workerRole() !== undefined) return serveUntilStopped(f, () => undefined);
        const say = (m: string) => console.log(`• ${m}`);

        if (usesLocalNeo4j()) {
          const r = await startNeo4j((m) => say(m));
          say(r.alreadyRunning ? `Neo4j already running (${r.version}) at ${r.uri}` : `Neo4j started (${r.version}) at ${r.uri} in ${r.seconds.toFixed(1)} s`);
        } else {
          say(`using the Neo4j at NEO4J_URI`);
        }
        const migrated = await migrate((building) => say(describeIndexProgress(building)));
        for (const line of describeCollisions(migrated.usernameCollisions)) say(`warning: ${line}`);

        const stations = await countStations();
        if (stations === 0) await loadDemoCity(f.people, f.days, say);
        else say(`the graph already holds ${stations} stations: no demo city loaded`);
        printDemoHint(say);

        await ensureDemoAccounts(say);

        const viz = await buildViz();
        const rel = path.relative(process.cwd(), viz.outDir);
        say(`view built into ${rel && !rel.startsWith('..') ? rel : viz.outDir}`);

        await serveUntilStopped(f, (url) =>
          console.log(
            `\ntruyvet is up: ${url}  (API: ${url}/api/openapi.json${f.workers > 1 ? `; ${f.workers} workers` : ''}) — Ctrl-C stops the server; Neo4j keeps running (npx truyvet neo4j stop)`,
          ),
        );
      }),
    );
}

/** The demo city ends yesterday (Ho Chi Minh City time), so its QR codes, scans and retention behave as on a live system. */
function demoStart(days: number, now = Date.now()): string {
  const hcmToday = new Date(now + 7 * 3_600_000);
  hcmToday.setUTCHours(0, 0, 0, 0);
  return new Date(hcmToday.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

async function loadDemoCity(people: number, days: number, say: (m: string) => void): Promise<void> {
  const dir = path.join(dataDir(), 'demo-city');
  const start = demoStart(days);
  say(`generating the demo city (${people} people, ${days} days from ${start}) into ${dir}`);
  const g = await generateCity(dir, { ...DEFAULT_CITY, people, days, start, seed: 1 });
  say(`${g.passages} passages, ${g.outbreaks} planted outbreaks, in ${g.seconds} s`);
  for (const kind of ['stations', 'people', 'passages'] as const satisfies readonly ImportKind[]) {
    const r = await runImport({ kind, file: path.join(dir, `${kind}.csv`), clock: Date.now, now: Date.now() });
    say(`imported ${kind}: ${r.imported} new, ${r.duplicates} duplicates, ${r.rejected} rejected (${r.rowsPerSecond} rows/s)`);
  }
  await loadDemoCases(dir, say);
  const d = await importDeclarationsFile(path.join(dir, 'declarations.jsonl'), { platform: 'generic-json', now: Date.now(), clock: Date.now });
  say(`imported declarations: ${d.imported} new, ${d.rejected} rejected, ${d.qrIssued} QR codes issued`);
}

/** The generator's confirmed cases (planted chains across days), when its city has a cases.csv; nothing is said when it has none. */
export async function loadDemoCases(dir: string, say: (m: string) => void): Promise<void> {
  const cases = path.join(dir, 'cases.csv');
  if (!fs.existsSync(cases)) return;
  const r = await runImport({ kind: 'cases', file: cases, clock: Date.now, now: Date.now() });
  say(`imported cases: ${r.imported} new, ${r.duplicates} duplicates, ${r.rejected} rejected: ${r.imported + r.duplicates} confirmed cases loaded`);
}

function printDemoHint(say: (m: string) => void): void {
  const file = path.join(dataDir(), 'demo-city', 'outbreaks.json');
  try {
    const o = JSON.parse(fs.readFileSync(file, 'utf8')) as { outbreaks?: { f0: string; infectious: { from: string; to: string } }[] };
    const first = o.outbreaks?.[0];
    if (first) {
      say(`try a trace: F0 ${first.f0}, infectious from ${first.infectious.from} to ${first.infectious.to} (more in ${file})`);
      // The command line needs a request number and a purpose like the API, and audits the trace.
      say(`  or: npx truyvet trace --f0 ${first.f0} --from ${first.infectious.from} --to ${first.infectious.to} --request-ref DEMO-1 --purpose "demo trace"`);
    }
  } catch {
    /* no demo city made by this machine */
  }
}

/**
 * One account per role, named `demo-<role>`. Passwords come from TRUYVET_DEMO_PASSWORD, or are
 * generated, printed once, and kept with mode 0600 beside the other local secrets.
 */
async function ensureDemoAccounts(say: (m: string) => void): Promise<void> {
  const file = path.join(localSecretsDir(), 'demo-accounts.txt');
  const fromEnv = envText('TRUYVET_DEMO_PASSWORD');
  const made: string[] = [];
  for (const role of ROLES) {
    const username = `demo-${role}`;
    if (await getAccount(username)) continue;
    const password = fromEnv ?? generatePassword();
    const jurisdiction = JURISDICTION[role];
    await createAccount({ username, password, role, ...(jurisdiction ? { jurisdiction } : {}) }, Date.now());
    made.push(`${username.padEnd(16)} ${fromEnv ? '(TRUYVET_DEMO_PASSWORD)' : password}  role ${role}${jurisdiction ? `, jurisdiction ${[jurisdiction.province, jurisdiction.district].filter(Boolean).join('/')}` : ''}`);
  }
  if (made.length === 0) {
    say(`demo accounts ${ROLES.map((r) => `demo-${r}`).join(', ')} exist (passwords in ${file} when generated here)`);
    return;
  }
  if (!fromEnv) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.appendFileSync(file, `${made.join('\n')}\n`, { mode: 0o600 });
  }
  console.log(`\nDemo accounts (shown once${fromEnv ? '' : `; kept in ${file}`}):\n  ${made.join('\n  ')}\n`);
}
