/**
 * Labels that never overlap: the graph's node labels and the map's station and district names.
 * Each candidate is a box on screen with a priority; the most important are placed first and a
 * label is shown only if its box touches no label already placed (nor a box it must keep clear
 * of). Widths are estimated from the text, never measured (no layout pass, same answer in a test
 * and in the browser), and a little generously so a real font does not spill over. Pure.
 */

/** Labels on screen are at least this many CSS pixels high (issue 23: ≥ 11 px at default zoom). */
export const LABEL_PX = 12;

/** A generous width for `text` at `px`: system sans-serif fonts average ~0.55 em per character. */
export function textWidth(text: string, px: number): number {
  let em = 0;
  for (const ch of text) em += /[A-ZĐ0-9MW@#%&]/.test(ch) ? 0.66 : ch === ' ' ? 0.3 : /[.,:;'·|!il]/.test(ch) ? 0.32 : 0.58;
  return Math.ceil(em * px) + 2;
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LabelCandidate extends Box {
  readonly id: string;
  /** Higher goes first; ties by id. */
  readonly priority: number;
  /** Shown whatever it overlaps (F0, the selection); the others then keep clear of it. */
  readonly always?: boolean;
}

export function overlaps(a: Box, b: Box, gap = 0): boolean {
  return a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
}

/**
 * The labels to show: greedily by priority, each kept only when it overlaps none kept before
 * (with `gap` pixels between) and none of `blocked` (say, the nodes' circles).
 */
export function placeLabels(candidates: readonly LabelCandidate[], options: { gap?: number; blocked?: readonly Box[]; frame?: Box } = {}): Set<string> {
  return new Set(placeLabelSpots(candidates.map((c) => ({ id: c.id, priority: c.priority, ...(c.always !== undefined ? { always: c.always } : {}), spots: [c] })), options).keys());
}

/** A label that may sit at one of several spots around its mark, the preferred first. */
export interface SpotCandidate {
  readonly id: string;
  readonly priority: number;
  readonly always?: boolean;
  readonly spots: readonly Box[];
}

/** As placeLabels, trying each label's spots in turn: the index of the spot each shown label takes. */
export function placeLabelSpots(candidates: readonly SpotCandidate[], options: { gap?: number; blocked?: readonly Box[]; frame?: Box } = {}): Map<string, number> {
  const gap = options.gap ?? 2;
  const frame = options.frame;
  const sorted = [...candidates].sort((a, b) => Number(b.always ?? false) - Number(a.always ?? false) || b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const placed: Box[] = [];
  const shown = new Map<string, number>();
  for (const c of sorted) {
    const free = (box: Box) => (!frame || inside(box, frame)) && !options.blocked?.some((b) => overlaps(box, b, gap)) && !placed.some((p) => overlaps(box, p, gap));
    let at = c.spots.findIndex(free);
    if (at < 0 && c.always && c.spots.length > 0) at = 0;
    if (at < 0) continue;
    placed.push(c.spots[at]!);
    shown.set(c.id, at);
  }
  return shown;
}

/** Where a label sits around a circle: its box on screen relative to the circle's centre, and where its text is anchored. */
export interface Spot {
  /** x of the text's anchor relative to the circle's centre; the text hangs from the box's top. */
  readonly x: number;
  readonly anchor: 'start' | 'middle' | 'end';
  readonly box: Box;
}

/** The line height of labels, in ems. */
export const LINE_EM = 1.3;

/**
 * The spots around a circle of radius r (screen pixels) for a label of one or more lines: right,
 * left, below, above, the preferred first — away from the centre of the picture when `away` (the
 * circle's direction from it, in radians) is given, so labels on a ring point outwards.
 */
export function spotsAround(r: number, lines: readonly string[], px: number, away?: number): Spot[] {
  const w = Math.max(0, ...lines.map((l) => textWidth(l, px)));
  const h = Math.ceil(px * LINE_EM * Math.max(1, lines.length));
  const pad = 4;
  const right: Spot = { x: r + pad, anchor: 'start', box: { x: r + pad, y: -h / 2, width: w, height: h } };
  const left: Spot = { x: -(r + pad), anchor: 'end', box: { x: -(r + pad) - w, y: -h / 2, width: w, height: h } };
  const below: Spot = { x: 0, anchor: 'middle', box: { x: -w / 2, y: r + 2, width: w, height: h } };
  const above: Spot = { x: 0, anchor: 'middle', box: { x: -w / 2, y: -(r + 2) - h, width: w, height: h } };
  if (away === undefined) return [below, above, right, left];
  const cos = Math.cos(away);
  const sin = Math.sin(away);
  if (cos > 0.35) return [right, sin < 0 ? above : below, sin < 0 ? below : above, left];
  if (cos < -0.35) return [left, sin < 0 ? above : below, sin < 0 ? below : above, right];
  return sin < 0 ? [above, right, left, below] : [below, right, left, above];
}

/** A spot's box moved to the circle's centre (x, y) on screen. */
export function boxAt(spot: Spot, x: number, y: number): Box {
  return { x: x + spot.box.x, y: y + spot.box.y, width: spot.box.width, height: spot.box.height };
}

/** Is the box wholly inside the frame? */
export function inside(box: Box, frame: Box): boolean {
  return box.x >= frame.x && box.y >= frame.y && box.x + box.width <= frame.x + frame.width && box.y + box.height <= frame.y + frame.height;
}

/** A one-line label box centred horizontally on x, its top at y. */
export function boxBelow(x: number, y: number, text: string, px: number): Box {
  const width = textWidth(text, px);
  return { x: x - width / 2, y, width, height: Math.ceil(px * LINE_EM) };
}
