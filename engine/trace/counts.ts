/**
 * People per generation, counted here only: the sensitivity panel's rows, the audit's details of
 * a trace (API and CLI alike) and the command line's summary line all read these counts.
 */

type People = { readonly people: readonly { readonly generation: number }[] };

/** People per generation, keyed "1", "2", …; with `depth`, every generation from 1 to depth, zeros included. */
export function generationCounts(r: People, depth?: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let g = 1; g <= (depth ?? 0); g++) counts[String(g)] = 0;
  for (const p of r.people) counts[String(p.generation)] = (counts[String(p.generation)] ?? 0) + 1;
  return counts;
}

/** The audit's form of the counts: `{f1: n, f2: n, …}`, only generations that reached someone. */
export function peoplePerGeneration(r: People): Record<string, number> {
  return Object.fromEntries(Object.entries(generationCounts(r)).map(([g, n]) => [`f${g}`, n]));
}
