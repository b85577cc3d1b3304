import { generationColor, GENERATION_COLORS, kindColor, textOn } from './colors';

describe('colors', () => {
  it('gives each generation its own palette color and clamps beyond the palette', () => {
    expect(new Set([0, 1, 2, 3, 4, 5, 6].map(generationColor)).size).toBe(7);
    expect(generationColor(99)).toBe(GENERATION_COLORS[GENERATION_COLORS.length - 1]);
    expect(generationColor(-1)).toBe(GENERATION_COLORS[0]);
  });

  it('puts dark text on light fills and white text on dark ones', () => {
    expect(textOn('#F0E442')).toBe('#111111');
    expect(textOn('#0072B2')).toBe('#ffffff');
  });

  it('colors an unknown kind like "other"', () => {
    expect(kindColor('garden')).toBe(kindColor('other'));
  });
});
