import fs from 'node:fs';
import { registerTracedCases } from '../../engine/cases';
import { clearOutbreakResults } from '../../engine/db/outbreaks';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { conflict, unavailable } from '../../engine/errors';
import { unsealedBytes } from '../../engine/trace-store/codec';
import { outbreakTrace } from '../../engine/outbreak';
import { createRun, executeRun, forgetOpenedRuns, newOutbreakRunId, outbreakRunResult, readRun, readRunPage, type NewOutbreakRun } from '../../engine/outbreak-store';
import type { OutbreakRequest } from '../../engine/outbreak/request';
import type { OutbreakCase } from '../../engine/types';
import { runProvince } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { tempDir } from '../helpers/imports';
import { loadTinyCity, type TinyCity } from '../helpers/tiny';

/**
 * Stored outbreak runs (engine/outbreak-store) over the tiny city: the result sealed and paged,
 * the run written to the graph with pseudonymous ids only (one CONTACT per pair, a LINKED per
 * link, TRACED cases), a second run beside the first, cancelled and failed runs leaving nothing in
 * the graph, and retention removing results and CONTACT relationships.
 */

const run = newRunId('obs');
const province = runProvince();
let other = runProvince();
while (other === province) other = runProvince();
const dir = tempDir('outbreak-store');
let city: TinyCity;
const DAY = 86_400_000;

const REQUEST: OutbreakRequest = { selection: {}, depth: 2, toleranceSeconds: 900, mode: 'time-respecting', closeOnly: false };
const newRun = (over: Partial<NewOutbreakRun> = {}): NewOutbreakRun => ({
  id: newOutbreakRunId(),
  owner: `${run}-tracer`,
  requestRef: 'SYT-2021/0815',
  purpose: 'outbreak store test',
  createdAt: Date.now(),
  source: 'api',
  instance: `${run}.1`,
  scope: { province },
  ...over,
});
const now = () => Date.now();

async function stored(cases: readonly OutbreakCase[] = city.cases, over: Partial<NewOutbreakRun> = {}, request = REQUEST) {
  const { meta, params } = await createRun(newRun(over), cases, request);
  const outcome = await executeRun(meta.id, params, { now });
  return { id: meta.id, params, outcome };
}

const count = async (cypher: string, params: Record<string, unknown>): Promise<number> => (await readQuery(cypher, params, (r) => Number(r['n'])))[0] ?? 0;
const contactsOf = (id: string) => count('MATCH ()-[c:CONTACT]->() WHERE c.run = $id RETURN count(c) AS n', { id });
const linkedOf = (id: string) => count('MATCH ()-[l:LINKED]->() WHERE l.run = $id RETURN count(l) AS n', { id });

beforeAll(async () => {
  city = await loadTinyCity(run, province, dir);
  await registerTracedCases(city.cases, { by: `${run}-setup`, now: Date.now(), source: 'test' });
});
afterAll(async () => {
  await removeRun(run, { people: city.people });
  await closeDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a stored run', () => {
  let id = '';
  beforeAll(async () => {
    const r = await stored();
    expect(r.outcome.status).toBe('done');
    id = r.id;
  });

  it('keeps the OutbreakResult the engine gives, with its record done and counted', async () => {
    const expected = await outbreakTrace({ cases: city.cases, depth: 2 });
    forgetOpenedRuns();
    const got = await outbreakRunResult(id);
    expect({ ...got, stats: { ...got!.stats, milliseconds: 0 } }).toEqual({ ...expected, stats: { ...expected.stats, milliseconds: 0 } });
    const { meta, cases } = (await readRun(id))!;
    expect(meta).toMatchObject({ status: 'done', caseCount: 8, hasResult: true, progress: { phase: 'ended', generation: 3 }, stats: { people: expected.stats.people, links: expected.stats.links, clusters: 1 } });
    expect(cases).toEqual(city.cases.map((c) => c.caseId).sort());
    // Its cluster holds the fixture's planted one, with its index case (unplanted people of this dense city may join more at depth 2).
    const planted = city.expected.clusters[0]!;
    expect(got!.clusters).toHaveLength(1);
    expect(got!.clusters[0]!.index).toBe(city.caseId(planted.index));
    expect(got!.clusters[0]!.cases).toEqual(expect.arrayContaining(planted.cases.map(city.caseId)));
  });

  it('is sealed: the stored text names no person, case, station or passage, and the unsealed result no raw key', async () => {
    const [sealed] = await readQuery('MATCH (r:OutbreakRun {id: $id}) RETURN r.result AS s', { id }, (r) => r['s'] as string);
    const result = (await outbreakRunResult(id))!;
    for (const needle of [run, city.pid(city.people[0]!.slice(run.length)), result.people[0]!.id, 'C-7-0008', 'ST0004']) expect(sealed).not.toContain(needle);
    const text = unsealedBytes(sealed!)!.toString('latin1');
    expect(text).toContain(result.people[0]!.id);
    for (const k of city.people) expect(text).not.toContain(k);
  });

  it('is read a page at a time: people with their cases and the contacts into them, links and clusters on page 1, identities by the reader’s jurisdiction', async () => {
    const whole = (await outbreakRunResult(id))!;
    const owner = { username: `${run}-tracer`, role: 'tracer' as const, jurisdiction: { province } };
    const p1 = await readRunPage(id, 1, 5, owner);
    const p2 = await readRunPage(id, 2, 5, owner);
    if (p1?.kind !== 'page' || p2?.kind !== 'page') throw new Error('no page');
    expect(p1.page.people).toEqual(whole.people.slice(0, 5));
    expect(p2.page.people).toEqual(whole.people.slice(5, 10));
    const ids = new Set(p2.page.people.map((p) => p.id));
    expect(p2.page.contacts).toEqual(whole.contacts.filter((c) => ids.has(c.target)));
    expect(p1.page.people.every((p) => p.cases.length > 0)).toBe(true);
    expect(p1.page.links).toEqual(whole.links);
    expect(p1.page.clusters).toEqual(whole.clusters);
    expect(p2.page.links).toBeUndefined();
    expect(p1.page.page).toEqual({ number: 1, size: 5, totalPeople: whole.people.length, totalPages: Math.ceil(whole.people.length / 5) });
    // Registered people living in the reader's province: in full; a reader elsewhere sees their home only.
    const registered = p1.page.people.filter((p) => p1.page.identities[p.id]?.registered === true);
    expect(registered.length).toBeGreaterThan(0);
    const away = await readRunPage(id, 1, 5, { ...owner, jurisdiction: { province: other } });
    if (away?.kind !== 'page') throw new Error('no page');
    expect(Object.keys(away.page.identities)).toEqual([]);
    expect(away.page.outside[registered[0]!.id]).toMatchObject({ registered: true, province });
    // Another tracer: denied; an auditor: the record only.
    expect((await readRunPage(id, 1, 5, { username: `${run}-other`, role: 'tracer' }))?.kind).toBe('denied');
    expect((await readRunPage(id, 1, 5, { username: `${run}-aud`, role: 'auditor' }))?.kind).toBe('metadata');
  });

  it('is in the graph with pseudonymous ids only: one CONTACT per (source, target) pair, a LINKED per link, TRACED cases', async () => {
    const whole = (await outbreakRunResult(id))!;
    const pairs = new Set(whole.contacts.map((c) => `${c.source}>${c.target}`));
    expect(await contactsOf(id)).toBe(pairs.size);
    const contacts = await readQuery(
      'MATCH (a:Person)-[c:CONTACT]->(b:Person) WHERE c.run = $id RETURN a.id AS a, b.id AS b, properties(c) AS p',
      { id },
      (r) => ({ a: r['a'] as string, b: r['b'] as string, p: r['p'] as Record<string, unknown> }),
    );
    for (const c of contacts) {
      expect(c.a).toMatch(/^p[0-9a-f]{24}$/);
      expect(c.b).toMatch(/^p[0-9a-f]{24}$/);
      expect(Object.keys(c.p).sort()).toEqual(['at', 'contacts', 'generation', 'overlapSeconds', 'run', 'station']);
    }
    // The earliest contact of a pair, and how many edges it stands for.
    const first = whole.contacts[0]!;
    const same = whole.contacts.filter((c) => c.source === first.source && c.target === first.target);
    const row = contacts.find((c) => c.a === first.source && c.b === first.target)!;
    expect(Number(row.p['at'])).toBe(Math.min(...same.map((c) => Date.parse(c.at))));
    expect(Number(row.p['contacts'])).toBe(same.length);

    const links = await readQuery(
      'MATCH (a:Case)-[l:LINKED]->(b:Case) WHERE l.run = $id RETURN a.id AS from, b.id AS to, l.generation AS generation, l.at AS at, l.via AS via ORDER BY from, to',
      { id },
      (r) => ({ from: r['from'] as string, to: r['to'] as string, generation: Number(r['generation']), at: Number(r['at']), via: r['via'] as string | null }),
    );
    expect(links).toEqual(
      [...whole.links].sort((x, y) => (x.from + x.to < y.from + y.to ? -1 : 1)).map((l) => ({ from: l.from, to: l.to, generation: l.generation, at: Date.parse(l.at), via: l.via ?? null })),
    );
    // The fixture's generation-1 links, at their planted contacts.
    for (const l of city.expected.links.filter((x) => x.generation === 1)) {
      expect(links).toContainEqual(expect.objectContaining({ from: city.caseId(l.from), to: city.caseId(l.to), generation: 1, at: Date.parse(l.contactAt) }));
    }
    expect(await count('MATCH (:OutbreakRun {id: $id})-[t:TRACED]->(:Case) RETURN count(t) AS n', { id })).toBe(8);
    // Each clustered case's TRACED relationship names its cluster of the run, and the index case.
    const marked = await readQuery(
      'MATCH (:OutbreakRun {id: $id})-[t:TRACED]->(c:Case) WHERE t.cluster IS NOT NULL RETURN c.id AS c, t.cluster AS cluster, t.index AS index ORDER BY c',
      { id },
      (r) => [r['c'] as string, r['cluster'] as string, r['index'] as boolean] as const,
    );
    expect(marked).toEqual(whole.clusters.flatMap((cl) => cl.cases.map((c) => [c, cl.id, c === cl.index] as const)).sort((x, y) => (x[0] < y[0] ? -1 : 1)));
    // Nothing but pseudonyms on the run: no raw key anywhere in its relationships or its record.
    const text = JSON.stringify(await readQuery('MATCH (r:OutbreakRun {id: $id}) RETURN properties(r) AS p', { id }, (r): unknown => r['p']));
    for (const k of city.people) expect(text).not.toContain(k);
  });

  it('keeps its relationships apart from a second run over the same cases, which writes its own', async () => {
    const second = await stored(city.cases.slice(0, 4));
    expect(second.outcome.status).toBe('done');
    const result = (await outbreakRunResult(second.id))!;
    expect(await contactsOf(second.id)).toBe(new Set(result.contacts.map((c) => `${c.source}>${c.target}`)).size);
    expect(await linkedOf(second.id)).toBe(result.links.length);
    const whole = (await outbreakRunResult(id))!;
    expect(await contactsOf(id)).toBe(new Set(whole.contacts.map((c) => `${c.source}>${c.target}`)).size);
  });
});

describe('the CONTACT relationships', () => {
  it('are written after the run is answered: done with its result and links while they are written, then counted', async () => {
    const { meta, params } = await createRun(newRun(), city.cases, REQUEST);
    let during: Awaited<ReturnType<typeof readRun>>;
    let contactsDuring = -1;
    const seen: number[] = [];
    const outcome = await executeRun(meta.id, params, {
      now,
      onGraph: async (n) => {
        seen.push(n);
        if (n > 0) return;
        during = await readRun(meta.id);
        contactsDuring = await contactsOf(meta.id);
      },
    });
    expect(outcome.status).toBe('done');
    expect(during?.meta).toMatchObject({ status: 'done', hasResult: true, graph: { state: 'writing', written: 0 } });
    expect(contactsDuring).toBe(0);
    const pairs = await contactsOf(meta.id);
    expect(pairs).toBeGreaterThan(0);
    expect(seen).toEqual([0, pairs]);
    expect(outcome).toMatchObject({ graph: { state: 'written', written: pairs } });
    expect((await readRun(meta.id))?.meta.graph).toEqual({ state: 'written', written: pairs });
    expect(await linkedOf(meta.id)).toBe((await outbreakRunResult(meta.id))!.links.length);
  });

  it('are left to the caller with contactsLater (the API writes them out of its trace gate)', async () => {
    const { meta, params } = await createRun(newRun(), city.cases, REQUEST);
    const outcome = await executeRun(meta.id, params, { now, contactsLater: true });
    if (outcome.status !== 'done' || !outcome.writeContacts) throw new Error(`expected a done run with its CONTACT write left over, got ${outcome.status}`);
    expect(outcome.graph).toEqual({ state: 'writing', written: 0 });
    expect((await readRun(meta.id))?.meta).toMatchObject({ status: 'done', hasResult: true, graph: { state: 'writing', written: 0 } });
    expect(await contactsOf(meta.id)).toBe(0);
    const graph = await outcome.writeContacts();
    const pairs = await contactsOf(meta.id);
    expect(pairs).toBeGreaterThan(0);
    expect(graph).toEqual({ state: 'written', written: pairs });
    expect((await readRun(meta.id))?.meta.graph).toEqual({ state: 'written', written: pairs });
  });

  it('cut off while written leave the run done with its result, its graph incomplete', async () => {
    const { meta, params } = await createRun(newRun(), city.cases, REQUEST);
    const stop = new AbortController();
    const outcome = await executeRun(meta.id, params, { now, signal: stop.signal, onGraph: () => stop.abort(unavailable('the server stops')) });
    expect(outcome).toMatchObject({ status: 'done', graph: { state: 'incomplete', written: 0 } });
    expect((await readRun(meta.id))?.meta).toMatchObject({ status: 'done', hasResult: true, graph: { state: 'incomplete', written: 0 } });
    expect(await contactsOf(meta.id)).toBe(0);
    expect((await outbreakRunResult(meta.id))!.people.length).toBeGreaterThan(0);
  });
});

describe('a run that does not finish', () => {
  it('cancelled before it traced ends cancelled, with nothing in the graph', async () => {
    const { meta, params } = await createRun(newRun(), city.cases, REQUEST);
    const stop = new AbortController();
    stop.abort(conflict('cancelled by its owner'));
    expect(await executeRun(meta.id, params, { now, signal: stop.signal })).toEqual({ status: 'cancelled', error: 'cancelled by its owner' });
    expect((await readRun(meta.id))?.meta).toMatchObject({ status: 'cancelled', hasResult: false, error: 'cancelled by its owner' });
    expect(await contactsOf(meta.id)).toBe(0);
  });

  it('cancelled between two generations stops there, ends cancelled and leaves nothing in the graph', async () => {
    const { meta, params } = await createRun(newRun(), city.cases, REQUEST);
    const stop = new AbortController();
    const seen: number[] = [];
    const outcome = await executeRun(meta.id, params, {
      now,
      signal: stop.signal,
      onProgress: (p) => {
        seen.push(p.generation);
        if (p.generation === 1) stop.abort(conflict('cancelled by its owner'));
      },
    });
    expect(outcome.status).toBe('cancelled');
    expect(seen).toEqual([1]);
    expect(await contactsOf(meta.id)).toBe(0);
    expect(await linkedOf(meta.id)).toBe(0);
  });

  it('fails with the engine’s reason (a case person the graph does not know), naming no one', async () => {
    const ghost: OutbreakCase = { caseId: `${run}-ghost`, personId: 'p000000000000000000000000', confirmedAt: city.cases[0]!.confirmedAt };
    const { meta, params } = await createRun(newRun(), [ghost], REQUEST);
    const outcome = await executeRun(meta.id, params, { now });
    expect(outcome).toMatchObject({ status: 'failed', code: 'not_found' });
    expect((await readRun(meta.id))?.meta).toMatchObject({ status: 'failed', error: expect.stringContaining(`${run}-ghost`) as string, hasResult: false });
  });
});

describe('retention', () => {
  it('removes the result and the CONTACT relationships of runs older than the cut-off, keeps the record, TRACED and LINKED without via', async () => {
    // Created in 1989, so a purge with a 1990 cut-off reaches only this test's runs.
    const CUT = Date.UTC(1990, 0, 1);
    const old = await stored(city.cases, { createdAt: CUT - DAY });
    const edge = await stored(city.cases.slice(0, 3), { createdAt: CUT });
    expect(await contactsOf(old.id)).toBeGreaterThan(0);
    const dry = await clearOutbreakResults(CUT, CUT + 21 * DAY, true);
    expect(dry).toEqual({ runs: 1, contacts: await contactsOf(old.id) });
    expect(await contactsOf(old.id)).toBeGreaterThan(0);
    const done = await clearOutbreakResults(CUT, CUT + 21 * DAY, false);
    expect(done).toEqual(dry);
    expect(await contactsOf(old.id)).toBe(0);
    expect(await linkedOf(old.id)).toBeGreaterThan(0);
    expect(await count('MATCH ()-[l:LINKED]->() WHERE l.run = $id AND l.via IS NOT NULL RETURN count(l) AS n', { id: old.id })).toBe(0);
    forgetOpenedRuns();
    expect(await outbreakRunResult(old.id)).toBeUndefined();
    expect((await readRun(old.id))?.meta).toMatchObject({ status: 'done', hasResult: false, stats: { clusters: 1 }, graph: { state: 'removed' } });
    expect((await readRun(old.id))?.cases).toHaveLength(8);
    expect((await readRun(edge.id))?.meta.graph?.state).toBe('written');
    // The run created exactly at the cut-off keeps everything; a second purge removes nothing more.
    expect(await contactsOf(edge.id)).toBeGreaterThan(0);
    expect(await outbreakRunResult(edge.id)).toBeDefined();
    expect(await clearOutbreakResults(CUT, CUT + 21 * DAY, false)).toEqual({ runs: 0, contacts: 0 });
  });
});
