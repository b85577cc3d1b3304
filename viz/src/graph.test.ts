import { graphData, layoutBounds, layoutGraph, mulberry32, ringRadii } from './graph';
import { A, B, C, D, F0, sampleTrace } from './testing/sample';

describe('graphData', () => {
  it('draws F0 as generation 0 and every person with their generation, in the engine order', () => {
    const g = graphData(sampleTrace());
    expect(g.nodes.map((n) => [n.id, n.generation])).toEqual([
      [F0, 0],
      [A, 1],
      [B, 1],
      [C, 2],
      [D, 2],
    ]);
    expect(g.nodes[1]!.label).toBe('079190000001');
    expect(g.hiddenPeople).toBe(0);
  });

  it('merges the contacts of one pair into one link, earliest contact first', () => {
    const g = graphData(sampleTrace());
    expect(g.links).toHaveLength(5);
    const f0a = g.links.find((l) => l.source === F0 && l.target === A)!;
    expect(f0a.contacts.map((c) => c.stationId)).toEqual(['ST1', 'ST2']);
    expect(f0a.generation).toBe(1);
    expect(g.links.filter((l) => l.target === D).map((l) => l.source).sort()).toEqual([A, B].sort());
  });

  it('when the cap cuts people, says how many people and links are hidden', () => {
    const g = graphData(sampleTrace(), { cap: 2 });
    expect(g.nodes.map((n) => n.id)).toEqual([F0, A, B]);
    expect(g.drawnPeople).toBe(2);
    expect(g.hiddenPeople).toBe(2);
    expect(g.hiddenLinks).toBe(3);
  });

  it('draws a selected person past the cap together with the chain that reached them', () => {
    const g = graphData(sampleTrace(), { cap: 0, include: [C] });
    expect(g.nodes.map((n) => n.id)).toEqual([F0, A, C]);
    expect(g.links.map((l) => `${l.source}>${l.target}`)).toEqual([`${F0}>${A}`, `${A}>${C}`]);
    expect(g.hiddenPeople).toBe(2);
  });
});

describe('layoutGraph', () => {
  it('gives the same positions on every run (seeded, fixed ticks)', () => {
    const data = graphData(sampleTrace());
    expect([...layoutGraph(data)]).toEqual([...layoutGraph(data)]);
  });

  it('keeps F0 at the centre and puts F2 further out than F1', () => {
    const data = graphData(sampleTrace());
    const pos = layoutGraph(data, { ring: 100 });
    expect(pos.get(F0)).toEqual({ x: 0, y: 0 });
    const dist = (id: string) => Math.hypot(pos.get(id)!.x, pos.get(id)!.y);
    const f1 = (dist(A) + dist(B)) / 2;
    const f2 = (dist(C) + dist(D)) / 2;
    expect(f1).toBeGreaterThan(40);
    expect(f2).toBeGreaterThan(f1 + 40);
  });

  it('rounds coordinates to a tenth', () => {
    const pos = layoutGraph(graphData(sampleTrace()));
    for (const p of pos.values()) {
      expect(Math.round(p.x * 10) / 10).toBe(p.x);
      expect(Math.round(p.y * 10) / 10).toBe(p.y);
    }
  });

  it('spreads a hundred F1s without two of them on one spot', () => {
    const base = sampleTrace();
    const many = Array.from({ length: 100 }, (_, i) => ({ id: `pe${i.toString(16).padStart(23, '0')}`, generation: 1, exposureAt: '2021-08-01T00:00:00.000Z', via: [F0], score: 0.4, class: 'brief' as const }));
    const pos = layoutGraph(graphData({ ...base, people: many, contacts: [] }));
    const spots = new Set([...pos.values()].map((p) => `${Math.round(p.x)},${Math.round(p.y)}`));
    expect(spots.size).toBe(101);
  });
});

describe('helpers', () => {
  it('mulberry32 is a repeatable source in [0, 1)', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const xs = Array.from({ length: 5 }, () => a());
    expect(xs).toEqual(Array.from({ length: 5 }, () => b()));
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('layoutBounds frames every point with the margin', () => {
    expect(layoutBounds([{ x: -10, y: 5 }, { x: 30, y: -20 }], 10)).toEqual({ x: -20, y: -30, width: 60, height: 45 });
  });
});

describe('ringRadii', () => {
  it('keeps rings at least the ring distance apart and widens a crowded one', () => {
    const base = sampleTrace();
    const many = Array.from({ length: 200 }, (_, i) => ({ id: `pe${i.toString(16).padStart(23, '0')}`, generation: 1, exposureAt: '2021-08-01T00:00:00.000Z', via: [F0], score: 0.4, class: 'brief' as const }));
    const few = ringRadii(graphData(base), 100);
    expect([few.get(0), few.get(1), few.get(2)]).toEqual([0, 100, 200]);
    const crowded = ringRadii(graphData({ ...base, people: many, contacts: [] }), 100);
    expect(crowded.get(1)!).toBeGreaterThan(400);
  });
});

describe('radial tree layout', () => {
  const base = sampleTrace();
  const person = (id: string, generation: number) => ({ id, generation, exposureAt: '2021-08-01T00:00:00.000Z', via: [], score: 0.5, class: 'brief' as const });
  const link = (source: string, target: string, generation: number) => ({ source, target, stationId: 'S', at: '2021-08-01T00:00:00.000Z', overlapSeconds: 0, generation, passages: ['a', 'b'] as [string, string], class: 'brief' as const });

  it('puts each F2 nearer the F1 who reached it than any other F1', () => {
    const f1 = ['pa', 'pb', 'pc', 'pd'].map((p) => p.padEnd(25, '1'));
    const f2 = Array.from({ length: 12 }, (_, i) => `pe${String(i).padStart(23, '0')}`);
    const parentOf = (i: number) => f1[(i * 5) % 4]!;
    const trace = {
      ...base,
      people: [...f1.map((id) => person(id, 1)), ...f2.map((id) => person(id, 2))],
      contacts: [...f1.map((id) => link(F0, id, 1)), ...f2.map((id, i) => link(parentOf(i), id, 2))],
    };
    const pos = layoutGraph(graphData(trace));
    const d = (a: string, b: string) => Math.hypot(pos.get(a)!.x - pos.get(b)!.x, pos.get(a)!.y - pos.get(b)!.y);
    f2.forEach((id, i) => {
      const nearest = [...f1].sort((a, b) => d(id, a) - d(id, b))[0];
      expect([id, nearest]).toEqual([id, parentOf(i)]);
    });
  });

  it('keeps every generation on its own ring around F0 even when a dense cluster links one side', () => {
    const f1 = Array.from({ length: 60 }, (_, i) => `pa${String(i).padStart(23, '0')}`);
    const f2 = Array.from({ length: 80 }, (_, i) => `pb${String(i).padStart(23, '0')}`);
    const contacts = [...f1.map((id) => link(F0, id, 1)), ...f2.flatMap((id, i) => [0, 1, 2, 3, 4].map((k) => link(f1[(i + k) % 10]!, id, 2)))];
    const data = graphData({ ...base, people: [...f1.map((id) => person(id, 1)), ...f2.map((id) => person(id, 2))], contacts });
    const pos = layoutGraph(data);
    const radii = ringRadii(data, 120);
    expect(pos.get(F0)).toEqual({ x: 0, y: 0 });
    for (const [ids, g] of [[f1, 1], [f2, 2]] as const) {
      for (const id of ids) {
        const r = Math.hypot(pos.get(id)!.x, pos.get(id)!.y);
        expect([id, Math.abs(r - radii.get(g)!) < radii.get(g)! * 0.15]).toEqual([id, true]);
      }
    }
  });
});

describe('first contacts only', () => {
  it('keeps one link into each person, the one with their earliest contact, and counts the rest', () => {
    const g = graphData(sampleTrace(), { firstOnly: true });
    expect(g.links.map((l) => `${l.source}>${l.target}`).sort()).toEqual([`${F0}>${A}`, `${F0}>${B}`, `${A}>${C}`, `${A}>${D}`].sort());
    expect(g.laterLinks).toBe(1);
    expect(graphData(sampleTrace()).laterLinks).toBe(0);
  });
});
