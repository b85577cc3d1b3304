import { endianness } from 'node:os';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { sealBytes, unseal, unsealBytes } from '../identity';
import { scoreOf, type Edge, type Reached, type ShapedTrace } from '../trace/assemble';
import { isoUtc } from '../time';
import type { TraceContact, TracePerson, TraceResult } from '../types';
import type { PeopleSlice } from './pages';

/**
 * A TraceResult as compact bytes, sealed, for the stored trace records (store.ts).
 *
 * A depth-2 trace of the API benchmark holds ~6,000 people and ~85,000 contact edges: 16 MB of
 * JSON that repeats each person id, station id, passage id and instant thousands of times.
 * Stringifying, deflating and sending it to Neo4j took the server as long as the trace itself
 * (docs/benchmarks.md, "What was tried"). Here every distinct string is written once, in a table, and the
 * people and contacts become columns of indexes into it (and doubles for scores and overlaps):
 * the same result, exactly, with no number formatting and no quoting on the way in or out.
 *
 * Layout (little-endian): u32 MAGIC, u32 header length, the header (JSON: the result's other
 * fields, the string table and the counts), zero padding to 8 bytes, the Float64 columns, then
 * the Int32 columns. sealTrace() compresses and seals it (the end of this file).
 *
 * A result of another kind (an outbreak run, engine/outbreak-store) keeps its people and contacts
 * in exactly these columns and adds its own after them (an `Extension`: more Float64 and Int32
 * cells, counted in the header's `ext`), with its strings in the same table: one encoding of
 * people and contacts, whatever else a kind of result holds.
 */

const MAGIC = 0x32525654; // "TVR2"

/** A trace result's fields but its people and contacts (the head a trace record's header holds). */
export type TraceHeadFields = Omit<TraceResult, 'people' | 'contacts'>;

interface Header<H extends object = TraceHeadFields> {
  /** Every field of the result but people and contacts (f0, params, stats, sensitivity…; another kind's own). */
  head: H;
  strings: string[];
  people: number;
  contacts: number;
  via: number;
  /** String indexes of the passages that are lower-trust evidence (national QR); absent: none (and in records stored before). */
  national?: number[];
  /** Cells of another kind's own columns after the people's and contacts' (Extension); absent: none. */
  ext?: { floats: number; ints: number };
}

/** Writes another kind's own columns (see the layout above). */
export interface ExtensionWriter {
  /** The string's index in the result's table, added on first use. */
  ref(s: string): number;
  /** The index of an instant (epoch ms) written as its ISO text, each distinct instant once. */
  when(ms: number): number;
  /** The extension's own cells, zero-filled, to fill. */
  readonly floats: Float64Array;
  readonly ints: Int32Array;
}

/** Columns of another kind of result, after the people and contacts: how many cells, and what goes in them. */
export interface Extension {
  readonly floats: number;
  readonly ints: number;
  fill(w: ExtensionWriter): void;
}

function littleEndianOnly(): void {
  // The columns are written as typed arrays, in the machine's byte order.
  if (endianness() !== 'LE') throw new Error('trace records are stored little-endian; this machine is big-endian');
}

/** True if `bytes` (once inflated) is an encoded result. */
export function isEncodedTrace(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && Buffer.from(bytes.buffer, bytes.byteOffset, 4).readUInt32LE(0) === MAGIC;
}

export function encodeTraceResult(result: TraceResult): Buffer {
  return encodeTrace(result).bytes;
}

/**
 * The encoding, and the same result already opened for pages (what openTrace() of the bytes
 * gives), from the columns the encoding is made of: a trace just stored is usually read next.
 */
export function encodeTrace(result: TraceResult): { bytes: Buffer; opened: OpenedTrace } {
  const { people, contacts, ...head } = result;
  let via = 0;
  for (const p of people) via += p.via.length;
  const national = new Set<string>();
  for (const c of contacts) {
    if (c.trust === undefined) continue;
    if (c.trust[0] === 'national') national.add(c.passages[0]);
    if (c.trust[1] === 'national') national.add(c.passages[1]);
  }
  return encodeColumns<TraceHeadFields>(head, people.length, contacts.length, via, national, (w) => {
    for (const p of people) w.person(w.ref(p.id), p.generation, w.ref(p.exposureAt), p.via, p.score);
    for (const c of contacts) w.contact(w.ref(c.source), w.ref(c.target), w.ref(c.stationId), w.ref(c.at), c.generation, w.ref(c.passages[0]), w.ref(c.passages[1]), c.overlapSeconds);
  });
}

/**
 * encodeTrace(resultOf(shaped)), without building the result's objects: instants are formatted
 * once per distinct instant, scores computed from the evidence. Decodes to exactly resultOf(shaped).
 */
export function encodeShapedTrace(shaped: ShapedTrace): { bytes: Buffer; opened: OpenedTrace } {
  return encodeShaped<TraceHeadFields>(shaped.head, shaped.people, shaped.contacts, shaped.national);
}

/**
 * encodeShapedTrace() of people and contacts under any head, with another kind's own columns
 * after them (`ext`): what an outbreak run stores (engine/outbreak-store/codec.ts).
 */
export function encodeShaped<H extends object>(
  head: H,
  people: readonly Reached[],
  contacts: readonly Edge[],
  nationalPassages: ReadonlySet<string> | undefined,
  ext?: Extension,
): { bytes: Buffer; opened: OpenedTrace<H> } {
  let via = 0;
  for (const p of people) via += p.via.length;
  // Only passages a contact names (resultOf marks contacts by them, and encodeTrace reads them back from the contacts).
  const national = new Set<string>();
  if (nationalPassages !== undefined && nationalPassages.size > 0) {
    for (const c of contacts) {
      if (nationalPassages.has(c.passages[0])) national.add(c.passages[0]);
      if (nationalPassages.has(c.passages[1])) national.add(c.passages[1]);
    }
  }
  return encodeColumns(
    head,
    people.length,
    contacts.length,
    via,
    national,
    (w) => {
      for (const p of people) w.person(w.ref(p.id), p.generation, w.when(p.exposureAt), p.via, scoreOf(p));
      for (const c of contacts) w.contact(w.ref(c.source), w.ref(c.target), w.ref(c.stationId), w.when(c.at), c.generation, w.ref(c.passages[0]), w.ref(c.passages[1]), c.overlapMs / 1000);
    },
    ext,
  );
}

/** Fills the columns, in the result's order: every person, then every contact. */
interface ColumnWriter {
  /** The string's index in the table, added on first use. */
  ref(s: string): number;
  /** The index of an instant's ISO text, formatted once per distinct instant. */
  when(ms: number): number;
  person(id: number, generation: number, exposureAt: number, via: readonly string[], score: number): void;
  contact(source: number, target: number, stationId: number, at: number, generation: number, passage0: number, passage1: number, overlapSeconds: number): void;
}

function encodeColumns<H extends object>(
  head: H,
  n: number,
  m: number,
  via: number,
  national: ReadonlySet<string>,
  fill: (w: ColumnWriter) => void,
  ext?: Extension,
): { bytes: Buffer; opened: OpenedTrace<H> } {
  littleEndianOnly();
  const index = new Map<string, number>();
  const strings: string[] = [];
  const ref = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  const instants = new Map<number, number>();
  const when = (ms: number): number => {
    let k = instants.get(ms);
    if (k === undefined) {
      k = ref(isoUtc(ms));
      instants.set(ms, k);
    }
    return k;
  };
  const extFloats = ext?.floats ?? 0;
  const extInts = ext?.ints ?? 0;
  const floats = new Float64Array(n + m + extFloats);
  const ints = new Int32Array(4 * n + via + 7 * m + extInts);
  const c0 = 4 * n + via;
  let i = 0;
  let j = 0;
  let v = 4 * n;
  fill({
    ref,
    when,
    person(id, generation, exposureAt, list, score) {
      ints[i] = id;
      ints[n + i] = generation;
      ints[2 * n + i] = exposureAt;
      ints[3 * n + i] = list.length;
      for (const s of list) ints[v++] = ref(s);
      floats[i++] = score;
    },
    contact(source, target, stationId, at, generation, passage0, passage1, overlapSeconds) {
      ints[c0 + j] = source;
      ints[c0 + m + j] = target;
      ints[c0 + 2 * m + j] = stationId;
      ints[c0 + 3 * m + j] = at;
      ints[c0 + 4 * m + j] = generation;
      ints[c0 + 5 * m + j] = passage0;
      ints[c0 + 6 * m + j] = passage1;
      floats[n + j++] = overlapSeconds;
    },
  });
  if (i !== n || j !== m || v !== c0) throw new Error('trace encoding: the columns were not filled as counted');
  ext?.fill({ ref, when, floats: floats.subarray(n + m), ints: ints.subarray(c0 + 7 * m) });

  // After the contacts: a national passage is in the table once a contact names it.
  const nationalRefs: number[] = [];
  for (const id of national) {
    const i = index.get(id);
    if (i !== undefined) nationalRefs.push(i);
  }
  const header: Header<H> = {
    head,
    strings,
    people: n,
    contacts: m,
    via,
    ...(nationalRefs.length > 0 ? { national: nationalRefs.sort((a, b) => a - b) } : {}),
    ...(ext !== undefined ? { ext: { floats: extFloats, ints: extInts } } : {}),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const start = align8(8 + json.length);
  const out = Buffer.alloc(start + floats.byteLength + ints.byteLength);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(json.length, 4);
  json.copy(out, 8);
  out.set(new Uint8Array(floats.buffer), start);
  out.set(new Uint8Array(ints.buffer), start + floats.byteLength);
  // The head as the bytes give it back (JSON drops undefined fields), and none of the caller's objects.
  const opened: Columns<H> = { h: { ...header, head: JSON.parse(JSON.stringify(head)) as H }, floats, ints, s: stringAt(strings) };
  return { bytes: out, opened: { size: out.length + floats.byteLength + ints.byteLength, columns: opened } };
}

/** The decoded columns (internal to this codec; OpenedTrace carries them between pages). */
export interface Columns<H extends object = TraceHeadFields> {
  readonly h: Header<H>;
  readonly floats: Float64Array;
  readonly ints: Int32Array;
  readonly s: (i: number) => string;
}

/** Another kind's own columns of an opened result (what its Extension filled), and the string table. */
export function extensionOf<H extends object>(opened: OpenedTrace<H>): { head: H; floats: Float64Array; ints: Int32Array; s: (i: number) => string } {
  const { h, floats, ints, s } = opened.columns;
  return { head: h.head, floats: floats.subarray(h.people + h.contacts), ints: ints.subarray(4 * h.people + h.via + 7 * h.contacts), s };
}

function columns<H extends object>(bytes: Uint8Array): Columns<H> {
  littleEndianOnly();
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (!isEncodedTrace(buf)) throw new Error('not an encoded trace result');
  const jsonLength = buf.readUInt32LE(4);
  const h = JSON.parse(buf.toString('utf8', 8, 8 + jsonLength)) as Header<H>;
  const { people: n, contacts: m, via, strings } = h;
  const start = align8(8 + jsonLength);
  const floats = new Float64Array(n + m + (h.ext?.floats ?? 0));
  const ints = new Int32Array(4 * n + via + 7 * m + (h.ext?.ints ?? 0));
  if (buf.length !== start + floats.byteLength + ints.byteLength) throw new Error('truncated trace result');
  // Copied out rather than viewed: the source need not be 8-byte aligned.
  new Uint8Array(floats.buffer).set(buf.subarray(start, start + floats.byteLength));
  new Uint8Array(ints.buffer).set(buf.subarray(start + floats.byteLength));
  return { h, floats, ints, s: stringAt(strings) };
}

function stringAt(strings: readonly string[]): (i: number) => string {
  return (i) => {
    const x = strings[i];
    if (x === undefined) throw new Error('corrupt trace result: string index out of range');
    return x;
  };
}

/** People [from, to) of the encoded result (by position). */
function peopleOf(c: Columns<object>, from: number, to: number): TracePerson[] {
  const { h, floats, ints, s } = c;
  const n = h.people;
  let v = 4 * n;
  for (let i = 0; i < from; i++) v += ints[3 * n + i]!;
  const people: TracePerson[] = [];
  for (let i = from; i < to; i++) {
    const list: string[] = new Array<string>(ints[3 * n + i]!);
    for (let k = 0; k < list.length; k++) list[k] = s(ints[v++]!);
    people.push({ id: s(ints[i]!), generation: ints[n + i]!, exposureAt: s(ints[2 * n + i]!), via: list, score: floats[i]! });
  }
  return people;
}

/** The contacts whose target's string index passes `keep` (every one when undefined), in order. */
function contactsOf(c: Columns<object>, keep?: Uint8Array): TraceContact[] {
  const { h, floats, ints, s } = c;
  const n = h.people;
  const m = h.contacts;
  const c0 = 4 * n + h.via;
  const national = h.national === undefined ? undefined : new Set(h.national);
  const contacts: TraceContact[] = [];
  for (let i = 0; i < m; i++) {
    const target = ints[c0 + m + i]!;
    if (keep !== undefined && keep[target] !== 1) continue;
    const p0 = ints[c0 + 5 * m + i]!;
    const p1 = ints[c0 + 6 * m + i]!;
    const contact: TraceContact = {
      source: s(ints[c0 + i]!),
      target: s(target),
      stationId: s(ints[c0 + 2 * m + i]!),
      at: s(ints[c0 + 3 * m + i]!),
      overlapSeconds: floats[n + i]!,
      generation: ints[c0 + 4 * m + i]!,
      passages: [s(p0), s(p1)],
    };
    if (national !== undefined && (national.has(p0) || national.has(p1))) contact.trust = [national.has(p0) ? 'national' : 'standard', national.has(p1) ? 'national' : 'standard'];
    contacts.push(contact);
  }
  return contacts;
}

export function decodeTraceResult(bytes: Uint8Array): TraceResult {
  const c = columns<TraceHeadFields>(bytes);
  return { ...c.h.head, people: peopleOf(c, 0, c.h.people), contacts: contactsOf(c) };
}

/**
 * A page without the rest: people [from, to) by position, and every contact into one of them, in
 * the stored order: peopleSlice() of the whole result. A large trace is read page by page (the view loads them all),
 * and building the whole result for each page made that quadratic.
 */
export function decodeTracePeople(bytes: Uint8Array, from: number, to: number): PeopleSlice {
  return openedTracePeople(openTrace(bytes), from, to);
}

/** An encoded result read once for many pages: its header parsed, its columns copied out. */
export interface OpenedTrace<H extends object = TraceHeadFields> {
  /** What it holds in memory, roughly, in bytes. */
  readonly size: number;
  readonly columns: Columns<H>;
}

export function openTrace<H extends object = TraceHeadFields>(bytes: Uint8Array): OpenedTrace<H> {
  const c = columns<H>(bytes);
  return { size: bytes.length + c.floats.byteLength + c.ints.byteLength, columns: c };
}

/** decodeTracePeople() of an opened result. */
export function openedTracePeople(opened: OpenedTrace, from: number, to: number): PeopleSlice {
  const s = openedPeople(opened, from, to);
  return { result: { ...opened.columns.h.head, people: s.people, contacts: s.contacts }, totalPeople: s.total };
}

/**
 * People [from, to) of an opened result of any kind, clamped (`lo`, `hi`: the positions taken),
 * with every contact into one of them, in the stored order; `total`: people in the result.
 */
export function openedPeople(opened: OpenedTrace<object>, from: number, to: number): { people: TracePerson[]; contacts: TraceContact[]; total: number; lo: number; hi: number } {
  const c = opened.columns;
  const total = c.h.people;
  const lo = Math.min(Math.max(0, from), total);
  const hi = Math.min(Math.max(lo, to), total);
  const keep = new Uint8Array(c.h.strings.length);
  for (let i = lo; i < hi; i++) keep[c.ints[i]!] = 1;
  return { people: peopleOf(c, lo, hi), contacts: contactsOf(c, keep), total, lo, hi };
}

/** Every contact of an opened result of any kind, in the stored order. */
export function openedContacts(opened: OpenedTrace<object>): TraceContact[] {
  return contactsOf(opened.columns);
}

function align8(x: number): number {
  return (x + 7) & ~7;
}

// ---- the sealed form -----------------------------------------------------------------------------

// A stored result is `c.` + the compact encoding above, deflated, then sealed (sealBytes). Two
// older forms are still read: `z.` + deflated JSON, sealed, and sealed JSON. On the API
// benchmark's depth-2 traces (~6,000 people, ~85,000 contact edges) the JSON form cost ~230 ms
// of server time per trace to build and store, as much as the trace itself (docs/benchmarks.md,
// "What was tried"). A base64 string rather than a byte array: neo4j-driver packs and unpacks a
// byte array one byte at a time, and reading 10 MB of them took 2.5 s against 88 ms as a string.
// Compressing before encrypting leaks the compressed size, which only the server sees.
const ENCODED = 'c.';
const DEFLATED = 'z.';

/** The sealed text stored for encoded bytes (encodeTrace, encodeShapedTrace). */
export function sealTrace(bytes: Buffer): string {
  return ENCODED + sealBytes(deflateRawSync(bytes, { level: 1 }));
}

/** The encoded bytes of a sealed result in the current form; undefined for an older form. */
export function unsealedBytes(sealed: string): Buffer | undefined {
  return sealed.startsWith(ENCODED) ? inflateRawSync(unsealBytes(sealed.slice(ENCODED.length))) : undefined;
}

/** A sealed result of any form, whole. */
export function unsealTrace(sealed: string): TraceResult {
  const bytes = unsealedBytes(sealed);
  if (bytes) return decodeTraceResult(bytes);
  const json = sealed.startsWith(DEFLATED) ? inflateRawSync(unsealBytes(sealed.slice(DEFLATED.length))).toString('utf8') : unseal(sealed);
  return JSON.parse(json) as TraceResult;
}
