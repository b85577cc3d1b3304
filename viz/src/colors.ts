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
