import { spanMaxMs, SPAN_CLASSES } from '../windows';
import { candidateCells } from './queries';

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
