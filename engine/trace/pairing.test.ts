import fc from 'fast-check';
import { spanMaxMs, SPAN_CLASSES } from '../windows';
import { colocated, contactTime, overlapMs } from './colocation';
import { candidateCells, pairing } from './pairing';

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

  it('stops with "too large" past its budget', () => {
    const pairs = pairing({ generation: 1, hi: 10_000 * M, tolMs: TOL, seen: [], maxContacts: 1 }, new Map([['S', [a(600 * M)]]]));
    expect(() => pairs.add('S', ['b1', 'b2'], ['x1', 'x2'], [600 * M, 601 * M], [600 * M, 601 * M])).toThrow(/too large/);
  });
});
