import fc from 'fast-check';
import type { CandidateCell } from '../db/contacts';
import { spanClass, spanMaxMs, SPAN_CLASSES } from '../windows';
import { closeAt, colocated, contactTime, overlapMs } from './colocation';
import { candidateCells, minOverlapOf, pairing } from './pairing';

const M = 60_000;
const TOL = 15 * M;
const a = (at: number, leftAt = at, since = 0) => ({ src: 'p', since, id: `x${at}`, at, leftAt });

describe('candidate cells of a generation', () => {
  it('reads one range per duration class, from arrival − τ − the class bound to departure + τ', () => {
    const cells = candidateCells(new Map([['S', [a(600 * M, 620 * M)]]]), 10_000 * M, TOL);
    expect(cells).toHaveLength(SPAN_CLASSES);
    expect(cells[0]).toEqual(['S', 0, 600 * M - TOL - spanMaxMs(0), 620 * M + TOL, 600 * M - TOL]);
    expect(cells[2]).toEqual(['S', 2, 600 * M - TOL - spanMaxMs(2), 620 * M + TOL, 600 * M - TOL]);
  });

  it('merges overlapping ranges of one station and class, keeping the lowest departure bound', () => {
    const cells = candidateCells(new Map([['S', [a(600 * M), a(610 * M), a(900 * M)]]]), 10_000 * M, TOL).filter((c) => c[1] === 0);
    expect(cells).toEqual([
      ['S', 0, 600 * M - TOL - spanMaxMs(0), 610 * M + TOL, 600 * M - TOL],
      ['S', 0, 900 * M - TOL - spanMaxMs(0), 900 * M + TOL, 900 * M - TOL],
    ]);
  });

  it('starts at since when the frontier passage began before it, and stops at hi', () => {
    const cells = candidateCells(new Map([['S', [a(600 * M, 700 * M, 650 * M)]]]), 680 * M, TOL).filter((c) => c[1] === 3);
    expect(cells).toEqual([['S', 3, 650 * M, 680 * M, 600 * M - TOL]]);
  });
});

describe('candidate cells of a close-only generation', () => {
  const S = 1000;
  const H = 60 * M;
  // Stays of every duration class: points, minutes around the close bar, hours, days, weeks.
  const stay = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 30 * M }), fc.constantFrom(15 * M - S, 15 * M, 15 * M + S), fc.integer({ min: 0, max: 48 * H }), fc.integer({ min: 0, max: 30 * 24 * H }));
  const iv = fc.tuple(fc.integer({ min: 0, max: 72 * H }), stay).map(([at, d]) => ({ at, leftAt: at + d }));

  /** What the frontier read keeps (engine/db/contacts.ts, FRONTIER), and what a cell read returns (CANDIDATES), by their predicates. */
  const frontierKeeps = (x: { at: number; leftAt: number; since: number }, hi: number, r: number) => x.at <= hi && x.leftAt >= x.since + r && x.leftAt - x.at >= Math.max(0, r);
  const cellHolds = (c: CandidateCell, b: { at: number; leftAt: number }, r: number) =>
    c[1] === spanClass(b.at, b.leftAt) && b.at >= c[2] && b.at <= c[3] && b.leftAt >= c[4] && b.leftAt - b.at >= Math.max(0, r);

  it('never drops a close pair: its frontier passage is read, and its candidate lies in a cell of its class', () => {
    // Candidates on the edges: ending exactly closeSeconds after a frontier arrival (± 1 ms) or
    // starting exactly closeSeconds before a departure, with stays on the class bounds (± 1 ms).
    const bounds = [0, 1, 2, 3].flatMap((k) => [spanMaxMs(k) - 1, spanMaxMs(k), spanMaxMs(k) + 1]);
    const scenario = fc
      .record({
        frontier: fc.array(fc.record({ p: iv, since: fc.integer({ min: 0, max: 72 * H }) }), { minLength: 1, maxLength: 6 }),
        closeSeconds: fc.constantFrom(1, 60, 600, 899, 900, 901, 3600, 86_400),
        tolMin: fc.integer({ min: 0, max: 60 }),
        hiHours: fc.integer({ min: 1, max: 80 }),
      })
      .chain((x) => {
        const closeMs = x.closeSeconds * S;
        const edgeStay = fc.oneof(stay, fc.constantFrom(closeMs - 1, closeMs, closeMs + 1, ...bounds));
        const anchored = fc.record({ i: fc.nat(x.frontier.length - 1), d: fc.constantFrom(-1, 0, 0, 1), len: edgeStay, end: fc.boolean() }).map(({ i, d, len, end }) => {
          const a = x.frontier[i]!.p;
          return end ? { at: a.at + closeMs + d - len, leftAt: a.at + closeMs + d } : { at: a.leftAt - closeMs + d, leftAt: a.leftAt - closeMs + d + len };
        });
        return fc.record({ x: fc.constant(x), candidates: fc.array(fc.oneof(iv, anchored, anchored), { minLength: 1, maxLength: 16 }) });
      });
    fc.assert(
      fc.property(scenario, ({ x: { frontier, closeSeconds, tolMin, hiHours }, candidates }) => {
        const closeMs = closeSeconds * S;
        const hi = hiHours * H;
        const r = minOverlapOf(tolMin * M, closeMs);
        const as = frontier.map((f, n) => ({ src: `f${n}`, since: f.since, id: `a${n}`, at: f.p.at, leftAt: f.p.leftAt }));
        const read = as.filter((a) => frontierKeeps(a, hi, r));
        const cells = candidateCells(new Map([['S', read]]), hi, tolMin * M, closeMs);
        for (const a of as) {
          for (const b of candidates) {
            const t = contactTime(a, b);
            // The close pairs the trace must find (the oracle's rule, unnarrowed).
            if (!closeAt(a.at, a.leftAt, b.at, b.leftAt, closeMs) || t < a.since || t > hi) continue;
            expect([a, frontierKeeps(a, hi, r)]).toEqual([a, true]);
            expect([a, b, cells.some((c) => cellHolds(c, b, r))]).toEqual([a, b, true]);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('reads less: every close-only range lies inside a range the full trace reads for the same class', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ p: iv, since: fc.integer({ min: 0, max: 72 * H }) }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(60, 900, 3600),
        fc.integer({ min: 0, max: 60 }),
        (frontier, closeSeconds, tolMin) => {
          const hi = 80 * H;
          const as = frontier.map((f, n) => ({ src: `f${n}`, since: f.since, id: `a${n}`, at: f.p.at, leftAt: f.p.leftAt }));
          const full = candidateCells(new Map([['S', as]]), hi, tolMin * M);
          const close = candidateCells(new Map([['S', as]]), hi, tolMin * M, closeSeconds * S);
          for (const c of close) expect([c, full.some((f) => f[1] === c[1] && f[2] <= c[2] && f[3] >= c[3] && f[4] <= c[4])]).toEqual([c, true]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('skips a frontier passage shorter than closeSeconds and the classes too short to hold a close stay', () => {
    const hi = 10_000 * M;
    // A point scan and a 14:59 stay pair with nobody: no cell at all.
    expect(candidateCells(new Map([['S', [a(600 * M), a(600 * M, 600 * M + 899 * S)]]]), hi, TOL, 900 * S)).toEqual([]);
    // A two-hour stay, close from 30 minutes: class 0 (stays up to 15 minutes) is never read.
    const cells = candidateCells(new Map([['S', [a(600 * M, 720 * M)]]]), hi, TOL, 1800 * S);
    expect(cells.map((c) => c[1])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // [at + close − class bound, leftAt − close], ending at least `close` after a's arrival.
    expect(cells[0]).toEqual(['S', 1, 600 * M + 1800 * S - spanMaxMs(1), 720 * M - 1800 * S, 600 * M + 1800 * S]);
  });

  it('works with a tolerance of 0: close pairs overlap, the tolerance plays no part', () => {
    expect(candidateCells(new Map([['S', [a(600 * M, 720 * M)]]]), 10_000 * M, 0, 900 * S)).toEqual(candidateCells(new Map([['S', [a(600 * M, 720 * M)]]]), 10_000 * M, 60 * M, 900 * S));
  });
});

describe('pairing of a cell with the frontier', () => {
  const iv = fc.tuple(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 300 })).map(([at, d]) => ({ at: at * M, leftAt: (at + d) * M }));

  it('pairs exactly the co-located passages whose contact time lies in [since, hi], once each', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ p: iv, since: fc.integer({ min: 0, max: 600 }) }), { minLength: 1, maxLength: 8 }),
        fc.array(iv, { maxLength: 12 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 100, max: 900 }),
        (frontier, candidates, tolMin, hiMin) => {
          const tol = tolMin * M;
          const hi = hiMin * M;
          // The frontier read returns only passages that start by hi.
          const as = frontier.map((f, n) => ({ src: `f${n}`, since: f.since * M, id: `a${n}`, at: f.p.at, leftAt: f.p.leftAt })).filter((x) => x.at <= hi);
          const pairs = pairing({ generation: 2, hi, tolMs: tol, seen: ['b0'], maxContacts: Infinity }, new Map([['S', as]]));
          pairs.add('S', candidates.map((_, n) => `b${n}`), candidates.map((_, n) => `x${n}`), candidates.map((c) => c.at), candidates.map((c) => c.leftAt));
          const got = pairs.edges.map((e) => `${e.passages[0]}|${e.passages[1]}|${e.at}|${e.overlapMs}`).sort();
          const want: string[] = [];
          as.forEach((a) =>
            candidates.forEach((b, n) => {
              const at = contactTime(a, b);
              if (n !== 0 && colocated(a, b, tol) && at >= a.since && at <= hi) want.push(`${a.id}|x${n}|${at}|${overlapMs(a, b)}`);
            }),
          );
          expect(got).toEqual(want.sort());
        },
      ),
    );
  });

  it('close-only: pairs exactly the pairs together at least closeSeconds whose contact time lies in [since, hi], at any tolerance', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ p: iv, since: fc.integer({ min: 0, max: 600 }) }), { minLength: 1, maxLength: 8 }),
        fc.array(iv, { maxLength: 12 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 100, max: 900 }),
        fc.constantFrom(1, 14, 15, 16, 60),
        (frontier, candidates, tolMin, hiMin, closeMin) => {
          const hi = hiMin * M;
          const closeMs = closeMin * M;
          const as = frontier.map((f, n) => ({ src: `f${n}`, since: f.since * M, id: `a${n}`, at: f.p.at, leftAt: f.p.leftAt })).filter((x) => x.at <= hi);
          const pairs = pairing({ generation: 2, hi, tolMs: tolMin * M, closeMs, seen: ['b0'], maxContacts: Infinity }, new Map([['S', as]]));
          pairs.add('S', candidates.map((_, n) => `b${n}`), candidates.map((_, n) => `x${n}`), candidates.map((c) => c.at), candidates.map((c) => c.leftAt));
          const got = pairs.edges.map((e) => `${e.passages[0]}|${e.passages[1]}|${e.at}|${e.overlapMs}`).sort();
          const want: string[] = [];
          as.forEach((a) =>
            candidates.forEach((b, n) => {
              const at = contactTime(a, b);
              if (n !== 0 && overlapMs(a, b) >= closeMs && at >= a.since && at <= hi) want.push(`${a.id}|x${n}|${at}|${overlapMs(a, b)}`);
            }),
          );
          expect(got).toEqual(want.sort());
        },
      ),
    );
  });

  it('stops with "too large" past its budget', () => {
    const pairs = pairing({ generation: 1, hi: 10_000 * M, tolMs: TOL, seen: [], maxContacts: 1 }, new Map([['S', [a(600 * M)]]]));
    expect(() => pairs.add('S', ['b1', 'b2'], ['x1', 'x2'], [600 * M, 601 * M], [600 * M, 601 * M])).toThrow(/too large/);
  });
});
