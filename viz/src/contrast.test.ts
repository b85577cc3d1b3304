import fs from 'node:fs';
import path from 'node:path';
import { contrastRatio, GENERATION_COLORS, over, textOn } from './colors';
import { FADED_LANE_TEXT, INFECTIOUS_TEXT, LANE_TEXT } from './views/timeline';

/**
 * Every text colour of the page against the backgrounds it is drawn on reaches WCAG AA (4.5:1):
 * the stylesheet's variables and fixed colours, the timeline's labels (faded lanes included: they
 * were 2.9:1 when the whole lane, label and all, was drawn at 45 %), the generation chips.
 */

const css = fs.readFileSync(path.join(__dirname, '..', 'static', 'style.css'), 'utf8');
const vars = Object.fromEntries([...css.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})/g)].map((m) => [m[1]!, m[2]!.toLowerCase()]));
const v = (name: string) => {
  const c = vars[name];
  if (c === undefined) throw new Error(`no --${name} in style.css`);
  return c;
};

const WHITE = '#ffffff';

describe('text contrast', () => {
  it('reads the stylesheet’s colours', () => {
    expect(Object.keys(vars)).toEqual(expect.arrayContaining(['ink', 'muted', 'bg', 'card', 'accent', 'warn', 'error']));
  });

  it.each([
    ['ink on a card', () => v('ink'), () => v('card')],
    ['muted (notes, small print, headers) on a card', () => v('muted'), () => v('card')],
    ['muted on the page', () => v('muted'), () => v('bg')],
    ['muted on a selected row', () => v('muted'), () => '#fff3c4'],
    ['muted on an evidence row', () => v('muted'), () => '#eef6ff'],
    ['a link or accent on a card', () => v('accent'), () => v('card')],
    ['white on the accent button', () => WHITE, () => v('accent')],
    ['an error on a card', () => v('error'), () => v('card')],
    ['a warning on its band', () => v('warn'), () => '#fff4e0'],
    ['lower-trust evidence', () => '#8a4b00', () => v('card')],
    ['the topbar subtitle', () => '#c9d1db', () => '#1d2733'],
    ['a close badge', () => WHITE, () => '#8f1d1d'],
    ['a brief badge', () => '#3d4550', () => WHITE],
    ['a timeline label', () => LANE_TEXT, () => '#f7f8fa'],
    ['a faded timeline label on an odd lane', () => FADED_LANE_TEXT, () => '#f7f8fa'],
    ['a faded timeline label on the infectious band', () => FADED_LANE_TEXT, () => over('#E69F00', '#f7f8fa', 0.13)],
    ['the infectious period’s label on its band', () => INFECTIOUS_TEXT, () => over('#E69F00', WHITE, 0.13)],
  ])('%s is at least 4.5:1', (_name, fg, bg) => {
    expect(contrastRatio(fg(), bg())).toBeGreaterThanOrEqual(4.5);
  });

  it('a generation chip’s number on its colour is at least 4.5:1', () => {
    for (const fill of GENERATION_COLORS) expect([fill, contrastRatio(textOn(fill), fill) >= 4.5]).toEqual([fill, true]);
  });

  it('what was wrong: a lane drawn at 45 % opacity, label included, was below 3:1', () => {
    expect(contrastRatio(over(LANE_TEXT, WHITE, 0.45), WHITE)).toBeLessThan(3);
  });
});
