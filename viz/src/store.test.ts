import { hasSelection, selectedStation, selectsPerson, Store } from './store';
import { A, B, C } from './testing/sample';

const hotspot = { stationId: 'ST3', stationName: 'Trạm', windowStart: '2021-08-01T05:00:00.000Z', windowEnd: '2021-08-01T05:15:00.000Z', cases: 2, passages: 2, people: [A, C] };

describe('selection', () => {
  it('a person selection concerns only that person', () => {
    expect(selectsPerson({ person: A }, A)).toBe(true);
    expect(selectsPerson({ person: A }, B)).toBe(false);
  });

  it('a hotspot selection concerns the people who passed there and points at its station', () => {
    expect([A, B, C].map((id) => selectsPerson({ hotspot }, id))).toEqual([true, false, true]);
    expect(selectedStation({ hotspot })).toBe('ST3');
    expect(selectedStation({ station: 'ST1' })).toBe('ST1');
  });

  it('nothing selected is no selection', () => {
    expect(hasSelection({})).toBe(false);
    expect(hasSelection({ station: 'ST1' })).toBe(true);
  });

  it('the store tells every listener what changed, after the change', () => {
    const store = new Store();
    const seen: string[] = [];
    store.subscribe((c) => seen.push(`${c}:${store.state.selection.person ?? '-'}`));
    store.select({ person: A });
    store.update('lang', (s) => (s.lang = 'en'));
    expect(seen).toEqual([`selection:${A}`, `lang:${A}`]);
    expect(store.state.lang).toBe('en');
  });
});
