import { appendAudit, listAudit, verifyAudit } from '../../engine/audit/store';
import { closeDriver, readQuery, writeQuery } from '../../engine/db/driver';
import { int } from '../../engine/db/convert';
import { makeAccount } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { runCli } from '../helpers/cli';
import { startInProcess, type TestServer } from '../helpers/server';

const run = newRunId('ad');
const T = Date.UTC(2021, 7, 2);

/** Runs `truyvet audit verify` on a chain; returns the exit code and output. */
async function cliVerify(chain: string): Promise<{ code: number | null; out: string }> {
  const r = await runCli(['audit', 'verify', '--chain', chain]);
  return { code: r.code, out: r.stdout };
}

async function fill(chain: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await appendAudit({ actor: `${run}-u`, role: 'tracer', action: 'trace.create', outcome: 'ok', requestRef: `R-${i}`, purpose: 'test', count: i, details: { i } }, T + i * 1000, chain);
  }
}

afterAll(async () => {
  await removeRun(run);
  await closeDriver();
});

describe('the audit chain', () => {
  it('never forks when many appends race: seqs 1…n, each linked to the one before', async () => {
    const chain = `${run}cc`;
    await Promise.all(Array.from({ length: 25 }, (_, i) => appendAudit({ actor: 'a', role: 'tracer', action: 'auth.login', outcome: 'ok', count: i }, T + i, chain)));
    const events = await listAudit({ chain, limit: 100 });
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect((await verifyAudit(chain)).ok).toBe(true);
  });

  it('refuses a second event with a seq already taken (the constraint)', async () => {
    const chain = `${run}cc`;
    await expect(
      writeQuery(`CREATE (:AuditEvent {chain: $chain, seq: $seq, hash: 'x', prev: 'y'})`, { chain, seq: int(3) }, () => undefined),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  it('detects an edited event, names its seq, and is intact again once the edit is undone', async () => {
    const chain = `${run}ed`;
    await fill(chain, 6);
    expect(await cliVerify(chain)).toMatchObject({ code: 0 });
    const [orig] = await readQuery('MATCH (e:AuditEvent {chain: $chain, seq: 4}) RETURN e.count AS c', { chain }, (r) => r['c'] as number);
    await writeQuery('MATCH (e:AuditEvent {chain: $chain, seq: 4}) SET e.count = 999', { chain }, () => undefined);
    const report = await verifyAudit(chain);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.seq)).toEqual([4]);
    const cli = await cliVerify(chain);
    expect(cli.code).not.toBe(0);
    expect(cli.out).toMatch(/first bad seq 4/);
    await writeQuery('MATCH (e:AuditEvent {chain: $chain, seq: 4}) SET e.count = $c', { chain, c: int(orig!) }, () => undefined);
    expect((await verifyAudit(chain)).ok).toBe(true);
  });

  it('detects an edited link (prev) even when the content is unchanged', async () => {
    const chain = `${run}ed`;
    await writeQuery("MATCH (e:AuditEvent {chain: $chain, seq: 2}) SET e.prev = 'f00'", { chain }, () => undefined);
    expect((await verifyAudit(chain)).problems.map((p) => p.seq)).toContain(2);
  });

  it('detects a deleted event in the middle and names the missing seq', async () => {
    const chain = `${run}dl`;
    await fill(chain, 5);
    await writeQuery('MATCH (e:AuditEvent {chain: $chain, seq: 3}) DELETE e', { chain }, () => undefined);
    const report = await verifyAudit(chain);
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ seq: 3 });
    const cli = await cliVerify(chain);
    expect(cli.code).not.toBe(0);
    expect(cli.out).toMatch(/seq 3: event 3 is missing/);
  });

  it('detects a deleted last event through the head', async () => {
    const chain = `${run}tl`;
    await fill(chain, 3);
    await writeQuery('MATCH (e:AuditEvent {chain: $chain, seq: 3}) DELETE e', { chain }, () => undefined);
    const report = await verifyAudit(chain);
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ seq: 3 });
  });
});

describe('the audit API', () => {
  let server: TestServer;
  let auditor = '';
  beforeAll(async () => {
    server = await startInProcess(`${run}api`);
    const a = await makeAccount(run, 'auditor', 'auditor');
    auditor = await server.login(a.username, a.password);
  });
  afterAll(async () => server.close());

  it('pages the log by seq with a next cursor', async () => {
    const first = await server.request<{ events: { seq: number }[]; next?: number }>('GET', '/api/audit?limit=1', { token: auditor });
    expect(first.status).toBe(200);
    expect(first.body.events.map((e) => e.seq)).toEqual([1]);
    expect(first.body.next).toBe(1);
    const second = await server.request<{ events: { seq: number; action: string }[] }>('GET', `/api/audit?after=${first.body.next}&limit=1`, { token: auditor });
    expect(second.body.events.map((e) => e.seq)).toEqual([2]);
    // the first read is itself on the log
    expect(second.body.events[0]?.action).toBe('audit.read');
  });

  it('filters by action and answers 400 for an unknown action', async () => {
    const r = await server.request<{ events: { action: string }[] }>('GET', '/api/audit?action=auth.login', { token: auditor });
    expect(r.body.events.length).toBeGreaterThan(0);
    expect(r.body.events.every((e) => e.action === 'auth.login')).toBe(true);
    expect((await server.request('GET', '/api/audit?action=drop.tables', { token: auditor })).status).toBe(400);
  });

  it('reports a tampered chain through GET /api/audit/verify', async () => {
    const ok = await server.request<{ ok: boolean }>('GET', '/api/audit/verify', { token: auditor });
    expect(ok.body.ok).toBe(true);
    await writeQuery("MATCH (e:AuditEvent {chain: $chain, seq: 1}) SET e.actor = 'someone-else'", { chain: `${run}api` }, () => undefined);
    const bad = await server.request<{ ok: boolean; problems: { seq: number }[] }>('GET', '/api/audit/verify', { token: auditor });
    expect(bad.body.ok).toBe(false);
    expect(bad.body.problems[0]?.seq).toBe(1);
  });

  it("names an event whose atMs was moved, which the auditor's time filter then misses", async () => {
    const chain = `${run}api`;
    const [e] = await readQuery('MATCH (e:AuditEvent {chain: $chain, seq: 2}) RETURN e.at AS at', { chain }, (r) => r['at'] as string);
    const window = `from=${encodeURIComponent(e!)}&to=${encodeURIComponent(e!)}`;
    const found = await server.request<{ events: { seq: number }[] }>('GET', `/api/audit?${window}`, { token: auditor });
    expect(found.body.events.map((x) => x.seq)).toEqual([2]);
    await writeQuery('MATCH (e:AuditEvent {chain: $chain, seq: 2}) SET e.atMs = e.atMs - 86400000', { chain }, () => undefined);
    const missed = await server.request<{ events: { seq: number }[] }>('GET', `/api/audit?${window}`, { token: auditor });
    expect(missed.body.events).toEqual([]);
    const bad = await server.request<{ ok: boolean; problems: { seq: number; reason: string }[] }>('GET', '/api/audit/verify', { token: auditor });
    expect(bad.body.ok).toBe(false);
    expect(bad.body.problems.map((p) => p.seq)).toContain(2);
  });
});
