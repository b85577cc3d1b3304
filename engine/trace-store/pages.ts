import type { ShapedTrace } from '../trace/assemble';
import type { TraceResult } from '../types';

/**
 * Paging and the result cap of stored traces. Pure. People keep the engine's order (generation,
 * then exposure time); a page carries its people and the contacts that reached them, so each
 * person on a page comes with all of their evidence. `stats` stays the whole result's.
 */

/** The first `maxPeople` people (the earliest generations and exposures) and only the contacts among them and F0. */
export function capResult<T extends ShapedTrace>(result: T, maxPeople: number): { result: T; truncated: boolean } {
  if (result.people.length <= maxPeople) return { result, truncated: false };
  const people = result.people.slice(0, maxPeople);
  const kept = new Set([result.head.f0, ...people.map((p) => p.id)]);
  const contacts = result.contacts.filter((c) => kept.has(c.source) && kept.has(c.target));
  return { result: { ...result, people, contacts }, truncated: true };
}

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

/** Where a page stands in the whole result. */
export interface PageNumbers {
  readonly number: number;
  readonly size: number;
  readonly totalPeople: number;
  readonly totalPages: number;
}

export interface TracePageOf {
  readonly people: TraceResult['people'];
  readonly contacts: TraceResult['contacts'];
  readonly page: PageNumbers;
}

/** Page `number` (from 1) of `size` people: the people it holds by position, and their contacts. */
export function pageRange(number: number, size: number): [number, number] {
  return [(number - 1) * size, number * size];
}

/** A page from the slice of the result that holds its people (see pageRange). */
export function pageFromSlice(slice: PeopleSlice, number: number, size: number): TracePageOf {
  const totalPages = Math.max(1, Math.ceil(slice.totalPeople / size));
  return { people: slice.result.people, contacts: slice.result.contacts, page: { number, size, totalPeople: slice.totalPeople, totalPages } };
}
