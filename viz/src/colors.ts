/**
 * Colors of the view. Generations use the Okabe–Ito palette (distinguishable with the common
 * color-vision deficiencies) and every node also prints its generation number, so color is never
 * the only cue. Station kinds use the same palette plus greys, with a legend.
 */

export const GENERATION_COLORS = ['#D55E00', '#E69F00', '#56B4E9', '#009E73', '#0072B2', '#CC79A7', '#F0E442'] as const;

export function generationColor(generation: number): string {
  const g = Math.max(0, Math.min(GENERATION_COLORS.length - 1, Math.floor(generation)));
  return GENERATION_COLORS[g] as string;
}

/** Dark text on light fills, white on dark ones (WCAG contrast of the node labels). */
export function textOn(fill: string): string {
  const n = Number.parseInt(fill.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return lum > 0.22 ? '#111111' : '#ffffff';
}

export const KIND_COLORS: Readonly<Record<string, string>> = {
  checkpoint: '#0072B2',
  market: '#E69F00',
  clinic: '#009E73',
  hospital: '#CC79A7',
  school: '#56B4E9',
  supermarket: '#D55E00',
  bus_station: '#F0E442',
  workplace: '#555555',
  pharmacy: '#8FBC8F',
  other: '#999999',
};

export function kindColor(kind: string): string {
  return KIND_COLORS[kind] ?? (KIND_COLORS['other'] as string);
}

/** WCAG 2 relative luminance of a `#rrggbb` colour. */
export function luminance(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two `#rrggbb` colours (1 … 21; text needs 4.5). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** `fg` drawn at `alpha` over `bg`, as the eye gets it. */
export function over(fg: string, bg: string, alpha: number): string {
  const parse = (h: string) => [1, 3, 5].map((i) => Number.parseInt(h.slice(i, i + 2), 16));
  const f = parse(fg);
  const b = parse(bg);
  return `#${f.map((c, i) => Math.round(c * alpha + b[i]! * (1 - alpha)).toString(16).padStart(2, '0')).join('')}`;
}
