/**
 * A roving tab stop (WAI-ARIA "roving tabindex"): a set of items is one Tab stop, and the arrow
 * keys move between its items in a fixed order. The graph uses its drawn people in the people
 * list's order — F0, then by generation, then by exposure time — because a radial layout has no
 * left or right a keyboard user could predict, while the list's order is printed next to it.
 * Pure (no DOM).
 */

/**
 * The item the key moves to from `current`, or undefined when the key does not move (the
 * caller then leaves the event alone). Right/Down go to the next item and Left/Up to the
 * previous one, stopping at the ends (Home and End jump there); an unknown `current` starts
 * from the first item.
 */
export function rovingTarget(ids: readonly string[], current: string | undefined, key: string): string | undefined {
  if (ids.length === 0) return undefined;
  const at = current === undefined ? -1 : ids.indexOf(current);
  switch (key) {
    case 'Home':
      return ids[0];
    case 'End':
      return ids[ids.length - 1];
    case 'ArrowRight':
    case 'ArrowDown':
      return at < 0 ? ids[0] : ids[Math.min(ids.length - 1, at + 1)];
    case 'ArrowLeft':
    case 'ArrowUp':
      return at < 0 ? ids[0] : ids[Math.max(0, at - 1)];
    default:
      return undefined;
  }
}

/** The item that holds the Tab stop: the first of `preferred` that is among `ids`, else the first item. */
export function tabStop(ids: readonly string[], ...preferred: readonly (string | undefined)[]): string | undefined {
  for (const id of preferred) if (id !== undefined && ids.includes(id)) return id;
  return ids[0];
}
