import { registerTracedCases } from '../../engine/cases';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { followUpsOfPeople } from '../../engine/db/followups';
import { changeFollowUpStatus, followUpsFor, openFollowUps, quarantineUntil, type FollowUpCandidate } from '../../engine/followups';
import { createRun, executeRun, newOutbreakRunId, openRunFollowUps, promoteToFollowUp, type RunOutcome } from '../../engine/outbreak-store';
import type { OutbreakRequest } from '../../engine/outbreak/request';
import { buildCity, T0, type City } from '../api/city';
import { passage, runProvince } from '../helpers/builders';
import { writePassages } from '../../engine/db/passages';
import { newRunId, removeRun } from '../helpers/cleanup';
import { runCli } from '../helpers/cli';
import { listAudit } from '../../engine/audit/store';

/**
 * Follow-up against the real Neo4j (engine/followups, engine/outbreak-store/followups.ts): a stored
 * run opens one for each F1 (F2 with the flag) and storing it again opens nothing twice; one open
 * follow-up per person across sources with the latest end date; close contacts only by default;
 * tested_positive registers a case linked to the run; a tracer promotes a person of their run;
 * the jurisdiction decides in the query.
 */

const run = newRunId('fu');
const inside = runProvince();
let outside = runProvince();
while (outside === inside) outside = runProvince();
const DAY = 86_400_000;
const owner = `${run}-tracer`;
let city: City;
const REQUEST: OutbreakRequest = { selection: {}, depth: 2, toleranceSeconds: 900, mode: 'time-respecting', closeOnly: false };
const home = { province: inside, district: '001', commune: '00001' };

async function storedRun(followUpF2 = false): Promise<{ id: string; outcome: RunOutcome }> {
  const { meta, params } = await createRun(
    { id: newOutbreakRunId(), owner, requestRef: 'SYT-2021/0815', purpose: 'follow-up test', createdAt: Date.now(), source: 'api', instance: `${run}.1`, scope: undefined },
    [{ caseId: `${run}-f0`, personId: city.pid.f0, confirmedAt: T0 + DAY }],
    REQUEST,
  );
  return { id: meta.id, outcome: await executeRun(meta.id, params, { now: Date.now, followUpF2 }) };
}

const candidate = (personId: string, exposureAt: number, cls: 'close' | 'brief' = 'close', generation = 1): FollowUpCandidate => ({ personId, generation, exposureAt, class: cls });
const open = (sourceId: string, candidates: FollowUpCandidate[], now = Date.now()) => openFollowUps({ source: 'exposure', sourceId: `${run}-${sourceId}`, candidates, quarantineDays: 14, actor: `${run}-test`, now });

beforeAll(async () => {
  city = await buildCity(run, inside, outside);
  // A and D also stay 20 minutes with F0 at S1: close F1s, followed up by default (B, their F2, stays brief).
  const M = 60_000;
  await writePassages([passage(city.raw.a, city.stations.s1.id, T0 + 5 * M, T0 + 25 * M), passage(city.raw.d, city.stations.s1.id, T0 + 10 * M, T0 + 30 * M)]);
  await registerTracedCases([{ caseId: `${run}-f0`, personId: city.pid.f0, confirmedAt: T0 + DAY }], { by: `${run}-setup`, now: Date.now(), source: 'test' });
});
afterAll(async () => {
  await removeRun(run, { people: city.allRaw });
  await closeDriver();
});

describe('a stored outbreak run', () => {
  let id = '';
  let outcome: RunOutcome;
  beforeAll(async () => {
    ({ id, outcome } = await storedRun());
  });

  it("opens a follow-up for each F1 in the commune they live in, none for an F2 without the flag, ending 14 days after the exposure", async () => {
    expect(outcome).toMatchObject({ status: 'done', followUps: { created: 2, updated: 0 } });
    const rows = await followUpsOfPeople([city.pid.a, city.pid.b, city.pid.d]);
    expect(rows.map((r) => r.personId).sort()).toEqual([city.pid.a, city.pid.d].sort());
    const a = rows.find((r) => r.personId === city.pid.a)!;
    expect(a).toMatchObject({ status: 'to_contact', generation: 1, class: 'close', province: inside, district: '001', commune: '00001', sources: [`run:${id}`], createdBy: owner });
    // A's stay at S1 from 5 minutes after F0 arrived: the contact time.
    expect(a.exposureAt).toBe(T0 + 5 * 60_000);
    expect(a.quarantineUntil).toBe(quarantineUntil(a.exposureAt, 14));
    // D is not in the registry: no home, so no officer's list but the national one.
    expect(rows.find((r) => r.personId === city.pid.d)).toMatchObject({ province: '', commune: '' });
  });

  it('opens nothing twice when the run is stored again', async () => {
    const shaped = outcome.status === 'done' ? outcome.shaped : undefined;
    const again = await openRunFollowUps(id, shaped!, { includeF2: false, now: Date.now() });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect(await followUpsOfPeople([city.pid.a])).toHaveLength(1);
  });

  it("lets the run's owner promote its F2, recorded as brief and promoted; nobody else", async () => {
    await expect(promoteToFollowUp(id, city.pid.b, { username: `${run}-other`, role: 'tracer' }, Date.now())).rejects.toMatchObject({ code: 'forbidden' });
    await expect(promoteToFollowUp(id, city.pid.c, { username: owner, role: 'tracer' }, Date.now())).rejects.toMatchObject({ code: 'not_found' });
    const p = await promoteToFollowUp(id, city.pid.b, { username: owner, role: 'tracer' }, Date.now());
    expect(p).toMatchObject({ outcome: 'created', generation: 2 });
    const [b] = await followUpsOfPeople([city.pid.b]);
    expect(b).toMatchObject({ id: p.id, generation: 2, class: 'brief', promotedBy: owner, sources: [`run:${id}`], status: 'to_contact' });
    expect(await promoteToFollowUp(id, city.pid.b, { username: owner, role: 'tracer' }, Date.now())).toEqual({ id: p.id, outcome: 'unchanged', generation: 2 });
  });

  it('makes a case of a follow-up that tests positive, linked to the run, and opens none for that case person later', async () => {
    const [a] = await followUpsOfPeople([city.pid.a]);
    const by = `${run}-officer`;
    const scope = home;
    await changeFollowUpStatus({ id: a!.id, status: 'reached', by, now: Date.now(), scope });
    await changeFollowUpStatus({ id: a!.id, status: 'quarantined', by, now: Date.now(), scope });
    const confirmedAt = T0 + 5 * DAY;
    const r = await changeFollowUpStatus({ id: a!.id, status: 'tested_positive', caseId: `${run}-pos`, confirmedAt, by, now: Date.now(), scope });
    expect(r).toMatchObject({ before: 'quarantined', changed: true, followUp: { status: 'tested_positive', caseId: `${run}-pos` } });
    const found = await readQuery(
      'MATCH (c:Case {id: $cid})-[:OF]->(:Person {id: $pid}) OPTIONAL MATCH (c)-[:FOUND_BY]->(r:OutbreakRun) RETURN c.confirmedAt AS at, c.source AS source, collect(r.id) AS runs',
      { cid: `${run}-pos`, pid: city.pid.a },
      (x) => x,
    );
    expect(found).toEqual([{ at: confirmedAt, source: 'followup', runs: [id] }]);
    const later = await storedRun();
    expect(later.outcome).toMatchObject({ status: 'done', followUps: { created: 0 } });
    expect((await followUpsOfPeople([city.pid.a])).map((f) => f.status)).toEqual(['tested_positive']);
  });
});

describe('one open follow-up per person', () => {
  it('keeps one across two sources with the latest end date, and not an earlier one', async () => {
    const first = await open('x1', [candidate(city.pid.c, T0)]);
    const second = await open('x2', [candidate(city.pid.c, T0 + 3 * DAY)]);
    const third = await open('x3', [candidate(city.pid.c, T0 + DAY)]);
    const id = first.outcomes.get(city.pid.c)!.id;
    expect(first.created).toBe(1);
    expect(second.outcomes.get(city.pid.c)).toEqual({ id, outcome: 'updated' });
    expect(third.outcomes.get(city.pid.c)).toEqual({ id, outcome: 'updated' });
    const rows = await followUpsOfPeople([city.pid.c]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ exposureAt: T0 + 3 * DAY, quarantineUntil: T0 + 17 * DAY, sources: [`exposure:${run}-x1`, `exposure:${run}-x2`, `exposure:${run}-x3`] });
  });

  it('makes only close contacts follow-ups by default', async () => {
    const r = await open('brief', [candidate(city.pid.f0, T0, 'brief')]);
    expect(r).toMatchObject({ created: 0, skipped: 1 });
    expect(await followUpsOfPeople([city.pid.f0])).toEqual([]);
  });

  it('refuses a change the status machine does not allow, and a release before the quarantine ends, as conflicts', async () => {
    const [c] = await followUpsOfPeople([city.pid.c]);
    const by = `${run}-officer`;
    await expect(changeFollowUpStatus({ id: c!.id, status: 'released', by, now: Date.now(), scope: home })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('from to_contact to released') as unknown });
    await changeFollowUpStatus({ id: c!.id, status: 'reached', by, now: T0, scope: home });
    await changeFollowUpStatus({ id: c!.id, status: 'quarantined', by, now: T0, scope: home });
    await expect(changeFollowUpStatus({ id: c!.id, status: 'released', by, now: T0 + 10 * DAY, scope: home })).rejects.toMatchObject({ code: 'conflict' });
    const done = await changeFollowUpStatus({ id: c!.id, status: 'released', by, now: T0 + 17 * DAY, scope: home });
    expect(done.followUp.status).toBe('released');
    // Closed: a new source opens a new one.
    const again = await open('x4', [candidate(city.pid.c, T0 + 20 * DAY)]);
    expect(again.created).toBe(1);
    expect(again.outcomes.get(city.pid.c)!.id).not.toBe(c!.id);
  });
});

describe('the jurisdiction, in the query', () => {
  it('shows an officer of another commune nothing, and refuses their change', async () => {
    const otherCommune = { province: inside, district: '001', commune: '00009' };
    const listed = await followUpsFor({ scope: otherCommune, statuses: ['to_contact', 'reached', 'unreachable', 'quarantined', 'released', 'tested_positive'], skip: 0, limit: 100 });
    expect(listed.followUps.filter((f) => f.id.length > 0 && [city.pid.a, city.pid.b, city.pid.c].includes(f.personId))).toEqual([]);
    expect(Object.keys(listed.identities).filter((k) => [city.pid.a, city.pid.b, city.pid.c].includes(k))).toEqual([]);
    const [b] = await followUpsOfPeople([city.pid.b]);
    await expect(changeFollowUpStatus({ id: b!.id, status: 'reached', by: 'x', now: Date.now(), scope: otherCommune })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it("shows the person's officers their follow-ups with name and phone", async () => {
    const listed = await followUpsFor({ scope: home, statuses: ['to_contact'], skip: 0, limit: 1000 });
    const b = listed.followUps.find((f) => f.personId === city.pid.b);
    expect(b).toBeDefined();
    expect(listed.identities[city.pid.b]).toMatchObject({ phone: '0900000003', fullName: expect.stringContaining('Lê Thị') as unknown });
  });
});

describe('truyvet followups', () => {
  it('prints the follow-ups with raw person keys as JSON lines, audited as the command line', async () => {
    const r = await runCli(['followups', '--status', 'all', '--limit', '100000', '--json'], { env: { TRUYVET_AUDIT_CHAIN: run }, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { person: string; status: string; home: { commune: string } });
    const a = rows.find((x) => x.person === city.raw.a);
    expect(a).toMatchObject({ status: 'tested_positive', home: { commune: '00001' } });
    const [event] = await listAudit({ chain: run, action: 'followups.read', limit: 5 });
    expect(event).toMatchObject({ role: 'cli', outcome: 'ok', details: { status: 'to_contact,reached,unreachable,quarantined,released,tested_positive' } });
  });
});
