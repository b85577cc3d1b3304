import fs from 'node:fs';
import { loadDemoCases } from '../../cli/commands/up';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { newRunId, removeRun } from '../helpers/cleanup';
import { tempDir, writeFile } from '../helpers/imports';

/**
 * `npm start` (`truyvet up`) loads the demo city's cases.csv after its people and passages when the
 * generator wrote one, and says how many cases were loaded; a city without one loads none, quietly.
 */

const run = newRunId('cdemo');
const dir = tempDir('demo-cases');

afterAll(async () => {
  await removeRun(run, { people: [`${run}P1`, `${run}P2`] });
  await closeDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('imports the city folder’s cases.csv and says how many cases were loaded; says nothing without one', async () => {
  const said: string[] = [];
  await loadDemoCases(dir, (m) => said.push(m));
  expect(said).toEqual([]);

  writeFile(dir, 'cases.csv', `case_id,person_id,confirmed_at,onset_at,infectious_from,infectious_to\n${run}-1,${run}P1,2021-08-02T09:00,,,\n${run}-2,${run}P2,2021-08-03T09:00,2021-08-02T09:00,,\n`);
  await loadDemoCases(dir, (m) => said.push(m));
  expect(said).toEqual(['imported cases: 2 new, 0 duplicates, 0 rejected: 2 confirmed cases loaded']);
  const n = await readQuery('MATCH (c:Case) WHERE c.id STARTS WITH $run RETURN count(c) AS n', { run }, (r) => r['n'] as number);
  expect(n).toEqual([2]);
});
