import { boxBelow, LABEL_PX, overlaps, placeLabels, textWidth, type LabelCandidate } from './labels';

const at = (id: string, x: number, y: number, priority: number, text = 'Chợ Bến Thành', always = false): LabelCandidate => ({ id, priority, always, ...boxBelow(x, y, text, LABEL_PX) });

describe('placeLabels', () => {
  it('keeps the more important of two labels that would overlap, and both when they do not', () => {
    expect(placeLabels([at('a', 0, 0, 1), at('b', 10, 4, 2)])).toEqual(new Set(['b']));
    expect(placeLabels([at('a', 0, 0, 1), at('b', 0, 40, 2)])).toEqual(new Set(['a', 'b']));
  });

  it('never shows two overlapping labels, whatever the crowd', () => {
    const crowd = Array.from({ length: 300 }, (_, i) => at(`n${i}`, (i * 37) % 500, (i * 53) % 300, i % 17));
    const shown = crowd.filter((c) => placeLabels(crowd).has(c.id));
    expect(shown.length).toBeGreaterThan(10);
    for (const a of shown) for (const b of shown) if (a !== b) expect([a.id, b.id, overlaps(a, b)]).toEqual([a.id, b.id, false]);
  });

  it('keeps clear of blocked boxes, except for a label that must show', () => {
    const blocked = [{ x: -5, y: -5, width: 10, height: 30 }];
    expect(placeLabels([at('a', 0, 0, 5)], { blocked })).toEqual(new Set());
    expect(placeLabels([at('a', 0, 0, 5, 'F0', true), at('b', 0, 2, 9)], { blocked })).toEqual(new Set(['a']));
  });

  it('breaks ties by id, so the same input always gives the same labels', () => {
    expect(placeLabels([at('b', 0, 0, 1), at('a', 5, 0, 1)])).toEqual(new Set(['a']));
  });
});

describe('label sizes', () => {
  it('are at least LABEL_PX (≥ 11 px) high and wider for longer text', () => {
    expect(LABEL_PX).toBeGreaterThanOrEqual(11);
    expect(boxBelow(0, 0, 'x', LABEL_PX).height).toBeGreaterThanOrEqual(LABEL_PX);
    expect(textWidth('Cầu Sài Gòn 06:50 24/11 · 230 F1', 12)).toBeGreaterThan(textWidth('Cầu Sài Gòn', 12));
    // Generous: 12 px system-ui digits are ~6.7 px wide.
    expect(textWidth('079190000001', 12)).toBeGreaterThanOrEqual(80);
  });
});
