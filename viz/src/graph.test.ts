import { defaultBudget, EXPAND, firstContactChain, graphData, layoutBounds, layoutGraph, mulberry32, nodeText, ringRadii, shortName, wrapName, type GraphData } from './graph';
import { A, B, C, D, F0, sampleTrace } from './testing/sample';
import type { LoadedTrace, TraceContact, TracePerson } from './types';

const person = (id: string, generation: number, exposureAt: string, score = 0.5): TracePerson => ({ id, generation, exposureAt, via: [], score });
const contact = (source: string, target: string, stationId: string, at: string, generation: number): TraceContact => ({
  source,
  target,
  stationId,
  at,
  overlapSeconds: 60,
  generation,
  passages: [`${source}@${stationId}`, `${target}@${stationId}`],
});
const pidN = (prefix: string, i: number) => `p${prefix}${String(i).padStart(23, '0')}`;
const minutes = (base: string, m: number) => new Date(Date.parse(base) + m * 60_000).toISOString();

/**
 * A wave like the demo city's: F0 passed a bridge checkpoint at 06:50 where 230 F1s met them,
 * a market at noon (200 F1s) and 39 other places (one F1 each); every F1 reached 3–4 F2s at
 * places of their own (1,673 F2s, each reached first by one F1, some by two).
 */
function wave(): { trace: LoadedTrace; f1: string[]; f2: string[] } {
  const people: TracePerson[] = [];
  const contacts: TraceContact[] = [];
  const f1: string[] = [];
  const bridge = '2021-11-23T23:50:00.000Z'; // 06:50 24/11 in Ho Chi Minh City
  const market = '2021-11-24T05:00:00.000Z';
  for (let i = 0; i < 469; i++) {
    const id = pidN('a', i);
    const [station, at] = i < 230 ? ['CAU', minutes(bridge, i % 20)] : i < 430 ? ['CHO', minutes(market, i % 30)] : [`S${i}`, minutes(market, 120 + i)];
    f1.push(id);
    people.push(person(id, 1, at, 0.3 + (i % 7) / 10));
    contacts.push(contact(F0, id, station, at, 1));
  }
  const f2: string[] = [];
  for (let j = 0; j < 1673; j++) {
    const id = pidN('b', j);
    const src = f1[j % 469]!;
    const at = minutes('2021-11-25T01:00:00.000Z', j % 600);
    f2.push(id);
    people.push(person(id, 2, at, 0.2));
    contacts.push(contact(src, id, `T${j % 97}`, at, 2));
    if (j % 5 === 0) contacts.push(contact(f1[(j + 250) % 469]!, id, `T${j % 97}`, minutes(at, 30), 2));
  }
  people.sort((a, b) => a.generation - b.generation || a.exposureAt.localeCompare(b.exposureAt) || a.id.localeCompare(b.id));
  const trace = sampleTrace({ people, contacts, identities: {}, stats: { people: people.length, contacts: contacts.length, milliseconds: 1 }, peopleFound: people.length, totalPeople: people.length });
  return { trace, f1, f2 };
}

const ofGen = (g: GraphData, generation: number) => g.nodes.filter((n) => n.generation === generation);

describe('graphData on a small result', () => {
  it('draws F0 as generation 0 and every person on their own, in the engine order', () => {
    const g = graphData(sampleTrace());
    expect(g.nodes.map((n) => [n.id, n.generation, n.kind])).toEqual([
      [F0, 0, 'person'],
      [A, 1, 'person'],
      [B, 1, 'person'],
      [C, 2, 'person'],
      [D, 2, 'person'],
    ]);
    expect(g.nodes[1]!.label).toBe('079190000001');
    expect(g.generations).toEqual([
      { generation: 1, total: 2, shown: 2, grouped: 0, groups: 0 },
      { generation: 2, total: 2, shown: 2, grouped: 0, groups: 0 },
    ]);
  });

  it('merges the contacts of one pair into one link, earliest contact first', () => {
    const g = graphData(sampleTrace());
    expect(g.links).toHaveLength(5);
    const f0a = g.links.find((l) => l.source === F0 && l.target === A)!;
    expect(f0a.contacts.map((c) => c.stationId)).toEqual(['ST1', 'ST2']);
    expect(f0a.generation).toBe(1);
    expect(g.links.filter((l) => l.target === D).map((l) => l.source).sort()).toEqual([A, B].sort());
  });

  it('lists every generation up to the depth, an empty one too', () => {
    const g = graphData(sampleTrace({ params: { ...sampleTrace().params, depth: 3 } }));
    expect(g.generations.map((x) => [x.generation, x.total])).toEqual([
      [1, 2],
      [2, 2],
      [3, 0],
    ]);
  });
});

describe('graphData on an epidemic wave (469 F1, 1,673 F2)', () => {
  const { trace, f1, f2 } = wave();

  it('draws every generation, within its budget, saying how many of each are shown one by one', () => {
    const g = graphData(trace);
    for (const gen of [1, 2]) {
      expect(ofGen(g, gen).length).toBeGreaterThan(0);
      expect(ofGen(g, gen).length).toBeLessThanOrEqual(defaultBudget(gen));
    }
    const [g1, g2] = g.generations;
    expect(g1).toMatchObject({ generation: 1, total: 469 });
    expect(g2).toMatchObject({ generation: 2, total: 1673 });
    for (const s of g.generations) {
      expect(s.shown + s.grouped).toBe(s.total);
      expect(s.shown).toBe(ofGen(g, s.generation).filter((n) => n.kind === 'person').length);
      expect(s.groups).toBe(ofGen(g, s.generation).filter((n) => n.kind === 'group').length);
    }
    // Every person is on exactly one node.
    const everyone = g.nodes.flatMap((n) => n.people);
    expect(new Set(everyone).size).toBe(everyone.length);
    expect(everyone.length).toBe(1 + 469 + 1673);
  });

  it('makes the 230 F1s who met F0 at the bridge within the hour one group, labelled by place, time and count', () => {
    const g = graphData(trace);
    const bridge = ofGen(g, 1).find((n) => n.kind === 'group' && n.stationId === 'CAU')!;
    expect(bridge.people).toHaveLength(230);
    expect(bridge.from).toBe('2021-11-23T23:50:00.000Z');
    expect(bridge.to).toBe('2021-11-24T00:09:00.000Z');
    expect(nodeText(bridge, (id) => (id === 'CAU' ? 'Cầu Sài Gòn' : id), 'vi')).toBe('Cầu Sài Gòn 06:50 24/11 · 230 F1');
    expect(nodeText(bridge, () => 'Saigon Bridge', 'en')).toBe('Saigon Bridge 06:50 24 Nov · 230 F1');
  });

  it('puts what still does not fit in one "others" node per generation', () => {
    const g = graphData(trace);
    const others = ofGen(g, 2).filter((n) => n.id === 'g2:others');
    expect(others).toHaveLength(1);
    expect(others[0]!.stationId).toBeUndefined();
    expect(nodeText(others[0]!, (id) => id, 'en')).toBe(`${others[0]!.people.length} more F2`);
  });

  it('selecting an F1 draws them, their chain and the F2s they reached one by one', () => {
    const who = f1[3]!;
    const reached = [...new Set(trace.contacts.filter((c) => c.source === who).map((c) => c.target))];
    expect(reached.length).toBeGreaterThan(2);
    const g = graphData(trace, { focus: { person: who } });
    const persons = new Set(g.nodes.filter((n) => n.kind === 'person').map((n) => n.id));
    expect(persons.has(who)).toBe(true);
    for (const id of reached) expect([id, persons.has(id)]).toEqual([id, true]);
    expect(g.links.some((l) => l.source === F0 && l.target === who)).toBe(true);
    for (const id of reached) expect(g.links.some((l) => l.source === who && l.target === id)).toBe(true);
    // Not drawn one by one before the selection.
    const before = new Set(graphData(trace).nodes.filter((n) => n.kind === 'person').map((n) => n.id));
    expect(reached.filter((id) => !before.has(id)).length).toBeGreaterThan(0);
  });

  it('selecting an F2 draws the chain that reached them', () => {
    const who = f2[1000]!;
    const chain = firstContactChain(trace, who);
    expect(chain).toHaveLength(3);
    expect(chain[0]).toBe(F0);
    const g = graphData(trace, { focus: { person: who } });
    for (const id of chain) expect(g.nodes.some((n) => n.id === id && n.kind === 'person')).toBe(true);
  });

  it('selecting a group draws the F2s its members reached (at most EXPAND), and keeps the group and its id', () => {
    const plain = graphData(trace);
    const bridge = ofGen(plain, 1).find((n) => n.stationId === 'CAU')!;
    const g = graphData(trace, { focus: { group: bridge.id, people: bridge.people } });
    expect(g.nodes.find((n) => n.id === bridge.id)?.people).toEqual(bridge.people);
    const members = new Set(bridge.people);
    const expanded = ofGen(g, 2).filter((n) => n.kind === 'person');
    expect(expanded.length).toBe(EXPAND);
    for (const n of expanded) expect(trace.contacts.some((c) => c.target === n.id && members.has(c.source))).toBe(true);
    expect(g.links.filter((l) => l.source === bridge.id && expanded.some((n) => n.id === l.target)).length).toBe(EXPAND);
  });

  it('“first contacts only” draws one link into each node from where its people were first reached, fewer than all', () => {
    const budget = (g: number) => (g === 1 ? 24 : 200);
    const all = graphData(trace, { budget });
    const first = graphData(trace, { firstOnly: true, budget });
    expect(first.links.length).toBeLessThan(all.links.length);
    expect(first.laterLinks).toBe(all.links.length - first.links.length);
    expect(all.laterLinks).toBe(0);
  });

  it('is the same for the same result and focus', () => {
    expect(graphData(trace, { focus: { person: f1[7]! } })).toEqual(graphData(wave().trace, { focus: { person: f1[7]! } }));
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

  it('lays the wave out without two nodes overlapping much, every generation on its own ring', () => {
    const { trace } = wave();
    const data = graphData(trace);
    const pos = layoutGraph(data);
    const radii = ringRadii(data, 120);
    for (const n of data.nodes) {
      const r = Math.hypot(pos.get(n.id)!.x, pos.get(n.id)!.y);
      expect([n.id, Math.abs(r - radii.get(n.generation)!) <= Math.max(1, radii.get(n.generation)! * 0.2)]).toEqual([n.id, true]);
    }
    const spots = new Set([...pos.values()].map((p) => `${Math.round(p.x / 4)},${Math.round(p.y / 4)}`));
    expect(spots.size).toBe(data.nodes.length);
  });
});

describe('radial tree layout', () => {
  const base = sampleTrace();
  const link = (source: string, target: string, generation: number) => contact(source, target, 'S', '2021-08-01T00:00:00.000Z', generation);

  it('puts each F2 nearer the F1 who reached it than any other F1', () => {
    const f1 = ['pa', 'pb', 'pc', 'pd'].map((p) => p.padEnd(25, '1'));
    const f2 = Array.from({ length: 12 }, (_, i) => `pe${String(i).padStart(23, '0')}`);
    const parentOf = (i: number) => f1[(i * 5) % 4]!;
    const trace = {
      ...base,
      people: [...f1.map((id) => person(id, 1, '2021-08-01T00:00:00.000Z')), ...f2.map((id) => person(id, 2, '2021-08-01T00:00:00.000Z'))],
      contacts: [...f1.map((id) => link(F0, id, 1)), ...f2.map((id, i) => link(parentOf(i), id, 2))],
    };
    const pos = layoutGraph(graphData(trace));
    const d = (a: string, b: string) => Math.hypot(pos.get(a)!.x - pos.get(b)!.x, pos.get(a)!.y - pos.get(b)!.y);
    f2.forEach((id, i) => {
      const nearest = [...f1].sort((a, b) => d(id, a) - d(id, b))[0];
      expect([id, nearest]).toEqual([id, parentOf(i)]);
    });
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

  it('ringRadii keeps rings at least the ring distance apart and widens a crowded one', () => {
    const few = ringRadii(graphData(sampleTrace()), 100);
    expect([few.get(0), few.get(1), few.get(2)]).toEqual([0, 100, 200]);
    const many = Array.from({ length: 120 }, (_, i) => person(pidN('e', i), 1, '2021-08-01T00:00:00.000Z'));
    const crowded = ringRadii(graphData(sampleTrace({ people: many, contacts: [] }), { budget: () => 200 }), 100);
    expect(crowded.get(1)!).toBeGreaterThan(400);
  });
});

describe('group labels', () => {
  it('shorten the prefixes officials abbreviate themselves and wrap long names on two lines', () => {
    expect(shortName('Khu công nghiệp Tân Bình')).toBe('KCN Tân Bình');
    expect(shortName('Chốt kiểm soát Cầu Sài Gòn')).toBe('Chốt Cầu Sài Gòn');
    expect(shortName('Chợ Bến Thành')).toBe('Chợ Bến Thành');
    expect(wrapName('Chợ Bến Thành')).toEqual(['Chợ Bến Thành']);
    expect(wrapName('Siêu thị Co.opmart Cống Quỳnh Quận 1')).toEqual(['Siêu thị Co.opmart', 'Cống Quỳnh Quận 1']);
    for (const line of wrapName('Công ty trách nhiệm hữu hạn Điện tử Đại Việt Sài Gòn')) expect(line.length).toBeLessThanOrEqual(18);
  });
});
