import { unitProblems } from './units';

describe('jurisdiction codes against the administrative units', () => {
  it('accepts real units of 2021 (province › district › commune) and of 2025 (province › commune), and any prefix', () => {
    for (const j of [{ province: '79' }, { province: '79', district: '760' }, { province: '79', district: '760', commune: '26734' }, { province: '79', commune: '25747' }, { province: '02' }]) {
      expect([j, unitProblems(j)]).toEqual([j, []]);
    }
  });

  it('names the field of a code that is no unit', () => {
    expect(unitProblems({ province: '7' })).toEqual([{ field: 'province', reason: "'7' is not a province code of the 2021 or 2025 province list" }]);
    expect(unitProblems({ province: '79', district: '999' })).toEqual([{ field: 'district', reason: "'999' is not a district code of the 2021 district list" }]);
    expect(unitProblems({ province: '79', district: '760', commune: '99999' }).map((p) => p.field)).toEqual(['commune']);
  });

  it('refuses a unit under a parent it does not belong to', () => {
    expect(unitProblems({ province: '01', district: '760' })).toEqual([{ field: 'district', reason: "district '760' does not lie in province '01'" }]);
    expect(unitProblems({ province: '79', district: '761', commune: '26734' })).toEqual([{ field: 'commune', reason: "commune '26734' does not lie in district '761'" }]);
    expect(unitProblems({ province: '01', commune: '25747' })).toEqual([{ field: 'commune', reason: "commune '25747' does not lie in province '01'" }]);
  });
});
