import fs from 'node:fs';
import { closeDriver } from '../../engine/db/driver';
import { PASSAGE_WRITERS } from '../../engine/import/sinks';
import { stationsCsv } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { countsOf, importFile, rejectsOf, storedPassages, tempDir, writeFile } from '../helpers/imports';

/**
 * Passage batches are written PASSAGE_WRITERS at a time, yet the outcome must be the one a
 * one-batch-at-a-time import gives: with one row per batch, every row below is in flight beside
 * its neighbour, and the first row of a repeated id in the file always wins.
 */

const run = newRunId('iwrit');
const dir = tempDir('writers');

afterAll(async () => {
  await removeRun(run, { passagePeople: true });
  await closeDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('a repeated passage id in the next batch in flight: the first row in the file wins, every time', async () => {
  // With one writer nothing below would race.
  expect(PASSAGE_WRITERS).toBeGreaterThan(1);
  const at = (m: number) => new Date(Date.UTC(2021, 7, 2, 8, m)).toISOString();
  const lines = [
    'passage_id,person_id,station_id,at,left_at,source',
    `${run}-X,${run}P1,${run}S1,${at(0)},,qr`, // line 2: X first
    `${run}-X,${run}P2,${run}S1,${at(0)},,qr`, // line 3: X again, other person → conflict
    `${run}-Y,${run}P2,${run}S2,${at(5)},,qr`, // line 4
    `${run}-X,${run}P1,${run}S1,${at(0)},,qr`, // line 5: X as on line 2 → duplicate
    `${run}-Z,${run}P3,${run}S2,${at(9)},,qr`, // line 6
    `${run}-Z,${run}P3,${run}S1,${at(9)},,qr`, // line 7: Z at another station → conflict
  ];
  await importFile('stations', writeFile(dir, 'stations.csv', stationsCsv(run, 2)));
  const file = writeFile(dir, 'passages.csv', lines.join('\n'));
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = await importFile('passages', file, { batchSize: 1, resume: false });
    expect(countsOf(r)).toEqual({ read: 6, imported: 3, duplicates: 1, rejected: 2 });
    expect(rejectsOf(r).map(([line]) => line)).toEqual([3, 7]);
    const stored = await storedPassages(run);
    expect(stored.map((p) => [p.id, p.personId === stored.find((q) => q.id === `${run}-X`)!.personId, p.stationId])).toEqual([
      [`${run}-X`, true, `${run}S1`],
      [`${run}-Y`, false, `${run}S2`],
      [`${run}-Z`, false, `${run}S2`],
    ]);
    await removeRun(run, { passagePeople: true });
    await importFile('stations', writeFile(dir, 'stations.csv', stationsCsv(run, 2)));
  }
});
