import { listAudit } from '../../engine/audit/store';
import { num } from '../../engine/db/convert';
import { closeDriver, readQuery, writeQuery } from '../../engine/db/driver';
import { changeCaseStatus, registerCases, type CaseStatus } from '../../engine/cases';
import { attachRunClusters } from '../../engine/clusters/clusters';
import { changeFollowUpStatus, openFollowUps, type FollowUpStatus } from '../../engine/followups';
import { CELL_SEEK, PERSON_SEEK, writePassages } from '../../engine/db/passages';
import { upsertPeople } from '../../engine/db/people';
import { upsertStations } from '../../engine/db/stations';
import { pseudonym, seal } from '../../engine/identity';
import { getTraceRecord, newTraceId, saveTraceRecord } from '../../engine/trace-store';
import { purge, purgeTraceResults } from '../../engine/retention/purge';
import { clearExposureResults, readExposureRecord } from '../../engine/db/exposures';
import { newExposureId, storeExposure } from '../../engine/exposure';
import { purgeIsolations } from '../../engine/retention/personal';
import { storeDeclarations, type DeclarationRow } from '../../engine/declarations/storage';
import type { UnifiedDeclaration } from '../../engine/declarations/form';
import { setIsolation } from '../../engine/scan/isolation';
import { writeScans, type StoredScan } from '../../engine/db/scans';
import { passage, registryRow, runProvince, station } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { runCli } from '../helpers/cli';

/**
 * Retention at the exact boundary, with a frozen clock: `now` is a parameter. The data lives in
 * a province of the run's own and in 1989, so no purge here can touch anyone else's data.
 */

const run = newRunId('rt');
const province = runProvince();
const DAY = 86_400_000;
const NOW = Date.UTC(1990, 0, 22, 3, 0);
const CUT = NOW - 21 * DAY;
const raw = { old: `${run}-old`, edge: `${run}-edge`, span: `${run}-span`, reg: `${run}-reg`, batch: `${run}-b` };
const allRaw = Object.values(raw);
// Scans, declarations and isolations (point 6 of issue 20) live in a province of their own, so
// the passage purges above do not count them.
const province2 = runProvince();
const p2 = station(`${run}-P2`, { province: province2, district: '001', commune: '00001' });
const who = (n: string) => `${run}-w-${n}`;
const personalRaw = ['scan', 'dOld', 'dEdge', 'dNew', 'dRej', 'dRejEdge', 'dNow', 'iEnded', 'iEdge', 'iReleased', 'iOpen'].map(who);
// Follow-ups and cases (issue 20 point 6, issue 22): homes in a third province, one elsewhere.
const outbreakRaw = ['fuOld', 'fuEdge', 'fuDayBefore', 'fuPosQ', 'fuOpen', 'fuElsewhere', 'fuNow', 'cOld', 'cOldB', 'cEdge', 'cDayBefore', 'cConfirmed', 'cUnreg', 'cElsewhere', 'cNow'].map(who);

const s1 = station(`${run}-S1`, { province, district: '001', commune: '00001' });
const s2 = station(`${run}-S2`, { province, district: '001', commune: '00001' });
const s3 = station(`${run}-S3`, { province, district: '001', commune: '00001' });

const count = async (q: string, p: Record<string, unknown> = {}) => (await readQuery(q, { run, ...p }, (r) => num(r['n'])))[0] ?? 0;
const passagesOf = (key: string) => count(`MATCH (x:Passage) ${PERSON_SEEK('x')} AND x.pid = $pid RETURN count(x) AS n`, { pid: pseudonym(key) });
const personExists = (key: string) => count('MATCH (p:Person {id: $pid}) RETURN count(p) AS n', { pid: pseudonym(key) });
const atStation = (st: string) => count(`MATCH (x:Passage) ${CELL_SEEK('x')} AND x.station = $st AND x.span IS NOT NULL AND x.at IS NOT NULL RETURN count(x) AS n`, { st });

beforeAll(async () => {
  await upsertStations([s1, s2, s3]);
  await upsertPeople([registryRow(raw.reg, { fullName: 'Đỗ Văn Giữ', birthDate: '1970-01-01', sex: 'M', phone: '0911111111', province, district: '001', commune: '00001' })]);
  await writePassages(
    [
      passage(raw.old, s1.id, CUT - 2 * 3600_000, CUT - 1), // ended 1 ms before the cut: goes
      passage(raw.edge, s2.id, CUT - 3600_000, CUT), // ended exactly at the cut: stays
      passage(raw.span, s2.id, CUT - 3 * 3600_000, CUT + 3600_000), // started before, ended after: stays
      passage(raw.reg, s1.id, CUT - 5 * DAY), // a registered person's old passage: the passage goes, the person stays
      ...[1, 2, 3].map((i) => passage(raw.batch, s3.id, CUT - i * DAY)),
    ],
  );
});
afterAll(async () => {
  await removeRun(run, { people: [...allRaw, ...personalRaw, ...outbreakRaw] });
  await closeDriver();
});

describe('purge at the exact boundary', () => {
  it('counts in a dry run what it would delete, and deletes nothing', async () => {
    const r = await purge({ now: NOW, olderThanMs: 21 * DAY, dryRun: true, scope: { province } });
    expect(r).toMatchObject({ dryRun: true, cutoff: new Date(CUT).toISOString(), passages: 5, people: 2 });
    expect(await passagesOf(raw.old)).toBe(1);
  });

  it('deletes passages that ended before the cut-off, keeps one ending exactly at it, in batches', async () => {
    const dry = await purge({ now: NOW, olderThanMs: 21 * DAY, dryRun: true, scope: { province } });
    const s1Before = await atStation(s1.id);
    const r = await purge({ now: NOW, olderThanMs: 21 * DAY, batchSize: 2, scope: { province } });
    expect(r).toMatchObject({ dryRun: false, passages: 5, people: 2 });
    expect(dry).toMatchObject({ passages: 5, people: 2 });
    expect(r.batches).toBe(3);
    expect(await passagesOf(raw.old)).toBe(0);
    expect(await passagesOf(raw.reg)).toBe(0);
    expect(await passagesOf(raw.batch)).toBe(0);
    expect(await passagesOf(raw.edge)).toBe(1);
    expect(await passagesOf(raw.span)).toBe(1);
    // Unregistered people left with nothing go; a registered person stays in the registry.
    expect(await personExists(raw.old)).toBe(0);
    expect(await personExists(raw.batch)).toBe(0);
    expect(await personExists(raw.reg)).toBe(1);
    expect(await personExists(raw.edge)).toBe(1);
    // S1 and S3 held only old passages: nothing left there. S2 keeps the passages not yet ended.
    expect(s1Before).toBe(2);
    expect(await atStation(s1.id)).toBe(0);
    expect(await atStation(s3.id)).toBe(0);
    expect(await atStation(s2.id)).toBe(2);
  });

  it('deletes the passage at the cut-off one millisecond later', async () => {
    const r = await purge({ now: NOW + 1, olderThanMs: 21 * DAY, scope: { province } });
    expect(r.passages).toBe(1);
    expect(await passagesOf(raw.edge)).toBe(0);
    expect(await passagesOf(raw.span)).toBe(1);
  });

  it('is idempotent: a second run deletes nothing', async () => {
    const r = await purge({ now: NOW + 1, olderThanMs: 21 * DAY, scope: { province } });
    expect(r).toMatchObject({ passages: 0, relationships: 0, people: 0 });
  });
});

describe('stored trace results', () => {
  it('lose their result, not their metadata, once older than the cut-off', async () => {
    const base = { owner: `${run}-t`, requestRef: 'R-1', purpose: 'p', f0: pseudonym(raw.old), peopleFound: 0, truncated: false };
    const params = { from: '1989-01-01T00:00:00.000Z', to: '1989-01-02T00:00:00.000Z', depth: 2, toleranceSeconds: 900, mode: 'time-respecting' as const, closeSeconds: 900, closeOnly: false };
    const stats = { people: 0, contacts: 0, closePeople: 0, milliseconds: 1 };
    const result = { f0: base.f0, params, people: [], contacts: [], stats };
    const oldId = newTraceId();
    const edgeId = newTraceId();
    await saveTraceRecord({ ...base, id: oldId, createdAt: CUT - 1, params, stats }, result);
    await saveTraceRecord({ ...base, id: edgeId, createdAt: CUT, params, stats }, result);
    expect(await purgeTraceResults(NOW, 21 * DAY, false)).toBe(1);
    const oldRec = await getTraceRecord(oldId, true);
    const edgeRec = await getTraceRecord(edgeId, true);
    expect(oldRec).toMatchObject({ hasResult: false, requestRef: 'R-1', result: undefined });
    expect(edgeRec?.hasResult).toBe(true);
  });
});

describe('stored venue exposures', () => {
  it('lose their sealed people, not their metadata, once older than the cut-off, in every purge', async () => {
    const found = { params: { stationId: s1.id, from: '1989-12-01T00:00:00.000Z', to: '1989-12-02T00:00:00.000Z', closeSeconds: 900 }, people: [], stats: { people: 0, closePeople: 0, milliseconds: 1 }, truncated: false };
    const base = { owner: `${run}-x`, requestRef: 'X-1', purpose: 'market' };
    const oldId = newExposureId();
    const edgeId = newExposureId();
    await storeExposure({ ...base, id: oldId, createdAt: CUT - 1 }, found, { pageSize: 10, scope: undefined });
    await storeExposure({ ...base, id: edgeId, createdAt: CUT }, found, { pageSize: 10, scope: undefined });
    expect(await clearExposureResults(CUT, NOW, true)).toBeGreaterThanOrEqual(1);
    expect((await readExposureRecord(oldId, true))?.sealed).toBeDefined();
    const report = await purge({ now: NOW, olderThanMs: 21 * DAY });
    expect(report.exposureResults).toBeGreaterThanOrEqual(1);
    const oldRec = await readExposureRecord(oldId, true);
    expect(oldRec?.meta).toMatchObject({ hasResult: false, requestRef: 'X-1' });
    expect(oldRec?.sealed).toBeUndefined();
    expect((await readExposureRecord(edgeId, true))?.sealed).toBeDefined();
  });
});

describe('truyvet purge', () => {
  it('prints what it deleted as JSON and audits the purge', async () => {
    // With the real clock, everything of 1989 is old: the new passage and the one that spanned the cut.
    await writePassages([passage(raw.old, s1.id, CUT - DAY)]);
    const out = await runCli(['purge', '--older-than', '21d', '--jurisdiction', province, '--json'], { env: { TRUYVET_AUDIT_CHAIN: run } });
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as { passages: number; dryRun: boolean };
    expect(report).toMatchObject({ passages: 2, dryRun: false });
    const [e] = await listAudit({ chain: run, action: 'purge', limit: 10 });
    expect(e).toMatchObject({ role: 'cli', details: { passages: 2, jurisdiction: province } });
    expect(await passagesOf(raw.span)).toBe(0);
  });

  it('refuses a period it cannot read (exit 2)', async () => {
    expect((await runCli(['purge', '--older-than', 'three weeks'], { env: { TRUYVET_AUDIT_CHAIN: run } })).code).toBe(2);
  });
});

describe('scans, declarations and isolations', () => {
  const DECL_DAYS = 14; // not the passages' 21, so the test tells the two periods apart
  const VALID = 3 * DAY; // TRUYVET_QR_VALID_DAYS's default
  const DCUT = NOW - DECL_DAYS * DAY;
  const options = { now: NOW, olderThanMs: 21 * DAY, declarationRetentionMs: DECL_DAYS * DAY, scope: { province: province2 } };

  const scan = (id: string, at: number, over: Partial<StoredScan> = {}): StoredScan => ({
    id: `${run}-sc-${id}`,
    officerId: `${run}-officer`,
    stationId: p2.id,
    at,
    decidedAt: at,
    decision: 'pass',
    reason: 'ok',
    flags: [],
    flagged: false,
    kind: 'signed',
    pid: pseudonym(who('scan')),
    declarationId: null,
    validUntil: null,
    lat: p2.lat,
    lon: p2.lon,
    passageId: null,
    trust: 'signed',
    copiedOf: null,
    kmh: null,
    ...over,
  });
  const declaration = (key: string, declaredAt: number, validUntil: number | null): DeclarationRow => ({
    id: `d-${run}-${key}`,
    personId: pseudonym(who(key)),
    personRef: seal(who(key)),
    status: validUntil === null ? 'rejected' : 'accepted',
    platform: 'truyvet',
    declaredAt,
    receivedAt: declaredAt + 1000,
    reasons: [],
    warnings: [],
    qr: validUntil === null ? null : { token: `tok-${key}`, codeId: `q${run}-${key}`, issuedAt: validUntil - VALID, validUntil },
    declaration: { address: { province: province2, district: '001', commune: '00001' } } as unknown as UnifiedDeclaration,
  });
  const scans = () => readQuery('MATCH (s:Scan) WHERE s.id STARTS WITH $p RETURN s.id AS id ORDER BY id', { p: `${run}-sc-` }, (r) => String(r['id']).slice(`${run}-sc-`.length));
  const declarations = () => readQuery('MATCH (d:Declaration) WHERE d.id STARTS WITH $p RETURN d.id AS id ORDER BY id', { p: `d-${run}-` }, (r) => String(r['id']).slice(run.length + 3));

  beforeAll(async () => {
    await upsertStations([p2]);
    await writeScans(
      [
        scan('old', CUT - 1), // taken 1 ms before the cut-off: goes
        scan('edge', CUT), // exactly at it: stays
        scan('new', CUT + 1),
        scan('flagged', CUT - DAY, { flagged: true, flags: ['expired'], decision: 'stop', reason: 'expired' }),
        scan('nobody', CUT - DAY, { pid: null, trust: null, decision: 'stop', reason: 'tampered' }),
        scan('elsewhere', CUT - DAY, { stationId: s1.id }), // another jurisdiction: a scoped purge leaves it
      ].map((sc) => ({ province: null, district: null, commune: null, scan: sc })),
    );
    await storeDeclarations([
      declaration('dOld', DCUT - VALID - 1, DCUT - 1), // validity ended 1 ms before the cut-off
      declaration('dEdge', DCUT - VALID, DCUT), // validity ended exactly DECL_DAYS ago: stays
      declaration('dNew', DCUT - VALID + 1, DCUT + 1),
      declaration('dRej', DCUT - VALID - 1, null), // no code: its validity would have ended 1 ms before the cut-off
      declaration('dRejEdge', DCUT - VALID, null),
    ]);
  });

  it('counts in a dry run what it would delete, and deletes nothing', async () => {
    const r = await purge({ ...options, dryRun: true });
    expect(r).toMatchObject({ scans: 3, declarations: 2 });
    expect(await scans()).toHaveLength(6);
    expect(await declarations()).toHaveLength(5);
  });

  it('deletes scans taken before the passages cut-off (one at it stays) and declarations whose validity ended before their own', async () => {
    const r = await purge({ ...options, batchSize: 2 });
    expect(r).toMatchObject({ passages: 0, scans: 3, declarations: 2, people: 2 });
    expect(await scans()).toEqual(['edge', 'elsewhere', 'new']);
    expect(await declarations()).toEqual(['dEdge', 'dNew', 'dRejEdge']);
    // The declarants left with nothing (unregistered, no declaration, no passage) go with them.
    expect(await personExists(who('dOld'))).toBe(0);
    expect(await personExists(who('dRej'))).toBe(0);
    expect(await personExists(who('dEdge'))).toBe(1);
  });

  it('deletes the scan and the declarations at the cut-off one millisecond later, and nothing a second time', async () => {
    const r = await purge({ ...options, now: NOW + 1 });
    expect(r).toMatchObject({ scans: 1, declarations: 2 });
    expect(await scans()).toEqual(['elsewhere', 'new']);
    expect(await declarations()).toEqual(['dNew']);
    expect(await purge({ ...options, now: NOW + 1 })).toMatchObject({ scans: 0, declarations: 0, people: 0 });
  });

  it('deletes isolation records that ended before the cut-off; one still in force stays', async () => {
    const people = ['iEnded', 'iEdge', 'iReleased', 'iOpen'];
    await upsertPeople(people.map((k) => registryRow(who(k), { fullName: 'Trần Thị Cách Ly', birthDate: '1970-01-01', phone: '0911111111', province: province2, district: '001', commune: '00001' })));
    const set = (k: string, isolated: boolean, until: number | null, at: number) =>
      setIsolation({ personId: pseudonym(who(k)), isolated, classification: 'F1', since: CUT - 30 * DAY, until, setBy: `${run}-t`, now: at });
    await set('iEnded', true, CUT - 1, CUT - 10 * DAY); // ended 1 ms before the cut-off
    await set('iEdge', true, CUT, CUT - 10 * DAY); // ended exactly at it
    await set('iReleased', false, null, CUT - 1); // released 1 ms before it
    await set('iOpen', true, null, CUT - 30 * DAY); // until released: still holds
    const left = () => readQuery('UNWIND $pids AS pid MATCH (i:Isolation {pid: pid}) RETURN count(i) AS n', { pids: people.map((k) => pseudonym(who(k))) }, (r) => num(r['n']));
    expect((await purge({ now: NOW, olderThanMs: 21 * DAY, dryRun: true })).isolations).toBeGreaterThanOrEqual(2);
    expect(await left()).toEqual([4]);
    expect(await purgeIsolations(NOW, 21 * DAY, false)).toBe(2);
    expect(await left()).toEqual([2]);
    expect(await purgeIsolations(NOW + 1, 21 * DAY, false)).toBe(1);
    expect(await left()).toEqual([1]);
  });

  it('truyvet purge takes the declarations period from TRUYVET_DECLARATION_RETENTION_DAYS and audits every count', async () => {
    // With the real clock: validity ended 5 days ago, so 3 days of retention delete it, 21 do not.
    const now = Date.now();
    await storeDeclarations([declaration('dNow', now - 5 * DAY - VALID, now - 5 * DAY)]);
    const cli = async (days: string) => {
      const o = await runCli(['purge', '--jurisdiction', province2, '--json'], { env: { TRUYVET_AUDIT_CHAIN: run, TRUYVET_DECLARATION_RETENTION_DAYS: days } });
      expect(o.code).toBe(0);
      return JSON.parse(o.stdout) as Record<string, unknown>;
    };
    // Everything of 1989 left is old by now: the scan after the cut-off and dNew go at once.
    expect(await cli('21')).toMatchObject({ declarations: 1, scans: 1 });
    expect(await declarations()).toEqual(['dNow']);
    expect(await cli('3')).toMatchObject({ declarations: 1, scans: 0 });
    expect(await declarations()).toEqual([]);
    const events = await listAudit({ chain: run, action: 'purge', limit: 100 });
    expect(events.slice(-2).map((e) => e.details)).toEqual([
      expect.objectContaining({ declarations: 1, scans: 1, isolations: 0, jurisdiction: province2, declarationRetentionDays: 21 }),
      expect.objectContaining({ declarations: 1, scans: 0, isolations: 0, jurisdiction: province2, declarationRetentionDays: 3 }),
    ]);
  });
});

describe('follow-ups, cases and clusters', () => {
  const FU_DAYS = 10; // neither the passages' 21 nor the cases' period, so the test tells them apart
  const CASE_DAYS = 30;
  const FCUT = NOW - FU_DAYS * DAY;
  const CCUT = NOW - CASE_DAYS * DAY;
  const QUARANTINE = 14;
  const province3 = runProvince();
  const elsewhere = runProvince();
  const scoped = { now: NOW, olderThanMs: 21 * DAY, followUpRetentionMs: FU_DAYS * DAY, caseRetentionMs: CASE_DAYS * DAY, scope: { province: province3 } };
  const outbreakRun = `${run}-run`;
  const fuIds = new Map<string, string>();
  const clusterIds = new Map<string, string>();
  const caseId = (k: string) => `${run}-${k}`;

  const open = async (k: string, quarantineUntil: number) => {
    const opened = await openFollowUps({
      source: 'run',
      sourceId: outbreakRun,
      candidates: [{ personId: pseudonym(who(k)), generation: 1, exposureAt: quarantineUntil - QUARANTINE * DAY, class: 'close' }],
      quarantineDays: QUARANTINE,
      actor: `${run}-t`,
      now: quarantineUntil - 20 * DAY,
    });
    fuIds.set(k, opened.outcomes.get(pseudonym(who(k)))!.id);
  };
  const move = async (k: string, steps: readonly FollowUpStatus[], at: number) => {
    for (const status of steps) await changeFollowUpStatus({ id: fuIds.get(k)!, status, by: `${run}-o`, now: at, scope: undefined, ...(status === 'tested_positive' ? { caseId: caseId(`${k}-pos`) } : {}) });
  };
  const register = async (k: string, status: CaseStatus, changedAt: number) => {
    await registerCases([{ caseId: caseId(k), rawPersonId: who(k), confirmedAt: changedAt - 40 * DAY, warnings: [] }], { scope: undefined, by: `${run}-t`, now: changedAt - 40 * DAY, source: 'test' });
    if (status !== 'confirmed') await changeCaseStatus({ id: caseId(k), status, by: `${run}-t`, now: changedAt, scope: undefined });
  };
  const followUpsLeft = () =>
    readQuery('UNWIND $ids AS id MATCH (f:FollowUp {id: id}) RETURN collect(f.id) AS ids', { ids: [...fuIds.values()] }, (r) =>
      [...fuIds].filter(([, id]) => (r['ids'] as string[]).includes(id)).map(([k]) => k).sort(),
    ).then((x) => x[0]);
  const casesLeft = () =>
    readQuery('MATCH (c:Case) WHERE c.id STARTS WITH $p RETURN c.id AS id ORDER BY id', { p: `${run}-` }, (r) => String(r['id']).slice(run.length + 1));
  const clustersLeft = () =>
    readQuery('UNWIND $ids AS id MATCH (k:Cluster {id: id}) RETURN k.id AS id', { ids: [...clusterIds.values()] }, (r) => [...clusterIds].find(([, id]) => id === r['id'])![0]).then((x) => x.sort());

  beforeAll(async () => {
    const registered = outbreakRaw.filter((k) => !k.endsWith('cUnreg') && !k.endsWith('Now'));
    await upsertPeople(registered.map((k) => registryRow(k, { fullName: 'Lê Văn Theo', birthDate: '1970-01-01', phone: '0911111111', province: k.endsWith('Elsewhere') ? elsewhere : province3, district: '001', commune: '00001' })));
    await open('fuOld', FCUT - 2 * DAY);
    await move('fuOld', ['reached', 'quarantined', 'released'], FCUT - 1); // ended 1 ms before the cut-off: goes
    await open('fuEdge', FCUT - 2 * DAY);
    await move('fuEdge', ['reached', 'quarantined', 'released'], FCUT); // ended exactly at it: stays
    await open('fuDayBefore', FCUT - 2 * DAY);
    await move('fuDayBefore', ['reached', 'quarantined', 'released'], FCUT + DAY); // its limit is a day later: stays
    await open('fuPosQ', FCUT + DAY);
    await move('fuPosQ', ['tested_positive'], FCUT - 5 * DAY); // closed long ago, but its quarantine ends after the cut-off: stays
    await open('fuOpen', FCUT - 5 * DAY);
    await move('fuOpen', ['reached', 'quarantined'], FCUT - 6 * DAY); // open (quarantine long over, not yet released): stays
    await open('fuElsewhere', FCUT - 2 * DAY);
    await move('fuElsewhere', ['reached', 'quarantined', 'released'], FCUT - 1); // home in another province

    await register('cOld', 'recovered', CCUT - 1); // closed 1 ms before the cut-off: goes
    await register('cOldB', 'discarded', CCUT - 2 * DAY);
    await register('cEdge', 'died', CCUT); // exactly at it: stays
    await register('cDayBefore', 'recovered', CCUT + DAY);
    await register('cConfirmed', 'confirmed', CCUT - 100 * DAY); // confirmed long ago: stays
    await register('cUnreg', 'recovered', CCUT - 1); // no registry home: only an unscoped purge reaches it
    await register('cElsewhere', 'recovered', CCUT - 1);
    // Clusters across days: K1 loses its index case (the earliest) and keeps another, K2 and K3 lose their only one.
    const plan = await attachRunClusters(
      outbreakRun,
      [
        { id: 'k1', index: caseId('cOld'), cases: [caseId('cDayBefore'), caseId('cOld')] },
        { id: 'k2', index: caseId('cOldB'), cases: [caseId('cOldB')] },
        { id: 'k3', index: caseId('cEdge'), cases: [caseId('cEdge')] },
      ],
      CCUT - 50 * DAY,
    );
    for (const c of plan.creates) clusterIds.set(c.cases.includes(caseId('cOld')) ? 'K1' : c.cases.includes(caseId('cOldB')) ? 'K2' : 'K3', c.id);
    // What hangs off a case besides OF and IN: a run's TRACED, LINKED between cases, FOUND_BY of a positive test.
    await writeQuery(
      `CREATE (r:OutbreakRun {id: $rid, owner: $owner, createdAt: $at, status: 'done'})
       WITH r MATCH (a:Case {id: $old}), (b:Case {id: $confirmed})
       CREATE (r)-[:TRACED]->(a), (r)-[:TRACED]->(b), (a)-[:LINKED {run: $rid, generation: 1, at: $at}]->(b), (b)-[:LINKED {run: $rid, generation: 1, at: $at}]->(a), (a)-[:FOUND_BY]->(r)`,
      { rid: outbreakRun, owner: `${run}-o`, at: CCUT - 50 * DAY, old: caseId('cOld'), confirmed: caseId('cConfirmed') },
      () => undefined,
    );
  });

  it('counts in a dry run what it would delete, and deletes nothing', async () => {
    const r = await purge({ ...scoped, dryRun: true });
    expect(r).toMatchObject({ dryRun: true, followUps: 1, cases: 2, clusters: 1, people: 0 });
    expect(await followUpsLeft()).toHaveLength(6);
    expect(await casesLeft()).toHaveLength(8);
    expect(await clustersLeft()).toEqual(['K1', 'K2', 'K3']);
  });

  it('deletes follow-ups that ended and closed cases before their cut-offs, in the home jurisdiction, with their relationships and emptied clusters', async () => {
    const r = await purge({ ...scoped, batchSize: 1 });
    expect(await followUpsLeft()).toEqual(['fuDayBefore', 'fuEdge', 'fuElsewhere', 'fuOpen', 'fuPosQ']);
    // The positive test's case is confirmed: it stays with the rest.
    expect(await casesLeft()).toEqual(['cConfirmed', 'cDayBefore', 'cEdge', 'cElsewhere', 'cUnreg', 'fuPosQ-pos']);
    // K1 keeps its id and its other case, now its index case; K2 had only cOldB.
    expect(await clustersLeft()).toEqual(['K1', 'K3']);
    expect(r).toMatchObject({ dryRun: false, followUps: 1, cases: 2, clusters: 1, people: 0 });
    const k1 = clusterIds.get('K1')!;
    expect(await readQuery('MATCH (k:Cluster {id: $k})<-[:IN]-(c:Case) RETURN k.indexCase AS index, collect(c.id) AS cases', { k: k1 }, (x) => x)).toEqual([
      { index: caseId('cDayBefore'), cases: [caseId('cDayBefore')] },
    ]);
    // Nothing of cOld hangs in the graph; the run stays with its other case.
    expect(await count('MATCH ()-[l:LINKED]->() WHERE l.run = $rid RETURN count(l) AS n', { rid: outbreakRun })).toBe(0);
    expect(await count('MATCH (:OutbreakRun {id: $rid})-[t:TRACED]->(c:Case) RETURN count(c) AS n', { rid: outbreakRun })).toBe(1);
    expect(await count('MATCH (:OutbreakRun {id: $rid})<-[f:FOUND_BY]-() RETURN count(f) AS n', { rid: outbreakRun })).toBe(0);
    // Registered case persons stay in the registry.
    expect(await personExists(who('cOld'))).toBe(1);
  });

  it('deletes those at the cut-off one millisecond later, keeps the day before the limit and open ones, and nothing a second time', async () => {
    const r = await purge({ ...scoped, now: NOW + 1 });
    expect(r).toMatchObject({ followUps: 1, cases: 1, clusters: 1 });
    expect(await followUpsLeft()).toEqual(['fuDayBefore', 'fuElsewhere', 'fuOpen', 'fuPosQ']);
    expect(await casesLeft()).toEqual(['cConfirmed', 'cDayBefore', 'cElsewhere', 'cUnreg', 'fuPosQ-pos']);
    expect(await clustersLeft()).toEqual(['K1']);
    expect(await purge({ ...scoped, now: NOW + 1 })).toMatchObject({ followUps: 0, cases: 0, clusters: 0, people: 0 });
  });

  it('an unscoped purge reaches every home, and an unregistered case person left with nothing', async () => {
    expect(await personExists(who('cUnreg'))).toBe(1);
    const { scope: _scope, ...everywhere } = scoped;
    const r = await purge({ ...everywhere, now: NOW + 1 });
    expect(r.followUps).toBeGreaterThanOrEqual(1);
    expect(r.cases).toBeGreaterThanOrEqual(2);
    expect(await followUpsLeft()).toEqual(['fuDayBefore', 'fuOpen', 'fuPosQ']);
    expect(await casesLeft()).toEqual(['cConfirmed', 'cDayBefore', 'fuPosQ-pos']);
    expect(await personExists(who('cUnreg'))).toBe(0);
  });

  it('truyvet purge takes the periods from TRUYVET_FOLLOWUP_RETENTION_DAYS and TRUYVET_CASE_RETENTION_DAYS and audits the counts', async () => {
    // With the real clock, in a province of its own: a follow-up and a case closed 5 days ago.
    const now = Date.now();
    const fresh = runProvince();
    await upsertPeople(['fuNow', 'cNow'].map((k) => registryRow(who(k), { fullName: 'Phạm Thị Mới', birthDate: '1970-01-01', phone: '0911111111', province: fresh, district: '001', commune: '00001' })));
    await open('fuNow', now - 6 * DAY);
    await move('fuNow', ['reached', 'quarantined', 'released'], now - 5 * DAY);
    await register('cNow', 'recovered', now - 5 * DAY);
    const cli = async (days: string, more: string[] = []) => {
      const o = await runCli(['purge', '--jurisdiction', fresh, '--json', ...more], { env: { TRUYVET_AUDIT_CHAIN: run, TRUYVET_FOLLOWUP_RETENTION_DAYS: days, TRUYVET_CASE_RETENTION_DAYS: days } });
      expect(o.code).toBe(0);
      return JSON.parse(o.stdout) as Record<string, unknown>;
    };
    expect(await cli('6')).toMatchObject({ followUps: 0, cases: 0 });
    expect(await cli('4', ['--dry-run'])).toMatchObject({ dryRun: true, followUps: 1, cases: 1 });
    expect(await followUpsLeft()).toContain('fuNow');
    expect(await casesLeft()).toContain('cNow');
    expect(await cli('4')).toMatchObject({ followUps: 1, cases: 1, clusters: 0 });
    expect(await followUpsLeft()).not.toContain('fuNow');
    expect(await casesLeft()).not.toContain('cNow');
    const events = await listAudit({ chain: run, action: 'purge', limit: 100 });
    expect(events.slice(-3).map((e) => e.details)).toEqual([
      expect.objectContaining({ followUps: 0, cases: 0, clusters: 0, jurisdiction: fresh, followUpRetentionDays: 6, caseRetentionDays: 6 }),
      expect.objectContaining({ dryRun: true, followUps: 1, cases: 1, jurisdiction: fresh, followUpRetentionDays: 4 }),
      expect.objectContaining({ followUps: 1, cases: 1, clusters: 0, jurisdiction: fresh, followUpRetentionDays: 4, caseRetentionDays: 4 }),
    ]);
  });
});
