import fs from 'node:fs';
import fc from 'fast-check';
import { closeDriver } from '../../engine/db/driver';
import { stationsCsv } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { countsOf, graphCounts, importFile, storedPassages, tempDir, writeFile } from '../helpers/imports';

/**
 * Property: the graph an import builds does not depend on the order of the file's rows. Files
 * mix explicit and derived passage ids, exact repeats, dwell intervals across windows, and
 * rejects; the passages, window links and counts must come out the same for any permutation.
 * (A passage id repeated with different content is the one order-dependent case, by design: the
 * first row wins. The generated ids are tied to content, so it does not arise here.)
 */

const run = newRunId('ishuf');
const dir = tempDir('shuffle');

interface Row {
  person: number;
  station: number;
  minute: number;
  dwell: number;
  explicitId: boolean;
  bad: 'none' | 'station' | 'instant';
}

const rowArb: fc.Arbitrary<Row> = fc.record({
  person: fc.integer({ min: 0, max: 5 }),
  station: fc.integer({ min: 1, max: 3 }),
  minute: fc.integer({ min: 0, max: 240 }),
  dwell: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 90 })),
  explicitId: fc.boolean(),
  bad: fc.constantFrom('none', 'none', 'none', 'none', 'station', 'instant'),
});

function line(r: Row): string {
  const at = Date.UTC(2021, 7, 2, 0, 0) + r.minute * 60_000;
  const id = r.explicitId ? `${run}-${r.person}-${r.station}-${r.minute}-${r.dwell}` : '';
  const station = r.bad === 'station' ? `${run}S404` : `${run}S${r.station}`;
  const atText = r.bad === 'instant' ? '2021-02-30T10:00:00' : new Date(at).toISOString();
  const left = r.dwell > 0 ? new Date(at + r.dwell * 60_000).toISOString() : '';
  return `${id},${run}P${r.person},${station},${atText},${left},prop`;
}

async function importRows(rows: readonly Row[], name: string) {
  await importFile('stations', writeFile(dir, 'stations.csv', stationsCsv(run, 3)));
  const file = writeFile(dir, name, ['passage_id,person_id,station_id,at,left_at,source', ...rows.map(line)].join('\n'));
  const summary = countsOf(await importFile('passages', file, { batchSize: 7 }));
  const graph = { passages: await storedPassages(run), counts: await graphCounts(run) };
  await removeRun(run, { passagePeople: true });
  return { summary, graph };
}

afterAll(async () => {
  await removeRun(run, { passagePeople: true });
  await closeDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('a shuffled file yields the same graph and the same counts', async () => {
  const fileArb = fc
    .tuple(fc.array(rowArb, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 8 }))
    // Exact repeats of some rows, anywhere in the file.
    .map(([rows, repeats]) => [...rows, ...repeats.map((i) => rows[i % rows.length]!)])
    .chain((rows) => fc.tuple(fc.constant(rows), fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length })));
  await fc.assert(
    fc.asyncProperty(fileArb, async ([rows, shuffled]) => {
      const a = await importRows(rows, 'a.csv');
      const b = await importRows(shuffled, 'b.csv');
      expect(b.summary).toEqual(a.summary);
      expect(b.graph).toEqual(a.graph);
      expect(a.summary.read).toBe(rows.length);
    }),
    { numRuns: 12, seed: 20210802 },
  );
}, 300_000);
