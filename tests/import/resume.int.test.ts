import fs from 'node:fs';
import path from 'node:path';
import { closeDriver } from '../../engine/db/driver';
import { stationsCsv } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { finished, runCli, spawnCli } from '../helpers/cli';
import { checkpointFiles, committedRows, graphCounts, storedPassages, tempDir, writeFile, type StoredPassage } from '../helpers/imports';

/**
 * Kill and resume: `truyvet import passages FILE` is SIGKILLed after it committed a few batches,
 * run again, and the graph must then hold exactly what a clean import of the same file gives:
 * no passage lost, none twice, every window link once.
 */

const run = newRunId('ires');
const dir = tempDir('resume');
const state = path.join(dir, 'state');
const ROWS = 30_000;
const BATCH = '1000';
const env = { TRUYVET_IMPORT_STATE_DIR: state };
// Whole imports of the 30,000 rows: more than a minute on a busy machine, within the test's 300 s.
const truyvet = (args: readonly string[]) => runCli(args, { env, timeoutMs: 240_000 });

/** A seeded checkpoint log in time order: 20 stations, 2,000 people, a fifth of the rows with a dwell, half without passage id. */
function passagesCsv(): string {
  let seed = 20210802;
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const lines = ['passage_id,person_id,station_id,at,left_at,source'];
  let t = Date.UTC(2021, 7, 2, 0, 0);
  for (let i = 0; i < ROWS; i++) {
    t += Math.floor(rnd() * 4000);
    const at = new Date(t).toISOString();
    const left = rnd() < 0.2 ? new Date(t + Math.floor(rnd() * 5400_000)).toISOString() : '';
    const id = i % 2 === 0 ? `${run}x${i}` : '';
    lines.push(`${id},${run}P${Math.floor(rnd() * 2000)},${run}S${1 + Math.floor(rnd() * 20)},${at},${left},qr`);
  }
  return `${lines.join('\n')}\n`;
}

interface Summary {
  read: number;
  imported: number;
  duplicates: number;
  rejected: number;
  resumedAtLine: number | null;
}

let file = '';

beforeAll(async () => {
  file = writeFile(dir, 'passages.csv', passagesCsv());
  const r = await truyvet(['import', 'stations', writeFile(dir, 'stations.csv', stationsCsv(run, 20)), '--json']);
  expect(r.code).toBe(0);
});

afterAll(async () => {
  await removeRun(run, { passagePeople: true });
  await closeDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('after a SIGKILL mid-file, the rerun finishes with the graph a clean import gives', async () => {
  // 1. Kill it once a few batches are committed, well before the end.
  const child = spawnCli(['import', 'passages', file, '--json', '--batch', BATCH], { env });
  const done = finished(child);
  let seen = 0;
  for (let i = 0; i < 3000 && seen < 3000; i++) {
    await new Promise((r) => setTimeout(r, 20));
    seen = committedRows(state);
  }
  child.kill('SIGKILL');
  const killed = await done;
  expect(killed.signal).toBe('SIGKILL');
  expect(seen).toBeGreaterThanOrEqual(3000);
  const committed = committedRows(state);
  expect(committed).toBeLessThan(ROWS);
  const partial = await storedPassages(run);
  expect(partial.length).toBeGreaterThanOrEqual(committed);
  expect(partial.length).toBeLessThan(ROWS);

  // 2. The same command again resumes after the last committed batch and finishes the file.
  const again = await truyvet(['import', 'passages', file, '--json', '--batch', BATCH]);
  expect(again.code).toBe(0);
  const s = JSON.parse(again.stdout) as Summary;
  expect(s.resumedAtLine).toBeGreaterThan(1);
  expect(s.read).toBe(ROWS);
  expect(s.rejected).toBe(0);
  expect(s.imported + s.duplicates).toBe(ROWS);
  expect(checkpointFiles(state)).toEqual([]);
  const resumed = await storedPassages(run);
  const resumedCounts = await graphCounts(run);
  expect(resumed).toHaveLength(ROWS);

  // 3. A clean import of the same file into an emptied graph gives the same passages and links.
  await removeRun(run, { passagePeople: true });
  expect(await storedPassages(run)).toEqual([]);
  expect((await truyvet(['import', 'stations', path.join(dir, 'stations.csv'), '--json'])).code).toBe(0);
  const clean = await truyvet(['import', 'passages', file, '--json', '--no-resume']);
  expect(JSON.parse(clean.stdout)).toMatchObject({ read: ROWS, imported: ROWS, duplicates: 0, rejected: 0, resumedAtLine: null });
  const fresh = await storedPassages(run);
  expect(byId(resumed)).toEqual(byId(fresh));
  expect(resumedCounts).toEqual(await graphCounts(run));
}, 300_000);

function byId(list: readonly StoredPassage[]): StoredPassage[] {
  return [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
