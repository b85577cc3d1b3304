import { canonical, eventHash, GENESIS, verifyPage, type AuditEvent } from './chain';

function chainOf(n: number): AuditEvent[] {
  const out: AuditEvent[] = [];
  let prev = '';
  for (let seq = 1; seq <= n; seq++) {
    const e = { chain: 't', seq, at: new Date(Date.UTC(2021, 7, 2, 0, seq)).toISOString(), actor: 'u', role: 'tracer', action: 'trace.create' as const, outcome: 'ok' as const, count: seq, prev };
    const hash = eventHash(e);
    out.push({ ...e, hash });
    prev = hash;
  }
  return out;
}

describe('audit hash chain', () => {
  it('serialises with sorted keys and without undefined, so equal events hash equal', () => {
    expect(canonical({ b: 1, a: [true, null], c: undefined })).toBe('{"a":[true,null],"b":1}');
    const [e] = chainOf(1);
    const { hash, ...rest } = e!;
    expect(eventHash({ ...rest, target: undefined } as unknown as typeof rest)).toBe(hash);
  });

  it('accepts an intact chain, also page by page', () => {
    const events = chainOf(6);
    expect(verifyPage(events, GENESIS).problems).toEqual([]);
    const a = verifyPage(events.slice(0, 3), GENESIS);
    const b = verifyPage(events.slice(3), a.cursor);
    expect(b.problems).toEqual([]);
    expect(b.cursor.seq).toBe(6);
  });

  it('names an edited event', () => {
    const events = chainOf(5);
    events[2] = { ...events[2]!, count: 99 };
    expect(verifyPage(events, GENESIS).problems.map((p) => p.seq)).toEqual([3]);
  });

  it('names the first missing event of a gap', () => {
    const events = chainOf(6).filter((e) => e.seq !== 3 && e.seq !== 4);
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
