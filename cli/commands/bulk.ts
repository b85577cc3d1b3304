import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { localNeo4jSettings, usesLocalNeo4j } from '../../engine/config';
import { closeDriver, describeIndexProgress, migrate, storedData } from '../../engine/db';
import { conflict, invalidInput, unavailable } from '../../engine/errors';
import { bulkFiles, loadProfile, prepareBulk, type BulkKindSummary } from '../../engine/import';
import { adminImport, LauncherError, start, stop } from '../../tools/neo4j/launcher';
import { auditCli } from '../lawful-access';

export interface BulkFlags {
  json?: boolean;
  report?: string;
  profile?: string;
}

export interface BulkResult {
  readonly dir: string;
  readonly kinds: readonly BulkKindSummary[];
  /** Rows read from every file. */
  readonly read: number;
  readonly nodes: number;
  readonly relationships: number;
  /** Seconds per phase, and in all (the server's stop and start included). */
  readonly seconds: { readonly validate: number; readonly neo4jAdmin: number; readonly restart: number; readonly schema: number; readonly total: number };
  readonly rowsPerSecond: number;
  readonly warnings: readonly string[];
}

/**
 * `truyvet import --bulk DIR`: the first load of an empty database through neo4j-admin's
 * offline importer. The files are validated exactly as the online import validates them
 * (engine/import/bulk.ts) before the server is touched; then the local server is stopped, the
 * store written, the server started again and the schema built on the loaded graph (indexes
 * populate once, instead of on every write). A database that holds data is refused: the
 * offline importer replaces the store.
 */
export async function bulkImport(dir: string, flags: BulkFlags): Promise<BulkResult> {
  const t0 = performance.now();
  const say = (m: string): void => {
    if (!flags.json) console.error(m);
  };
  if (!usesLocalNeo4j()) {
    throw invalidInput('--bulk loads the store of the local Neo4j that truyvet runs (truyvet neo4j start) with neo4j-admin, and NEO4J_URI points at another server: unset it, or use the online import (truyvet import KIND FILE)');
  }
  const profile = flags.profile === undefined ? undefined : loadProfile(flags.profile);
  bulkFiles(dir);
  if (flags.report !== undefined) fs.mkdirSync(flags.report, { recursive: true });
  const s = localNeo4jSettings();
  const launch = (): Promise<unknown> =>
    start(say, s).catch((e: unknown) => {
      throw e instanceof LauncherError ? invalidInput(e.message) : e;
    });
  await launch();
  const held = await storedData();
  if (held.nodes > 0) {
    throw conflict(
      `the database already holds data (${held.nodes.toLocaleString('en')} nodes: ${held.labels.join(', ')}): --bulk only loads an empty database, ` +
        "because neo4j-admin replaces the whole store. Add these files with the online import instead (truyvet import stations|people|passages|cases FILE), which merges into what is stored.",
    );
  }

  const runId = `imp-${randomBytes(8).toString('hex')}`;
  const work = path.join(s.home, 'import', `bulk-${runId}`);
  let restarted = true;
  try {
    say(`validating ${dir}…`);
    const plan = await prepareBulk({
      dir,
      outDir: work,
      runId,
      now: Date.now(),
      ...(profile?.dayFirst !== undefined ? { dayFirst: profile.dayFirst } : {}),
      ...(flags.report !== undefined ? { reportDir: flags.report } : {}),
      onProgress: (kind, rows) => say(`  ${kind}: ${rows.toLocaleString('en')} rows`),
    });
    const t1 = performance.now();
    say(`stopping Neo4j for the offline import (${plan.nodeCount.toLocaleString('en')} nodes, ${plan.relationshipCount.toLocaleString('en')} relationships)…`);
    await closeDriver();
    restarted = false;
    await stop(s);
    let t2: number;
    try {
      adminImport(plan, work, s);
    } catch (e) {
      throw e instanceof LauncherError ? unavailable(e.message) : e;
    } finally {
      t2 = performance.now();
      await launch();
      restarted = true;
    }
    const t3 = performance.now();
    say('building the schema (constraints and indexes)…');
    await migrate((building) => say(describeIndexProgress(building)));
    const t4 = performance.now();
    const cases = plan.kinds.find((k) => k.kind === 'cases');
    if (cases) {
      const { read, imported, duplicates, rejected } = cases;
      await auditCli({ action: 'cases.import', outcome: 'ok', count: imported, details: { read, imported, updated: 0, duplicates, rejected, bulk: true } });
    }
    const read = plan.kinds.reduce((n, k) => n + k.read, 0);
    const total = (performance.now() - t0) / 1000;
    const r2 = (x: number): number => Math.round(x * 10) / 10;
    return {
      dir,
      kinds: plan.kinds,
      read,
      nodes: plan.nodeCount,
      relationships: plan.relationshipCount,
      seconds: { validate: r2((t1 - t0) / 1000), neo4jAdmin: r2((t2 - t1) / 1000), restart: r2((t3 - t2) / 1000), schema: r2((t4 - t3) / 1000), total: r2(total) },
      rowsPerSecond: Math.round(read / Math.max(0.001, total)),
      warnings: plan.warnings,
    };
  } finally {
    // The staging files hold pseudonyms and sealed keys: never left behind.
    fs.rmSync(work, { recursive: true, force: true });
    if (!restarted) await launch().catch(() => undefined);
  }
}

export function describeBulk(r: BulkResult): string {
  const n = (x: number): string => x.toLocaleString('en');
  const lines = [`bulk load of ${r.dir}: ${r.seconds.total.toFixed(1)} s, ${n(r.rowsPerSecond)} rows/s end to end (${n(r.nodes)} nodes, ${n(r.relationships)} relationships)`];
  lines.push(`  validate ${r.seconds.validate} s · neo4j-admin ${r.seconds.neo4jAdmin} s · restart ${r.seconds.restart} s · schema ${r.seconds.schema} s`);
  for (const k of r.kinds) {
    lines.push(`  ${k.kind.padEnd(9)} read ${n(k.read)}, imported ${n(k.imported)}, duplicates ${n(k.duplicates)}, rejected ${n(k.rejected)}${k.report ? ` (report: ${k.report})` : ''}`);
    for (const x of k.rejects.slice(0, 5)) lines.push(`    line ${x.line}, ${x.field}: ${x.reason}`);
  }
  return lines.join('\n');
}
