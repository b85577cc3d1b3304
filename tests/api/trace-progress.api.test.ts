import { randomUUID } from 'node:crypto';
import { listAudit } from '../../engine/audit/store';
import { closeDriver } from '../../engine/db/driver';
import { contactsFromFrontier, type GenerationRunner } from '../../engine/trace';
import { makeAccount, runProvince } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { startInProcess, type Reply, type TestServer } from '../helpers/server';
import { buildCity, TRACE_PERIOD, type City } from './city';

/**
 * A running trace's progress and cancel (api/trace-progress.ts): the tracer who opened it with a
 * progressId watches it and stops it. The trace is held at the start of a generation by the
 * app's generation runner (a test seam), then runs the engine's real reads on the real Neo4j.
 */

const run = newRunId('tp');
const province = runProvince();
let server: TestServer;
let city: City;
const tok = { tracer: '', other: '' };
const ref = 'SYT-HCM 2021/0901';

/** Generations asked for and those whose reads ended, and the holds the test releases, by generation. */
const asked: number[] = [];
const finished: number[] = [];
const holds = new Map<number, Promise<void>>();
const runGeneration: GenerationRunner = async (q, o) => {
  asked.push(q.generation);
  await holds.get(q.generation);
  const edges = await contactsFromFrontier(q, o);
  finished.push(q.generation);
  return edges;
};
function hold(generation: number): () => void {
  let release: () => void = () => undefined;
  holds.set(generation, new Promise<void>((r) => (release = r)));
  return () => {
    holds.delete(generation);
    release();
  };
}

interface Progress {
  progressId: string;
  phase: string;
  generation: number;
  people: number;
  contacts: number;
  pass: number;
  passes: number;
  elapsedMs: number;
}

const open = (progressId: string, over: Record<string, unknown> = {}) =>
  server.request<{ id: string; code?: string }>('POST', '/api/traces', {
    token: tok.tracer,
    json: { f0: city.raw.f0, ...TRACE_PERIOD, depth: 2, requestRef: ref, purpose: 'isolate contacts of a confirmed case', progressId, ...over },
  });
const progressOf = (id: string, token = tok.tracer) => server.request<Progress>('GET', `/api/traces/progress/${id}`, { token });
const cancel = (id: string, token = tok.tracer) => server.request<{ cancelled: boolean }>('POST', `/api/traces/progress/${id}/cancel`, { token });
const myTraces = async () => (await server.request<{ traces: { requestRef: string }[] }>('GET', '/api/traces?limit=500', { token: tok.tracer })).body.traces.length;

/** Polls until the trace's progress says what `ok` waits for. */
async function until(id: string, ok: (p: Progress) => boolean): Promise<Progress> {
  for (let i = 0; i < 200; i++) {
    const r = await progressOf(id);
    if (r.status === 200 && ok(r.body)) return r.body;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`progress of ${id} never came`);
}

beforeAll(async () => {
  server = await startInProcess(run, { settings: { traceConcurrency: 1 }, runGeneration });
  city = await buildCity(run, province, runProvince());
  for (const k of ['tracer', 'other'] as const) {
    const a = await makeAccount(run, k, 'tracer');
    tok[k] = await server.login(a.username, a.password);
  }
});
afterAll(async () => {
  await server.close();
  await removeRun(run, { people: city.allRaw });
  await closeDriver();
});

describe('a running trace’s progress', () => {
  it('tells its tracer the generation searched and the people found so far, nobody else, and nothing once it has ended', async () => {
    const id = randomUUID();
    const release = hold(2);
    const answer = open(id);
    const p = await until(id, (x) => x.generation === 2);
    // F1 is A and D (tests/api/city.ts); F2 is being searched.
    expect(p).toMatchObject({ progressId: id, phase: 'tracing', generation: 2, people: 2, pass: 1, passes: 1 });
    expect(p.elapsedMs).toBeGreaterThanOrEqual(0);
    expect((await progressOf(id, tok.other)).status).toBe(404);
    release();
    expect((await answer).status).toBe(201);
    const after = await progressOf(id);
    expect(after.status).toBe(404);
    expect(after.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('counts the sensitivity panel’s tolerances as passes', async () => {
    const id = randomUUID();
    const release = hold(1);
    const answer = open(id, { sensitivity: ['5m', '30m'] });
    expect(await until(id, (x) => x.phase === 'tracing')).toMatchObject({ pass: 1, passes: 3, generation: 1, people: 0 });
    release();
    expect((await answer).status).toBe(201);
  });

  it('refuses a progressId that is no UUID (400 naming the field), and one already running (409)', async () => {
    const bad = await open('not-a-uuid');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('body.progressId');
    expect((await server.request('GET', '/api/traces/progress/nope', { token: tok.tracer })).status).toBe(400);
    const id = randomUUID();
    const release = hold(1);
    const first = open(id);
    await until(id, (x) => x.phase === 'tracing');
    const second = await open(id);
    expect([second.status, second.body.code]).toEqual([409, 'progress_in_use']);
    release();
    expect((await first).status).toBe(201);
  });
});

describe('cancelling a running trace', () => {
  it('stops the engine within its statement, answers the trace 499 (cancelled), stores nothing and audits both', async () => {
    const id = randomUUID();
    const before = await myTraces();
    const release = hold(2);
    asked.length = 0;
    finished.length = 0;
    const answer = open(id, { requestRef: `${ref}-C` });
    await until(id, (x) => x.generation === 2);
    // Another tracer cannot cancel it (not found for them).
    expect((await cancel(id, tok.other)).status).toBe(404);
    const c = await cancel(id);
    expect([c.status, c.body]).toEqual([200, { progressId: id, cancelled: true }]);
    // The generation's reads start only now: the first statement sees the abort and throws.
    release();
    const r: Reply<{ id: string; code?: string }> = await answer;
    expect([r.status, r.body.code]).toEqual([499, 'cancelled']);
    expect(asked).toEqual([1, 2]);
    expect(finished).toEqual([1]);
    expect(await myTraces()).toBe(before);
    const [created] = await listAudit({ chain: run, action: 'trace.create', requestRef: `${ref}-C`, limit: 10 });
    expect(created).toMatchObject({ outcome: 'failed', details: { reason: 'cancelled' } });
    const cancels = await listAudit({ chain: run, action: 'trace.cancel', limit: 100 });
    expect(cancels.filter((e) => (e.details as { progressId?: string } | undefined)?.progressId === id).map((e) => [e.actor.endsWith('-tracer'), e.outcome])).toEqual([
      [false, 'failed'],
      [true, 'ok'],
    ]);
    expect((await cancel(id)).status).toBe(404);
  });

  it('stops a trace still waiting for its turn (queued) before it starts', async () => {
    const running = randomUUID();
    const queued = randomUUID();
    const release = hold(1);
    const first = open(running);
    await until(running, (x) => x.phase === 'tracing');
    const second = open(queued, { requestRef: `${ref}-Q` });
    expect(await until(queued, (x) => x.phase === 'queued')).toMatchObject({ generation: 1, people: 0 });
    expect((await cancel(queued)).status).toBe(200);
    const r = await second;
    expect([r.status, r.body.code]).toEqual([499, 'cancelled']);
    release();
    expect((await first).status).toBe(201);
  });
});
