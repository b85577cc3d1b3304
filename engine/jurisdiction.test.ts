import { contains, isInside, jurisdictionOf, narrowScope, scopeParams } from './jurisdiction';

const place2021 = { province: '79', district: '760', commune: '26734' };
const place2025 = { province: '79', district: '', commune: '26734' };

describe('jurisdiction scoping', () => {
  it.each([
    [undefined, place2021, true],
    [{ province: '79' }, place2021, true],
    [{ province: '01' }, place2021, false],
    [{ province: '79', district: '760' }, place2021, true],
    [{ province: '79', district: '761' }, place2021, false],
    [{ province: '79', district: '760', commune: '26734' }, place2021, true],
    [{ province: '79', district: '760', commune: '26737' }, place2021, false],
    // 2025: province › commune, no district on either side
    [{ province: '79', commune: '26734' }, place2025, true],
    [{ province: '79', commune: '26734' }, place2021, true],
    [{ province: '79', district: '760' }, place2025, false],
  ])('scope %j and place %j: inside is %s', (scope, place, inside) => {
    expect(isInside(place, scope)).toBe(inside);
  });

  it('knows when one jurisdiction lies inside another', () => {
    expect(contains(undefined, { province: '79' })).toBe(true);
    expect(contains({ province: '79' }, undefined)).toBe(false);
    expect(contains({ province: '79' }, { province: '79', district: '760' })).toBe(true);
    expect(contains({ province: '79', district: '760' }, { province: '79' })).toBe(false);
  });

  it('narrows a scope by a filter, or says nothing can match', () => {
    expect(narrowScope({ province: '79' }, { district: '760' })).toEqual({ province: '79', district: '760' });
    expect(narrowScope({ province: '79' }, { province: '01' })).toBe('empty');
    expect(narrowScope(undefined, {})).toBeUndefined();
    expect(narrowScope(undefined, { province: '01' })).toEqual({ province: '01' });
    expect(narrowScope({ province: '79', district: '760' }, { province: '79', district: '761' })).toBe('empty');
  });

  it('turns a scope into Cypher parameters and parsed input into a jurisdiction', () => {
    expect(scopeParams(undefined)).toEqual({ province: null, district: null, commune: null });
    expect(scopeParams({ province: '79', commune: '26734' })).toEqual({ province: '79', district: null, commune: '26734' });
    expect(jurisdictionOf({ province: '79', district: undefined, commune: '' })).toEqual({ province: '79' });
  });
});
