import fs from 'node:fs';
import path from 'node:path';
import { pseudonym } from '../identity';
import { readCasesFile } from './cases-file';

/**
 * The generator's cases.csv (fixtures/tiny) is read by the import's rules without a reject, and
 * gives the cases of its cases.json: the file the demo city and the outbreak tests load.
 */

const TINY = path.join(__dirname, '..', '..', 'fixtures', 'tiny');

interface Expected {
  caseId: string;
  personId: string;
  confirmedAt: string;
  onsetAt: string | null;
  infectiousFrom: string | null;
  infectiousTo: string | null;
  periodGiven: boolean;
}

it("reads the tiny city's cases.csv without a reject, as its cases.json describes it", async () => {
  const r = await readCasesFile(path.join(TINY, 'cases.csv'), { now: Date.UTC(2021, 7, 5) });
  expect(r.rejects).toEqual([]);
  expect(r.warnings).toEqual([]);
  const expected = (JSON.parse(fs.readFileSync(path.join(TINY, 'cases.json'), 'utf8')) as { cases: Expected[] }).cases;
  expect(r.read).toBe(expected.length);
  const ms = (t: string | null) => (t === null ? undefined : Date.parse(t));
  expect(r.cases).toEqual(
    expected
      .map((c) => ({
        caseId: c.caseId,
        personId: pseudonym(c.personId),
        confirmedAt: ms(c.confirmedAt),
        ...(c.onsetAt !== null ? { onsetAt: ms(c.onsetAt) } : {}),
        // cases.json gives the period it means; the file leaves it out where the default gives it.
        ...(c.periodGiven && c.infectiousFrom !== null ? { infectiousFrom: ms(c.infectiousFrom) } : {}),
        ...(c.periodGiven && c.infectiousTo !== null ? { infectiousTo: ms(c.infectiousTo) } : {}),
      }))
      .sort((a, b) => (a.caseId < b.caseId ? -1 : 1)),
  );
});
