import fs from 'node:fs';
import path from 'node:path';
import { changeCaseStatus, registerCases, selectCases, type CaseInput } from '../../engine/cases';
import { closeDriver } from '../../engine/db/driver';
import { upsertPeople } from '../../engine/db/people';
import { pseudonym } from '../../engine/identity';
import { loadProfile, readCasesFile } from '../../engine/import';
import { outbreakTrace } from '../../engine/outbreak';
import { registryRow, runProvince } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { csv, tempDir, writeFile } from '../helpers/imports';

/**
 * What the next step, the outbreak run, gets from the case registry: selectCases (stored cases by
 * confirmation time or id, scoped by the case person's home, discarded ones left out) and
 * readCasesFile (a cases CSV read by the import's rules, nothing stored); both give cases that
 * outbreakTrace takes as they are.
 */

const run = newRunId('csel');
const dir = tempDir('cases-select');
const inside = runProvince();
let outside = runProvince();
while (outside === inside) outside = runProvince();
const D = 86_400_000;
const T = Date.UTC(2021, 7, 2, 3);
const raw = (k: string) => `${run}${k}`;
const c = (id: string, person: string, confirmedAt: number, over: Partial<CaseInput> = {}): CaseInput => ({ caseId: `${run}-${id}`, rawPersonId: raw(person), confirmedAt, warnings: [], ...over });

beforeAll(async () => {
  await upsertPeople([
    registryRow(raw('A'), { province: inside, district: '001', commune: '00001' }),
    registryRow(raw('B'), { province: inside, district: '002', commune: '00002' }),
    registryRow(raw('C'), { province: inside, district: '001', commune: '00001' }),
    registryRow(raw('X'), { province: outside, district: '001', commune: '00001' }),
  ]);
  await registerCases(
    [
      c('1', 'A', T, { onsetAt: T - D }),
      c('2', 'B', T + D),
      c('3', 'C', T + 2 * D, { infectiousFrom: T, infectiousTo: T + 2 * D }),
      c('4', 'X', T + D),
      c('5', 'U', T + D), // U: not in the registry
      c('6', 'A', T + 3 * D), // a second case of A
    ],
    { scope: undefined, by: `${run}-setup`, now: Date.now(), source: 'test' },
  );
  await changeCaseStatus({ id: `${run}-2`, status: 'discarded', by: `${run}-setup`, now: Date.now(), scope: undefined });
  await changeCaseStatus({ id: `${run}-6`, status: 'recovered', by: `${run}-setup`, now: Date.now(), scope: undefined });
});

afterAll(async () => {
  await removeRun(run, { people: ['A', 'B', 'C', 'X', 'U', 'P1', 'P2', 'P9'].map(raw) });
  await closeDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('selectCases', () => {
  it('gives the cases confirmed since an instant of people living in the scope, by case id, with pseudonymous ids and the period as stored; discarded ones left out', async () => {
    const got = await selectCases({ confirmedSince: T, scope: { province: inside } });
    expect(got).toEqual({
      cases: [
        { caseId: `${run}-1`, personId: pseudonym(raw('A')), confirmedAt: T, onsetAt: T - D },
        { caseId: `${run}-3`, personId: pseudonym(raw('C')), confirmedAt: T + 2 * D, infectiousFrom: T, infectiousTo: T + 2 * D },
        { caseId: `${run}-6`, personId: pseudonym(raw('A')), confirmedAt: T + 3 * D },
      ],
      missing: [],
    });
  });

  it('bounds the confirmation time on both sides, and narrows by district', async () => {
    const got = await selectCases({ confirmedSince: T + D, confirmedUntil: T + 2 * D, scope: { province: inside, district: '001' } });
    expect(got.cases.map((x) => x.caseId)).toEqual([`${run}-3`]);
  });

  it('takes other statuses when asked', async () => {
    const got = await selectCases({ confirmedSince: T, scope: { province: inside }, statuses: ['discarded'] });
    expect(got.cases.map((x) => x.caseId)).toEqual([`${run}-2`]);
  });

  it('by id: unregistered people and other provinces only for national callers; what it does not return is listed as missing, whatever the reason', async () => {
    const ids = ['1', '2', '4', '5', 'nope'].map((i) => `${run}-${i}`);
    expect(await selectCases({ caseIds: ids })).toMatchObject({ cases: [{ caseId: `${run}-1` }, { caseId: `${run}-4` }, { caseId: `${run}-5`, personId: pseudonym(raw('U')) }], missing: [`${run}-2`, `${run}-nope`] });
    const scoped = await selectCases({ caseIds: ids, scope: { province: inside } });
    expect(scoped.cases.map((x) => x.caseId)).toEqual([`${run}-1`]);
    expect(scoped.missing).toEqual([`${run}-2`, `${run}-4`, `${run}-5`, `${run}-nope`]);
  });

  it('refuses a selection without a time or ids, and one larger than its limit', async () => {
    await expect(selectCases({ scope: { province: inside } })).rejects.toMatchObject({ code: 'validation', details: [{ field: 'confirmedSince' }] });
    await expect(selectCases({ confirmedSince: T, scope: { province: inside }, limit: 2 })).rejects.toMatchObject({ code: 'validation' });
  });

  it('gives cases outbreakTrace runs as they are, an unregistered case person without passages included', async () => {
    const { cases } = await selectCases({ caseIds: [`${run}-1`, `${run}-5`] });
    const r = await outbreakTrace({ cases, depth: 1 });
    expect(r.cases).toEqual([`${run}-1`, `${run}-5`]);
    expect(r.people).toEqual([]);
  });
});

describe('readCasesFile', () => {
  it('reads a cases CSV by the import rules without storing anything: pseudonymous cases sorted by id, rejects with line and field', async () => {
    const text = csv(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'import', 'cases-lab-vn.csv'), 'utf8'), run);
    const file = writeFile(dir, 'lab.csv', `${text}6,${run}-BN1,Nguyễn Văn An,${run}P1,02/08/2021 09:15,31/07/2021,02/08/2021 12:00,Phường Bến Nghé\n7,${run}-BN2,Trần Thị Bình,${run}P2,03/08/2021,,,Phường 9\n`);
    const r = await readCasesFile(file, { now: Date.now(), profile: loadProfile('lab-vn') });
    expect(r.read).toBe(7);
    expect(r.cases.map((x) => [x.caseId, x.personId])).toEqual([
      [`${run}-BN1`, pseudonym(`${run}P1`)],
      [`${run}-BN2`, pseudonym(`${run}P2`)],
      [`${run}-BN3`, pseudonym(`${run}P9`)],
    ]);
    expect(r.cases[0]).toEqual({ caseId: `${run}-BN1`, personId: pseudonym(`${run}P1`), confirmedAt: Date.UTC(2021, 7, 2, 2, 15), onsetAt: Date.UTC(2021, 6, 30, 17), infectiousTo: Date.UTC(2021, 7, 2, 5) });
    expect(r.rejects.map((x) => [x.line, x.field])).toEqual([
      [5, 'confirmed_at'],
      [6, 'infectious_to'],
      [8, 'case_id'],
    ]);
    expect(r.warnings).toEqual(["ignored columns 'STT', 'Họ tên', 'Địa chỉ': not a cases column", expect.stringMatching(/^1 case has onset after confirmation/)]);
    expect(await selectCases({ caseIds: r.cases.map((x) => x.caseId) })).toMatchObject({ cases: [] });
  });

  it('refuses a file with more cases than its limit', async () => {
    const file = writeFile(dir, 'many.csv', `case_id,person_id,confirmed_at\n${run}-M1,${run}P1,2021-08-02\n${run}-M2,${run}P2,2021-08-02\n`);
    await expect(readCasesFile(file, { now: Date.now(), maxCases: 1 })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
