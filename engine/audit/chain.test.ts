import { canonical, checkEvent, eventHashV1, GENESIS, INTEGER, sealEvent, STRING, verifyPage, type AuditEvent, type StoredEvent, type StoredValue } from './chain';

const T0 = Date.UTC(2021, 7, 2);
const entry = (seq: number, prev: string): Omit<AuditEvent, 'hash'> => ({
  chain: 't',
  seq,
  at: new Date(T0 + seq * 60_000).toISOString(),
  actor: 'u',
  role: 'tracer',
  action: 'trace.create',
  outcome: 'ok',
  requestRef: `R-${seq}`,
  count: seq,
  details: { depth: 2 },
  prev,
});

/** A format-2 chain, as appendAudit stores it. */
function chainOf(n: number): StoredEvent[] {
  const out: StoredEvent[] = [];
  let prev = '';
  for (let seq = 1; seq <= n; seq++) {
    const { props, hash } = sealEvent(entry(seq, prev), T0 + seq * 60_000);
    out.push(props);
    prev = hash;
  }
  return out;
}

/** A format-1 event, as the code before issue 20 stored it (no `v`; its hash leaves atMs out). */
function v1Event(seq: number, prev: string): StoredEvent {
  const e = entry(seq, prev);
  const hash = eventHashV1(e);
  const s = (value: string): StoredValue => ({ type: STRING, value });
  const i = (value: number): StoredValue => ({ type: INTEGER, value });
  return {
    chain: s(e.chain),
    seq: i(e.seq),
    at: s(e.at),
    atMs: i(Date.parse(e.at)),
    actor: s(e.actor),
    role: s(e.role),
    action: s(e.action),
    outcome: s(e.outcome),
    requestRef: s(e.requestRef!),
    count: i(e.count!),
    details: s(JSON.stringify(e.details)),
    prev: s(prev),
    hash: s(hash),
  };
}

const seqs = (events: StoredEvent[]) => verifyPage(events, GENESIS).problems.map((p) => p.seq);

describe('audit hash chain', () => {
  it('serialises with sorted keys and without undefined, so equal events hash equal', () => {
    expect(canonical({ b: 1, a: [true, null], c: undefined })).toBe('{"a":[true,null],"b":1}');
    const e = entry(1, '');
    expect(sealEvent({ ...e, target: undefined } as unknown as typeof e, T0).hash).toBe(sealEvent(e, T0).hash);
  });

  it('accepts an intact chain, also page by page', () => {
    const events = chainOf(6);
    expect(verifyPage(events, GENESIS).problems).toEqual([]);
    const a = verifyPage(events.slice(0, 3), GENESIS);
    const b = verifyPage(events.slice(3), a.cursor);
    expect(b.problems).toEqual([]);
    expect(b.cursor.seq).toBe(6);
  });

  it('names an event with any stored property edited, removed, retyped, or one added', () => {
    const base = chainOf(5);
    for (const k of Object.keys(base[2]!)) {
      const v = base[2]![k]!;
      const edited = { ...v, value: typeof v.value === 'number' ? v.value + 1 : `${v.value}x` };
      const { [k]: _removed, ...without } = base[2]!;
      for (const changed of [{ ...base[2]!, [k]: edited }, without, { ...base[2]!, [k]: { type: 'FLOAT NOT NULL', value: null } }]) {
        const events = [...base];
        events[2] = changed;
        expect({ k, seqs: seqs(events) }).toEqual({ k, seqs: expect.arrayContaining([3]) as unknown });
      }
    }
    const events = [...base];
    events[2] = { ...base[2]!, note: { type: STRING, value: 'added' } };
    expect(seqs(events)).toEqual([3]);
  });

  it('names the first missing event of a gap', () => {
    const events = chainOf(6).filter((e) => e['seq']?.value !== 3 && e['seq']?.value !== 4);
    const problems = verifyPage(events, GENESIS).problems;
    expect(problems[0]).toMatchObject({ seq: 3 });
    expect(problems[0]?.reason).toMatch(/3–4 is missing/);
  });

  it('names an event moved to another place in the chain', () => {
    const events = chainOf(3);
    const swapped = [events[0]!, events[2]!, events[1]!];
    expect(verifyPage(swapped, GENESIS).problems.length).toBeGreaterThan(0);
  });
});

describe('events written before format 2 (a database upgraded in place)', () => {
  it('verifies a chain of old events followed by new ones', () => {
    const old = [v1Event(1, '')];
    old.push(v1Event(2, old[0]!['hash']!.value as string));
    const { props } = sealEvent(entry(3, old[1]!['hash']!.value as string), T0 + 3 * 60_000);
    expect(checkEvent(old[0]!)).toBeUndefined();
    expect(verifyPage([...old, props], GENESIS).problems).toEqual([]);
  });

  it("names an old event whose atMs no longer is its at, or that gained, lost or retyped a property", () => {
    const e = v1Event(1, '');
    expect(checkEvent({ ...e, atMs: { type: INTEGER, value: (e['atMs']!.value as number) + 86_400_000 } })).toMatch(/atMs/);
    expect(checkEvent({ ...e, note: { type: STRING, value: 'x' } })).toMatch(/note/);
    const { atMs: _atMs, ...noAtMs } = e;
    expect(checkEvent(noAtMs)).toMatch(/atMs/);
    expect(checkEvent({ ...e, count: { type: 'FLOAT NOT NULL', value: null } })).toMatch(/count/);
    expect(checkEvent({ ...e, count: { type: INTEGER, value: 99 } })).toMatch(/hash differs/);
    expect(checkEvent({ ...e, details: { type: STRING, value: '{ "depth": 2 }' } })).toMatch(/details/);
  });

  it('cannot pass a new event off as an old one by removing its format, nor claim an unknown format', () => {
    const [e] = chainOf(1);
    const { v: _v, ...downgraded } = e!;
    expect(checkEvent(downgraded)).toBeDefined();
    expect(checkEvent({ ...e!, v: { type: INTEGER, value: 3 } })).toMatch(/format/);
  });
});
