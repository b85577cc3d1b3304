import { classOf, filterChoices, fold, homeOf, NO_FILTER, queryPeople, type ListFilter } from './people-query';
import { A, B, C, D, identities, people, sampleTrace } from './testing/sample';
import type { LoadedTrace, TracePerson } from './types';

/** People as a trace stored before close contacts gives them: without a class (whatever the sample carries). */
const withoutClass = (ps: readonly object[]) => ps.map((p) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'class'))) as unknown as LoadedTrace['people'];

const classFor = (id: string): 'close' | 'brief' => (id === A || id === D ? 'close' : 'brief');

/** The sample trace with homes (inside: identity homes; B lives outside) and classes, as the API gives them. */
function withHomes(): LoadedTrace {
  const home = (district: string, districtName: string, communeName: string) => ({ province: '79', provinceName: 'Hồ Chí Minh', district, districtName, commune: '27301', communeName });
  return sampleTrace({
    people: people.map((p) => ({ ...p, class: classFor(p.id) })),
    identities: {
      ...identities,
      [A]: { ...identities[A]!, home: home('774', 'Quận 5', 'Phường 1') },
      [C]: { ...identities[C]!, home: home('760', 'Quận 1', 'Phường Bến Nghé') },
      [D]: { ...identities[D]!, home: home('774', 'Quận 5', 'Phường 2') },
    },
    outside: { [B]: { registered: true, province: '01', provinceName: 'Hà Nội', district: '001', districtName: 'Quận Ba Đình' } },
  });
}

const ids = (list: readonly TracePerson[]) => list.map((p) => p.id);
const q = (trace: LoadedTrace, f: Partial<ListFilter>, generation?: number) => ids(queryPeople(trace, generation, { ...NO_FILTER, ...f }));

describe('searching, filtering and sorting the people list', () => {
  const trace = withHomes();

  it('gives the whole list in the engine’s order when nothing is asked', () => {
    expect(queryPeople(trace, undefined, NO_FILTER)).toBe(trace.people);
  });

  it('finds a name without its diacritics, a key, a phone written either way, and a home', () => {
    expect(fold('Lê Văn Dũng Đỗ')).toBe('le van dung do');
    expect(q(trace, { text: 'le van dung' })).toEqual([D]);
    expect(q(trace, { text: 'DŨNG' })).toEqual([D]);
    expect(q(trace, { text: '079190000003' })).toEqual([C]);
    expect(q(trace, { text: '0903000003' })).toEqual([]);
    expect(q(trace, { text: '903000003' })).toEqual([C]);
    expect(q(trace, { text: 'quan 5' })).toEqual([A, D]);
    expect(q(trace, { text: 'ba dinh' })).toEqual([B]);
    expect(q(trace, { text: 'ben nghe quan 1' })).toEqual([C]);
    expect(q(trace, { text: 'nobody like this' })).toEqual([]);
  });

  it('filters by generation, class, home district, station and risk, together', () => {
    expect(q(trace, {}, 2)).toEqual([C, D]);
    expect(q(trace, { cls: 'close' })).toEqual([A, D]);
    expect(q(trace, { cls: 'brief' }, 2)).toEqual([C]);
    expect(q(trace, { district: '79›774' })).toEqual([A, D]);
    // Reached at ST1: A (from F0) and D (from B).
    expect(q(trace, { station: 'ST1' })).toEqual([A, D]);
    expect(q(trace, { minScore: 0.39 })).toEqual([A, B]);
    expect(q(trace, { minScore: 0.3, district: '79›774' })).toEqual([A, D]);
  });

  it('sorts by risk, exposure, name and generation, ties in the engine’s order', () => {
    expect(q(trace, { sort: 'risk' })).toEqual([A, B, D, C]);
    expect(q(trace, { sort: 'exposure' })).toEqual([A, B, C, D]);
    // Vietnamese order by full name; B has no name (outside the registry) and comes last.
    expect(q(trace, { sort: 'name' })).toEqual([A, D, C, B]);
    expect(q(trace, { sort: 'generation' })).toEqual([A, B, D, C]);
    expect(q(trace, { sort: 'risk' }, 2)).toEqual([D, C]);
  });

  it('reads the class from the data, and nothing while the API gives none', () => {
    expect(classOf(trace.people[0]!)).toBe('close');
    expect(classOf(withoutClass(people)[0]!)).toBeUndefined();
  });

  it('names the home of people inside (ward, district, province) and outside (district, province)', () => {
    expect(homeOf(trace, A)).toEqual({ key: '79›774', label: 'Phường 1, Quận 5, Hồ Chí Minh', area: 'Quận 5, Hồ Chí Minh' });
    expect(homeOf(trace, B)).toEqual({ key: '01›001', label: 'Quận Ba Đình, Hà Nội', area: 'Quận Ba Đình, Hà Nội' });
    expect(homeOf(sampleTrace(), A)).toBeUndefined();
    expect(filterChoices(trace).homes.map((h) => [h.label, h.n])).toEqual([
      ['Quận 5, Hồ Chí Minh', 2],
      ['Quận 1, Hồ Chí Minh', 1],
      ['Quận Ba Đình, Hà Nội', 1],
    ]);
  });

  it('stays fast for 20,000 people', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => ({ id: `p${i}`, generation: 1 + (i % 3), exposureAt: new Date(Date.UTC(2021, 7, 1) + i * 1000).toISOString(), via: [] as string[], score: (i * 7919) % 1000 / 1000, class: classFor('') }));
    const big = sampleTrace({ people: many, identities: Object.fromEntries(many.map((p, i) => [p.id, { rawKey: String(79_000_000 + i).padStart(12, '0'), registered: true, fullName: `Nguyễn Văn ${i}`, phone: `09${String(i).padStart(8, '0')}` }])) });
    queryPeople(big, undefined, { ...NO_FILTER, text: 'x' });
    const started = performance.now();
    const found = queryPeople(big, 2, { ...NO_FILTER, text: 'nguyen 1', sort: 'risk' });
    const ms = performance.now() - started;
    expect(found.length).toBeGreaterThan(1000);
    expect(found.every((p, i) => i === 0 || found[i - 1]!.score >= p.score)).toBe(true);
    expect(ms).toBeLessThan(250);
  });
});
