import type { TraceResult } from '../types';

/** A slice of a trace's people, [from, to) by position, with every contact into one of them: a page's share. */
export interface PeopleSlice {
  /** The result with only those people and their contacts (f0, params, stats… whole). */
  readonly result: TraceResult;
  /** People in the whole result. */
  readonly totalPeople: number;
}

/** People [from, to) of `result` by position and the contacts whose target is one of them, in order. */
export function peopleSlice(result: TraceResult, from: number, to: number): PeopleSlice {
  const people = result.people.slice(from, to);
  const ids = new Set(people.map((p) => p.id));
  return { result: { ...result, people, contacts: result.contacts.filter((c) => ids.has(c.target)) }, totalPeople: result.people.length };
}
