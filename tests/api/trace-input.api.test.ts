import { closeDriver } from '../../engine/db/driver';
import type { Permits } from '../../api/permits';
import { makeAccount } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { runCli } from '../helpers/cli';
import { startInProcess, type TestServer } from '../helpers/server';
import { T0 } from './city';

/**
 * A trace request's input is checked once, by the same parsers, whether it comes to the API or
 * to the command line (engine/trace/request.ts): a tolerance, an instant, the depth, the period
 * and the panel's tolerances are accepted or refused alike by both, for the same reason, and a
 * refused one is refused before the trace asks the gate for a permit.
 *
 * The API's gate here is full: it refuses every permit and counts the requests. So an accepted
 * request answers 503 (it reached the gate) and a refused one 400 without asking. The command
 * line is given an F0 the graph does not know: an accepted request exits 4 (it was traced and
 * found nobody), a refused one 2.
 */

const run = newRunId('ti');
const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const FROM = iso(T0 - DAY);
const TO = iso(T0 + DAY);
let server: TestServer;
let token = '';
let permitsAsked = 0;

// The gate is full: every permit is refused at once, and counted.
const fullGate = (): Permits => ({
  request() {
    permitsAsked++;
    return { answer: Promise.resolve({ granted: false, waiting: 64 }), release: () => undefined };
  },
});

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  const r = await runCli(args, { env: { TRUYVET_AUDIT_CHAIN: run } });
  return { code: r.code ?? -1, stderr: r.stderr };
}

beforeAll(async () => {
  server = await startInProcess(run, { settings: { maxTraceDepth: 6 }, sharedPermits: (gate) => (gate === 'traces' ? fullGate() : { request: () => ({ answer: Promise.resolve({ granted: true }), release: () => undefined }) }) });
  const a = await makeAccount(run, 'tracer', 'tracer');
  token = await server.login(a.username, a.password);
});
afterAll(async () => {
  await server.close();
  await removeRun(run);
  await closeDriver();
});

interface Case {
  /** What the API's body changes from a valid request. */
  api: Record<string, unknown>;
  /** The same on the command line (flags added to a valid call; a flag given twice: the last wins). */
  cli: string[];
}

const apiCall = async (over: Record<string, unknown>) => {
  const asked = permitsAsked;
  const res = await server.request<{ errors?: { path: string; message: string }[]; params?: { toleranceSeconds: number } }>('POST', '/api/traces', {
    token,
    json: { f0: `${run}-nobody`, from: FROM, to: TO, requestRef: 'SYT-2021/0815', purpose: 'input rules', ...over },
  });
  return { status: res.status, errors: res.body.errors ?? [], asked: permitsAsked - asked };
};

const cliCall = (flags: string[]) =>
  cli(['trace', '--request-ref', 'SYT-2021/0815', '--purpose', 'input rules', '--f0', `${run}-nobody`, '--from', FROM, '--to', TO, ...flags]);

describe('what both the API and the command line accept', () => {
  it.each<[string, Case]>([
    ['a tolerance of a day written 1d', { api: { tolerance: '1d' }, cli: ['--tolerance', '1d'] }],
    ['a tolerance in seconds written 90s', { api: { tolerance: '90s' }, cli: ['--tolerance', '90s'] }],
    ['a tolerance in plain seconds', { api: { tolerance: 900 }, cli: ['--tolerance', '900'] }],
    ['a tolerance with hours and minutes', { api: { tolerance: '1h30m' }, cli: ['--tolerance', '1h30m'] }],
    ['sensitivity tolerances up to a day', { api: { tolerance: '15m', sensitivity: ['5m', '1d'] }, cli: ['--tolerance', '15m,5m,1d'] }],
    ['a bare date, read as its midnight in Ho Chi Minh City', { api: { from: '2021-08-02', to: '2021-08-03' }, cli: ['--from', '2021-08-02', '--to', '2021-08-03'] }],
    ['a period of exactly 21 days', { api: { from: '2021-08-01', to: '2021-08-22' }, cli: ['--from', '2021-08-01', '--to', '2021-08-22'] }],
    ['depth 6', { api: { depth: 6 }, cli: ['--depth', '6'] }],
    ['the naive mode', { api: { mode: 'naive' }, cli: ['--naive'] }],
    ['close contacts only', { api: { closeOnly: true }, cli: ['--close-only'] }],
  ])('%s', async (_name, c) => {
    const [api, line] = await Promise.all([apiCall(c.api), cliCall(c.cli)]);
    expect({ status: api.status, asked: api.asked }).toEqual({ status: 503, asked: 1 });
    expect(line.stderr).toContain('unknown person');
    expect(line.code).toBe(4);
  });
});

describe('what both refuse, the same way, before any trace permit', () => {
  it.each<[string, Case & { path: string; flag: string; reason: string }]>([
    ['a tolerance over a day (25h)', { api: { tolerance: '25h' }, cli: ['--tolerance', '25h'], path: 'body.tolerance', flag: '--tolerance', reason: 'at most a day' }],
    ['a tolerance over a day in seconds', { api: { tolerance: 86_401 }, cli: ['--tolerance', '86401'], path: 'body.tolerance', flag: '--tolerance', reason: 'at most a day' }],
    ['a tolerance that is not a duration', { api: { tolerance: '15 minutes' }, cli: ['--tolerance', '15 minutes'], path: 'body.tolerance', flag: '--tolerance', reason: 'a duration such as' }],
    ['a panel tolerance over a day', { api: { tolerance: '15m', sensitivity: ['25h'] }, cli: ['--tolerance', '15m,25h'], path: 'body.sensitivity.0', flag: '--tolerance', reason: 'at most a day' }],
    ['an instant before 2000', { api: { from: '0021-08-02' }, cli: ['--from', '0021-08-02'], path: 'body.from', flag: '--from', reason: 'before 2000-01-01' }],
    ['an instant more than a day ahead', { api: { to: '9999-08-03' }, cli: ['--to', '9999-08-03'], path: 'body.to', flag: '--to', reason: 'more than a day after now' }],
    ['from after to', { api: { from: TO, to: FROM }, cli: ['--from', TO, '--to', FROM], path: 'body.from', flag: '--from', reason: 'is after to' }],
    ['a horizon before from', { api: { until: iso(T0 - 2 * DAY) }, cli: ['--until', iso(T0 - 2 * DAY)], path: 'body.until', flag: '--until', reason: 'is before from' }],
    ['a period over 21 days', { api: { from: '2021-08-01', to: '2021-08-22T00:00:01' }, cli: ['--from', '2021-08-01', '--to', '2021-08-22T00:00:01'], path: 'body.to', flag: '--to', reason: 'longer than 21 days' }],
    ['a horizon over 21 days after from', { api: { from: '2021-08-01', to: '2021-08-02', until: '2021-08-23' }, cli: ['--from', '2021-08-01', '--to', '2021-08-02', '--until', '2021-08-23'], path: 'body.until', flag: '--until', reason: 'more than 21 days after from' }],
    ['depth 0', { api: { depth: 0 }, cli: ['--depth', '0'], path: 'body.depth', flag: '--depth', reason: 'from 1 to 6' }],
    ['depth 7', { api: { depth: 7 }, cli: ['--depth', '7'], path: 'body.depth', flag: '--depth', reason: 'from 1 to 6' }],
  ])('%s', async (_name, c) => {
    const [api, line] = await Promise.all([apiCall(c.api), cliCall(c.cli)]);
    expect(api.status).toBe(400);
    expect(api.asked).toBe(0);
    const problem = api.errors.find((e) => e.path === c.path);
    expect(problem?.message).toContain(c.reason);
    expect(line.code).toBe(2);
    // The same reason, word for word, after the flag's name (but for the clock each read, at the end).
    expect(line.stderr).toContain(`${c.flag}: ${(problem?.message ?? '?').replace(/\(\d{4}-[^)]*\)$/, '')}`);
  });
});
