import { chainTo, contactsInto, evidenceOf, generationCounts, mergePages, personKey, personLabel } from './result';
import { A, B, C, D, F0, identities, samplePages, sampleTrace } from './testing/sample';

describe('mergePages', () => {
  it('joins the pages (in any order) into one result with every person, contact and identity', () => {
    const pages = samplePages(1);
    expect(pages).toHaveLength(4);
    const t = mergePages([...pages].reverse());
    expect(t.people.map((p) => p.id)).toEqual([A, B, C, D]);
    expect(t.contacts).toHaveLength(6);
    expect(Object.keys(t.identities).sort()).toEqual([F0, A, B, C, D].sort());
    expect(t.totalPeople).toBe(4);
    expect(t.sensitivity).toBeUndefined();
  });

  it('does not repeat a person or a contact that two pages both carry', () => {
    const [p1] = samplePages(4);
    const t = mergePages([p1!, { ...p1!, page: { ...p1!.page, number: 2 } }]);
    expect(t.people).toHaveLength(4);
    expect(t.contacts).toHaveLength(6);
  });

  it('keeps the sensitivity rows of the first page when the server sends them', () => {
    const [p1, p2] = samplePages(2);
    const rows = [{ toleranceSeconds: 900, counts: { '1': 2, '2': 2 } }, { toleranceSeconds: 300, counts: { '1': 1, '2': 0 } }];
    expect(mergePages([p2!, { ...p1!, sensitivity: rows }]).sensitivity).toEqual(rows);
  });

  it('refuses to merge nothing', () => {
    expect(() => mergePages([])).toThrow('no page');
  });
});

describe('shaping', () => {
  const trace = sampleTrace();

  it('counts people per generation, with zeros up to the depth', () => {
    expect([...generationCounts(trace)]).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect([...generationCounts({ ...trace, people: [], params: { ...trace.params, depth: 3 } })]).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
  });

  it('labels people by name and key, or a short pseudonym when no identity came', () => {
    expect(personLabel(F0, identities)).toBe('Nguyễn Văn An (079090005444)');
    expect(personLabel(B, identities)).toBe('@SUM(1)');
    expect(personKey('p123456789abcdef012345678', {})).toBe('#12345678');
  });

  it('follows the earliest contacts back from a person to F0', () => {
    expect(chainTo(trace, D)).toEqual([F0, A, D]);
    expect(chainTo(trace, B)).toEqual([F0, B]);
    expect(chainTo(trace, F0)).toEqual([F0]);
  });

  it('stops the chain where a contact is missing', () => {
    expect(chainTo({ ...trace, contacts: trace.contacts.filter((c) => c.target !== A) }, C)).toEqual([A, C]);
  });

  it('gives the evidence into and out of a person, earliest first', () => {
    const e = evidenceOf(trace, A);
    expect(e.reachedBy.map((c) => c.stationId)).toEqual(['ST1', 'ST2']);
    expect(e.reached.map((c) => c.target)).toEqual([C, D]);
    expect(contactsInto(trace).get(D)!.map((c) => c.source)).toEqual([A, B]);
  });
});
