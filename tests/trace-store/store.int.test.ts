import { closeDriver, readQuery, writeQuery } from '../../engine/db/driver';
import { createHmac } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { seal, sealBytes } from '../../engine/identity';
import { secretKey } from '../../engine/secrets';
import { peopleSlice } from '../../engine/trace-store/pages';
import { forgetOpenedTraces, getTraceRecord, getTraceRecordPeople, newTraceId, saveTraceRecord, traceNaming } from '../../engine/trace-store';
import type { TraceResult } from '../../engine/types';
import { newRunId, removeRun } from '../helpers/cleanup';

/** Who a stored trace names, read without unsealing its result. */

const f0 = 'pF0aaaaaaaaaaaaaaaaaaaaaaa';
const f1 = 'pF1bbbbbbbbbbbbbbbbbbbbbbb';
const stranger = 'pXXcccccccccccccccccccccc';
/** The owner of every trace stored here. */
const run = newRunId('trr');

const result = (): TraceResult => ({
  f0,
  params: { from: '2021-08-01T00:00:00.000Z', to: '2021-08-02T00:00:00.000Z', until: '2021-08-02T00:00:00.000Z', depth: 1, toleranceSeconds: 900, mode: 'time-respecting', closeSeconds: 900, closeOnly: false },
  people: [{ id: f1, generation: 1, exposureAt: '2021-08-01T10:00:00.000Z', via: [f0], score: 0.393, class: 'brief' }],
  contacts: [],
  stats: { people: 1, contacts: 0, closePeople: 0, milliseconds: 1 },
});

async function store(): Promise<string> {
  const id = newTraceId();
  const r = result();
  await saveTraceRecord({ id, owner: run, requestRef: 'REQ-1', purpose: 'test', createdAt: Date.now(), f0, params: r.params, stats: r.stats, peopleFound: 1, truncated: false }, r);
  return id;
}

const members = async (id: string): Promise<string[]> => {
  const [m] = await readQuery('MATCH (t:TraceRecord {id: $id}) RETURN t.members AS m', { id }, (r) => r['m'] as string[]);
  return m ?? [];
};

afterAll(async () => {
  await removeRun(run);
  await closeDriver();
});

describe('trace membership', () => {
  it('names F0 and the people kept, and nobody else', async () => {
    const id = await store();
    expect((await traceNaming(id, f0))?.names).toBe(true);
    expect((await traceNaming(id, f1))?.names).toBe(true);
    expect((await traceNaming(id, stranger))?.names).toBe(false);
    expect(await traceNaming(newTraceId(), f0)).toBeUndefined();
  });

  it('stores keyed digests per trace: no person id, and the same person differs across traces', async () => {
    const ma = await members(await store());
    const mb = await members(await store());
    expect(ma).toHaveLength(2);
    expect(ma.join(' ')).not.toContain(f0.slice(1, 12));
    expect(ma.join(' ')).not.toContain(f1.slice(1, 12));
    expect(ma.filter((d) => mb.includes(d))).toEqual([]);
  });

  it('names nobody once retention removed the result', async () => {
    const id = await store();
    await writeQuery('MATCH (t:TraceRecord {id: $id}) SET t.result = null, t.members = null', { id }, () => undefined);
    const got = await traceNaming(id, f1);
    expect(got?.meta.hasResult).toBe(false);
    expect(got?.names).toBe(false);
  });

  it('still reads digests of the first version (an HMAC per person), stored before per-trace keys', async () => {
    const id = await store();
    // Version 1 as it was written: HMAC(TRUYVET_DATA_KEY, "trace-member", trace, person), 22 characters.
    const v1 = (pid: string) => createHmac('sha256', secretKey('TRUYVET_DATA_KEY')).update(`trace-member\u0000${id}\u0000${pid}`).digest('base64url').slice(0, 22);
    await writeQuery('MATCH (t:TraceRecord {id: $id}) SET t.members = $m REMOVE t.membersV', { id, m: [v1(f0), v1(f1)] }, () => undefined);
    expect((await traceNaming(id, f1))?.names).toBe(true);
    expect((await traceNaming(id, f0))?.names).toBe(true);
    expect((await traceNaming(id, stranger))?.names).toBe(false);
    // And a version-2 list is not read as version 1.
    const id2 = await store();
    await writeQuery('MATCH (t:TraceRecord {id: $id}) SET t.members = $m', { id: id2, m: [v1(f1)] }, () => undefined);
    expect((await traceNaming(id2, f1))?.names).toBe(false);
  });

  it('falls back to the sealed result for a trace stored before membership digests', async () => {
    const id = await store();
    await writeQuery('MATCH (t:TraceRecord {id: $id}) REMOVE t.members', { id }, () => undefined);
    expect(await members(id)).toEqual([]);
    expect((await traceNaming(id, f1))?.names).toBe(true);
    expect((await traceNaming(id, stranger))?.names).toBe(false);
  });
});

describe('the stored result', () => {
  const stored = async (id: string): Promise<unknown> => {
    const [r] = await readQuery('MATCH (t:TraceRecord {id: $id}) RETURN t.result AS r', { id }, (x): unknown => x['r']);
    return r;
  };

  it('is the compressed encoding, sealed: no person id readable in the graph, the same result read back', async () => {
    const id = await store();
    const raw = await stored(id);
    expect(typeof raw).toBe('string');
    expect(String(raw).startsWith('c.v1.')).toBe(true);
    expect(raw).not.toContain(f0.slice(1, 12));
    expect(raw).not.toContain(f1.slice(1, 12));
    expect((await getTraceRecord(id, true))?.result).toStrictEqual(result());
  });

  it('still reads a result stored as compressed, sealed JSON', async () => {
    const id = await store();
    const old = `z.${sealBytes(deflateRawSync(JSON.stringify(result())))}`;
    await writeQuery('MATCH (t:TraceRecord {id: $id}) SET t.result = $r', { id, r: old }, () => undefined);
    expect(await stored(id)).toBe(old);
    expect((await getTraceRecord(id, true))?.result).toStrictEqual(result());
  });

  it('still reads a result stored before compression (sealed JSON)', async () => {
    const id = await store();
    await writeQuery('MATCH (t:TraceRecord {id: $id}) SET t.result = $r', { id, r: seal(JSON.stringify(result())) }, () => undefined);
    expect(String(await stored(id)).startsWith('v1.')).toBe(true);
    expect((await getTraceRecord(id, true))?.result).toStrictEqual(result());
  });

  const bigResult = (): TraceResult => ({
    ...result(),
    // pP1…pP5 are close (each has a contact of 15 minutes or more: i = 15…19), pP0 and pP6 brief.
    people: Array.from({ length: 7 }, (_, i) => ({ id: `pP${i}`, generation: 1 + (i % 2), exposureAt: `2021-08-01T10:0${i}:00.000Z`, via: [f0], score: 0.1 * i, class: i >= 1 && i <= 5 ? ('close' as const) : ('brief' as const) })),
    contacts: Array.from({ length: 20 }, (_, i) => ({
      source: f0,
      target: `pP${i % 7}`,
      stationId: `S${i % 3}`,
      at: `2021-08-01T10:${10 + i}:00.000Z`,
      overlapSeconds: i * 60,
      generation: 1,
      passages: [`a${i}`, `b${i}`] as [string, string],
      class: i * 60 >= 900 ? ('close' as const) : ('brief' as const),
    })),
    stats: { people: 7, contacts: 20, closePeople: 5, milliseconds: 3 },
  });

  it('reads a result stored as JSON before close contacts with its classes: 15 minutes, every contact, people close by their contacts', async () => {
    const big = bigResult();
    const { closeSeconds: _s, closeOnly: _o, ...oldParams } = big.params;
    const { closePeople: _n, ...oldStats } = big.stats;
    const old = { ...big, params: oldParams, stats: oldStats, people: big.people.map(({ class: _c, ...p }) => p), contacts: big.contacts.map(({ class: _c, ...c }) => c) };
    const id = await store();
    await writeQuery('MATCH (t:TraceRecord {id: $id}) SET t.result = $r', { id, r: `z.${sealBytes(deflateRawSync(JSON.stringify(old)))}` }, () => undefined);
    forgetOpenedTraces();
    expect((await getTraceRecord(id, true))?.result).toEqual(big);
  });

  it('gives a page of people with their contacts, in the current and an older form alike', async () => {
    const big = bigResult();
    const id = newTraceId();
    await saveTraceRecord({ id, owner: run, requestRef: 'REQ-2', purpose: 'test', createdAt: Date.now(), f0, params: big.params, stats: big.stats, peopleFound: 7, truncated: false }, big);
    const got = await getTraceRecordPeople(id, 3, 6);
    expect(got?.meta.requestRef).toBe('REQ-2');
    expect(got?.slice).toStrictEqual(peopleSlice(big, 3, 6));
    expect(got?.slice?.result.contacts).toHaveLength(9);
    expect(got?.slice?.totalPeople).toBe(7);

    await writeQuery('MATCH (t:TraceRecord {id: $id}) SET t.result = $r', { id, r: `z.${sealBytes(deflateRawSync(JSON.stringify(big)))}` }, () => undefined);
    forgetOpenedTraces(); // else the page comes from the result kept open, not from the older form
    expect((await getTraceRecordPeople(id, 3, 6))?.slice).toStrictEqual(peopleSlice(big, 3, 6));
    await writeQuery('MATCH (t:TraceRecord {id: $id}) SET t.result = null', { id }, () => undefined);
    expect(await getTraceRecordPeople(id, 0, 5)).toMatchObject({ meta: { id, hasResult: false }, slice: undefined });
    expect(await getTraceRecordPeople(newTraceId(), 0, 5)).toBeUndefined();
  });

  it('keeps a result open from its storing and between its pages, and never serves one that retention removed', async () => {
    const big = bigResult();
    const id = newTraceId();
    await saveTraceRecord({ id, owner: run, requestRef: 'REQ-3', purpose: 'test', createdAt: Date.now(), f0, params: big.params, stats: big.stats, peopleFound: 7, truncated: false }, big);
    const sealed = await stored(id);
    const pages: [number, number][] = [[0, 3], [3, 6], [6, 9]];
    // Stored, it is open already: the stored result is not read while it stays open, so spoiling
    // it changes nothing...
    await writeQuery('MATCH (t:TraceRecord {id: $id}) SET t.result = $r', { id, r: 'c.v1.spoiled' }, () => undefined);
    for (const [a, b] of pages) expect((await getTraceRecordPeople(id, a, b))?.slice).toStrictEqual(peopleSlice(big, a, b));
    // ...and once let go and opened again from what is stored, pages keep it open the same way...
    forgetOpenedTraces();
    await writeQuery('MATCH (t:TraceRecord {id: $id}) SET t.result = $r', { id, r: sealed }, () => undefined);
    for (const [a, b] of pages) expect((await getTraceRecordPeople(id, a, b))?.slice).toStrictEqual(peopleSlice(big, a, b));
    await writeQuery('MATCH (t:TraceRecord {id: $id}) SET t.result = $r', { id, r: 'c.v1.spoiled' }, () => undefined);
    for (const [a, b] of pages) expect((await getTraceRecordPeople(id, a, b))?.slice).toStrictEqual(peopleSlice(big, a, b));
    // ...until it is let go, and the next page reads what is stored.
    forgetOpenedTraces();
    await expect(getTraceRecordPeople(id, 0, 3)).rejects.toThrow();
    await writeQuery('MATCH (t:TraceRecord {id: $id}) SET t.result = $r', { id, r: sealed }, () => undefined);
    expect((await getTraceRecordPeople(id, 0, 3))?.slice).toStrictEqual(peopleSlice(big, 0, 3));
    // Retention removes the result of an open trace: its pages are gone at once, from memory too.
    await writeQuery('MATCH (t:TraceRecord {id: $id}) SET t.result = null', { id }, () => undefined);
    expect(await getTraceRecordPeople(id, 3, 6)).toMatchObject({ meta: { id, hasResult: false }, slice: undefined });
    await writeQuery('MATCH (t:TraceRecord {id: $id}) SET t.result = $r', { id, r: 'c.v1.spoiled' }, () => undefined);
    await expect(getTraceRecordPeople(id, 3, 6)).rejects.toThrow();
  });
});
