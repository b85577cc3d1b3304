import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { fromPlatform, listPlatforms, loadPlatform, parsePlatformMapping, toPlatform, type PlatformMapping } from './mapping';
import { isTruyvetError } from '../errors';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'platforms');

function fixtureRecords(m: PlatformMapping): Record<string, unknown>[] {
  const file = path.join(FIXTURES, `${m.platform}.${m.format === 'csv' ? 'csv' : 'jsonl'}`);
  const text = fs.readFileSync(file, 'utf8');
  if (m.format === 'csv') return parse<Record<string, unknown>>(text, { columns: true, bom: true });
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The documented canonicalisation: fields the mapping ignores on purpose do not come back. */
function withoutIgnored(m: PlatformMapping, r: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r).filter(([k]) => !m.ignore.includes(k)));
}

describe('platform mappings', () => {
  it('ships at least the movement form, the health-declaration site and a generic JSON', () => {
    expect(listPlatforms()).toEqual(expect.arrayContaining(['movement', 'tokhaiyte', 'generic-json']));
  });

  for (const name of ['movement', 'tokhaiyte', 'generic-json']) {
    it(`round-trips every ${name} fixture record: platform → unified → platform gives the record back`, () => {
      const m = loadPlatform(name);
      const records = fixtureRecords(m);
      expect(records.length).toBeGreaterThanOrEqual(2);
      for (const r of records) {
        const u = fromPlatform(m, r);
        if (!u.ok) throw new Error(JSON.stringify(u.problems));
        expect(u.value.platform).toBe(typeof r['sourcePlatform'] === 'string' ? r['sourcePlatform'] : name);
        expect(toPlatform(m, u.value)).toEqual(withoutIgnored(m, r));
      }
    });
  }

  it('reads the health-declaration site CSV into the unified form the way a person would', () => {
    const m = loadPlatform('tokhaiyte');
    const [first] = fixtureRecords(m);
    const u = fromPlatform(m, first);
    expect(u.ok && u.value).toMatchObject({
      document: { type: 'CCCD', number: '001190000123' },
      fullName: 'TRẦN THỊ BÌNH',
      birthDate: '1990',
      sex: 'female',
      symptoms: ['cough', 'sore_throat'],
      trip: { from: { province: '01' }, to: { province: '79' }, date: '2021-08-14', means: 'airplane', vehicleNumber: 'VN245' },
      exposure: { visitedAffectedArea: true, contactWithCase: false },
      declaredAt: '2021-08-14T00:30:00.000Z',
      sourceRef: 'TK-0001',
    });
  });

  it('names the platform, field and value of an unknown field', () => {
    const m = loadPlatform('movement');
    const [r] = fixtureRecords(m);
    const u = fromPlatform(m, { ...r, bloodGroup: 'O+' });
    expect(u.ok).toBe(false);
    expect(u.ok ? [] : u.problems).toEqual([{ platform: 'movement', field: 'bloodGroup', value: "'O+'", reason: "unknown field 'bloodGroup' for platform 'movement'" }]);
  });

  it('names an unknown nested field of a JSON platform by its dotted path', () => {
    const m = loadPlatform('generic-json');
    const [r] = fixtureRecords(m);
    const identity = { ...(r!['identity'] as Record<string, unknown>), nickname: 'Cu' };
    const u = fromPlatform(m, { ...r, identity });
    expect(u.ok ? [] : u.problems.map((p) => [p.platform, p.field, p.value])).toEqual([['generic-json', 'identity.nickname', "'Cu'"]]);
  });

  it('names the platform, field and value of a value it cannot map', () => {
    const m = loadPlatform('tokhaiyte');
    const [r] = fixtureRecords(m);
    const u = fromPlatform(m, { ...r, 'Giới tính': 'Nữa' });
    expect(u.ok).toBe(false);
    const p = u.ok ? undefined : u.problems[0];
    expect(p).toMatchObject({ platform: 'tokhaiyte', field: 'Giới tính', value: "'Nữa'" });
    expect(p?.reason).toContain("expected one of 'Nam', 'Nu', 'Khac'");
  });

  it('traces a unified-form problem back to the platform field that fed it, in both languages', () => {
    const m = loadPlatform('movement');
    const [r] = fixtureRecords(m);
    const u = fromPlatform(m, { ...r, phoneNumber: '12345', dateOfBirth: '31/02/1987' });
    expect(u.ok ? [] : u.problems.map((p) => [p.field, p.value, p.issue?.code])).toEqual([
      ['dateOfBirth', "'31/02/1987'", 'birth_date_format'],
      ['phoneNumber', "'12345'", 'phone_format'],
    ]);
    expect(u.ok ? undefined : u.problems[0]?.issue?.message_vi).toContain('Ngày sinh');
  });

  it('refuses to write a unified value the platform cannot express, naming the field', () => {
    const gj = fromPlatform(loadPlatform('generic-json'), fixtureRecords(loadPlatform('generic-json'))[0]);
    if (!gj.ok) throw new Error('fixture');
    expect(gj.value.sex).toBe('other');
    try {
      toPlatform(loadPlatform('movement'), gj.value);
      throw new Error('no error');
    } catch (e) {
      expect(isTruyvetError(e) && e.details.map((d) => d.field)).toEqual(['gender']);
    }
  });

  it('refuses a mapping file that maps one platform field twice or targets an unknown path', () => {
    const base = { platform: 'x-test', title: 't', format: 'json', constants: { platform: 'x-test' } };
    expect(() => parsePlatformMapping({ ...base, fields: [{ source: 'a', target: 'fullName' }, { source: 'a', target: 'phone' }] }, 'test')).toThrow('mapped twice');
    expect(() => parsePlatformMapping({ ...base, fields: [{ source: 'a', target: 'shoeSize' }] }, 'test')).toThrow('not valid');
  });

  it('refuses an unknown platform name instead of reading a path from it', () => {
    expect(() => loadPlatform('../../package')).toThrow("no platform mapping '../../package'");
  });
});
