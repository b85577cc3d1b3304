import { hotspotSelection, listPlace, loadTimeline, selectPerson, selectStation } from './selection';
import { A, B, C, D, F0, sampleTrace } from './testing/sample';
import { settle, testPage } from './testing/page';
import type { LoadedTrace, Timeline, TracePerson } from './types';

const hotspot = { stationId: 'ST3', stationName: 'Trạm', windowStart: '2021-08-01T05:00:00.000Z', windowEnd: '2021-08-01T05:15:00.000Z', cases: 2, passages: 2, people: [A, C] };

/** A trace of 120 people (F1 0–59, F2 60–119): three pages of the whole list, two of each generation. */
function bigTrace(): LoadedTrace {
  const base = sampleTrace();
  const people: TracePerson[] = Array.from({ length: 120 }, (_, i) => ({ ...base.people[0]!, id: `q${String(i).padStart(24, '0')}`, generation: i < 60 ? 1 : 2 }));
  return { ...base, people };
}

describe('where the people list goes to show a person', () => {
  const trace = bigTrace();
  const id = (i: number) => trace.people[i]!.id;

  it('to their page in the generation shown', () => {
    expect(listPlace(trace, 2, 1, id(119))).toMatchObject({ generation: 2, page: 2 });
    expect(listPlace(trace, 2, 2, id(60))).toMatchObject({ generation: 2, page: 1 });
    expect(listPlace(trace, undefined, 1, id(119))).toMatchObject({ generation: undefined, page: 3 });
  });

  it('to the whole list when the generation shown does not hold them', () => {
    expect(listPlace(trace, 2, 2, id(0))).toMatchObject({ generation: undefined, page: 1 });
    expect(listPlace(trace, 1, 1, id(110))).toMatchObject({ generation: undefined, page: 3 });
  });

  it('in the sorted list, dropping a search or filter that leaves them out but keeping the sort', () => {
    const scored = { ...trace, people: trace.people.map((p, i) => ({ ...p, score: i / 1000 })) };
    expect(listPlace(scored, undefined, 1, scored.people[0]!.id, { text: '', sort: 'risk' })).toEqual({ generation: undefined, page: 3, filter: { text: '', sort: 'risk' } });
    expect(listPlace(scored, undefined, 1, scored.people[119]!.id, { text: '', sort: 'risk', minScore: 0.1 })).toEqual({ generation: undefined, page: 1, filter: { text: '', sort: 'risk', minScore: 0.1 } });
    expect(listPlace(scored, 2, 1, scored.people[3]!.id, { text: '', sort: 'risk', minScore: 0.1 })).toEqual({ generation: undefined, page: 3, filter: { text: '', sort: 'risk' } });
  });

  it('nowhere for F0, who is on no page', () => {
    expect(listPlace(trace, 2, 2, trace.f0)).toMatchObject({ generation: 2, page: 2 });
  });
});

describe('selecting', () => {
  it('a person selects them alone, moves the list to them and loads their timeline', async () => {
    const tl = { person: D, passages: [] } as unknown as Timeline;
    const page = testPage({ timeline: () => Promise.resolve(tl) });
    page.store.update('trace', (s) => {
      s.trace = sampleTrace();
      s.selection = { station: 'ST1' };
      s.listGeneration = 1;
    });
    selectPerson(page, D);
    expect(page.store.state.selection).toEqual({ person: D });
    expect(page.store.state.listGeneration).toBeUndefined();
    await settle();
    expect(page.store.state.timelines.get(D)).toBe(tl);
  });

  it('nothing without a trace', () => {
    const page = testPage();
    selectPerson(page, A);
    expect(page.store.state.selection).toEqual({});
    expect(page.calls).toEqual([]);
  });

  it('the selected hotspot or station again clears the selection', () => {
    expect(hotspotSelection({}, hotspot)).toEqual({ hotspot });
    expect(hotspotSelection({ hotspot: { ...hotspot } }, hotspot)).toEqual({});
    expect(hotspotSelection({ hotspot: { ...hotspot, windowStart: '2021-08-01T05:15:00.000Z' } }, hotspot)).toEqual({ hotspot });
    const page = testPage();
    selectStation(page, 'ST1');
    expect(page.store.state.selection).toEqual({ station: 'ST1' });
    selectStation(page, 'ST1');
    expect(page.store.state.selection).toEqual({});
  });
});

describe('loading a timeline', () => {
  it('asks once per person, and keeps a failure to show it until a later answer replaces it', async () => {
    let fail = true;
    const page = testPage({ timeline: (id) => (fail ? Promise.reject(new Error('no')) : Promise.resolve({ person: id, passages: [] } as unknown as Timeline)) });
    page.store.update('trace', (s) => (s.trace = sampleTrace()));
    await loadTimeline(page, B);
    expect((page.store.state.timelineErrors.get(B)?.error as Error).message).toBe('no');
    fail = false;
    await loadTimeline(page, B);
    expect(page.store.state.timelines.get(B)?.person).toBe(B);
    expect(page.store.state.timelineErrors.has(B)).toBe(false);
    await loadTimeline(page, B);
    expect(page.calls).toEqual([`timeline(${B}, ${sampleTrace().id})`, `timeline(${B}, ${sampleTrace().id})`]);
  });

  it('drops an answer for a trace no longer shown', async () => {
    let answer: (t: Timeline) => void = () => undefined;
    const page = testPage({ timeline: () => new Promise<Timeline>((resolve) => (answer = resolve)) });
    page.store.update('trace', (s) => (s.trace = sampleTrace()));
    const loading = loadTimeline(page, F0);
    page.store.update('trace', (s) => {
      s.trace = sampleTrace({ id: 'tr-other' });
      s.timelines = new Map();
    });
    answer({ person: F0, passages: [] } as unknown as Timeline);
    await loading;
    expect(page.store.state.timelines.size).toBe(0);
  });
});
