import fs from 'node:fs';
import { registerTracedCases } from '../../engine/cases';
import { clusterFor, clusterOfCase, clustersFor, type ClusterView } from '../../engine/clusters';
import { closeDriver, readQuery, writeQuery } from '../../engine/db/driver';
import { createRun, executeRun, newOutbreakRunId, outbreakRunResult } from '../../engine/outbreak-store';
import type { OutbreakRequest } from '../../engine/outbreak/request';
import { runProvince } from '../helpers/builders';
import { runCli } from '../helpers/cli';
import { newRunId, removeRun } from '../helpers/cleanup';
import { tempDir } from '../helpers/imports';
import { loadTinyCity, type TinyCity } from '../helpers/tiny';

/**
 * Clusters across days (issue 22 point 4) from stored outbreak runs over the tiny city, whose
 * planted links are C-7-0008 → C-7-0002 (generation 1), C-7-0002 → C-7-0004 (1),
 * C-7-0002 → C-7-0003 (2), C-7-0008 → C-7-0006 (2) (fixtures/tiny/cases.json). Each test runs
 * outbreak runs over some of the cases, on the days it says, and starts with no cluster.
 */

const run = newRunId('clu');
const province = runProvince();
let other = runProvince();
while (other === province) other = runProvince();
const dir = tempDir('clusters');
let city: TinyCity;
const DAY = 86_400_000;
const DAY1 = Date.parse('2021-08-02T12:00:00Z');

const request = (depth: number): OutbreakRequest => ({ selection: {}, depth, toleranceSeconds: 900, mode: 'time-respecting', closeOnly: false });
const c = (n: string) => city.caseId(`C-7-000${n}`);

/** A run of these fixture cases, stored and done on `day`; returns its run id. */
async function runOn(day: number, cases: string[], depth = 1): Promise<string> {
  const chosen = city.cases.filter((x) => cases.includes(x.caseId));
  expect(chosen).toHaveLength(cases.length);
  const { meta, params } = await createRun(
    { id: newOutbreakRunId(), owner: `${run}-tracer`, requestRef: 'SYT-2021/0815', purpose: 'clusters test', createdAt: day, source: 'api', instance: `${run}.1`, scope: undefined },
    chosen,
    request(depth),
  );
  const outcome = await executeRun(meta.id, params, { now: () => day });
  expect(outcome.status).toBe('done');
  return meta.id;
}

const national = async (id: string): Promise<ClusterView> => {
  const v = await clusterFor(id, undefined);
  if (v === undefined || v === 'outside') throw new Error(`no cluster ${id}`);
  return v;
};

beforeAll(async () => {
  city = await loadTinyCity(run, province, dir);
  await registerTracedCases(city.cases, { by: `${run}-setup`, now: Date.now(), source: 'test' });
});
beforeEach(async () => {
  await writeQuery('MATCH (c:Case)-[:IN]->(k:Cluster) WHERE c.id STARTS WITH $run WITH DISTINCT k DETACH DELETE k', { run }, () => undefined);
});
afterAll(async () => {
  await removeRun(run, { people: city.people });
  await closeDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('clusters across days', () => {
  it("when day 2's run links a new case to day 1's cluster, the case joins it and the id stays", async () => {
    const r1 = await runOn(DAY1, [c('8'), c('2')]);
    const day1 = (await clusterOfCase(c('8')))!;
    expect(day1).toMatch(/^cl-[0-9a-f]{16}$/);
    expect(await clusterOfCase(c('2'))).toBe(day1);
    expect(await clusterOfCase(c('4'))).toBeUndefined();
    // Day 2: the cases still infectious and the new one; the planted link C-7-0002 → C-7-0004 joins them.
    const r2 = await runOn(DAY1 + DAY, [c('2'), c('4')]);
    expect((await outbreakRunResult(r2))!.links).toContainEqual(expect.objectContaining({ from: c('2'), to: c('4') }));
    expect(await clusterOfCase(c('4'))).toBe(day1);
    const v = await national(day1);
    expect(v).toMatchObject({ id: day1, indexCase: c('8'), size: 3, merged: [], createdAt: new Date(DAY1).toISOString(), updatedAt: new Date(DAY1 + DAY).toISOString(), outsideCases: 0 });
    // Size by day (Ho Chi Minh City days): C-7-0002 on 2 August, C-7-0004 on 3 August, C-7-0008 at midnight of 4 August.
    expect(v.days).toEqual([
      { day: '2021-08-02', cases: 1, total: 1 },
      { day: '2021-08-03', cases: 1, total: 2 },
      { day: '2021-08-04', cases: 1, total: 3 },
    ]);
    // Stations of its links: the planted ones at least (ST0004, ST0012); communes of its case persons, all in the run's province.
    expect(v.stations!.map((s) => s.id)).toEqual(expect.arrayContaining([city.stationId('ST0004'), city.stationId('ST0012')]));
    expect(v.communes.reduce((n, x) => n + x.cases, 0) + v.unregistered).toBe(3);
    expect(v.communes.every((x) => x.province === province)).toBe(true);
    // Which run brought each case in.
    const joined = await readQuery('MATCH (c:Case)-[i:IN]->(:Cluster {id: $id}) RETURN c.id AS c, i.run AS run ORDER BY c', { id: day1 }, (r) => [r['c'] as string, r['run'] as string]);
    expect(joined).toEqual([[c('2'), r1], [c('4'), r2], [c('8'), r1]].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
  });

  it('a run whose link joins two clusters merges them into the older; the other id finds the merged cluster', async () => {
    await runOn(DAY1, [c('2'), c('4')]);
    const older = (await clusterOfCase(c('2')))!;
    await runOn(DAY1 + DAY, [c('8'), c('6')], 2);
    const younger = (await clusterOfCase(c('8')))!;
    expect(younger).not.toBe(older);
    expect(await clusterOfCase(c('6'))).toBe(younger);
    // Day 3: the link C-7-0008 → C-7-0002 joins them.
    await runOn(DAY1 + 2 * DAY, [c('8'), c('2')]);
    for (const n of ['2', '4', '8', '6']) expect(await clusterOfCase(c(n))).toBe(older);
    const v = await national(older);
    expect(v).toMatchObject({ id: older, merged: [younger], size: 4, indexCase: c('8'), updatedAt: new Date(DAY1 + 2 * DAY).toISOString() });
    expect(await readQuery('MATCH (k:Cluster {id: $id}) RETURN k.id AS id', { id: younger }, (r): unknown => r['id'])).toEqual([]);
    expect((await national(younger)).id).toBe(older);
  });

  it('is seen only by readers with a case of it living inside their jurisdiction, who see only those cases', async () => {
    await runOn(DAY1, [c('8'), c('2')]);
    const id = (await clusterOfCase(c('2')))!;
    const all = await national(id);
    expect(all.cases.map((x) => x.id).sort()).toEqual([c('2'), c('8')].sort());
    expect((await clustersFor({ scope: { province }, skip: 0, limit: 1000 })).map((k) => k.id)).toContain(id);
    expect((await clustersFor({ scope: { province: other }, skip: 0, limit: 1000 })).map((k) => k.id)).not.toContain(id);
    expect(await clusterFor(id, { province: other })).toBe('outside');
    expect(await clusterFor('cl-0000000000000000', { province })).toBeUndefined();
    // A district holding one of the two case persons: that case only, the index case's id only if it lives there.
    const homes = all.cases.filter((x) => x.home !== null);
    const one = homes.find((x) => homes.filter((y) => y.home!.district === x.home!.district).length === 1);
    if (!one) throw new Error('the two case persons live in one district');
    const scoped = await clusterFor(id, { province, district: one.home!.district });
    if (scoped === undefined || scoped === 'outside') throw new Error('not visible');
    expect(scoped.cases.map((x) => x.id)).toEqual([one.id]);
    expect(scoped).toMatchObject({ size: 2, outsideCases: 1, indexCase: one.id === c('8') ? c('8') : null });
  });

  it('truyvet clusters --json lists the cluster as a national reader sees it, and --since refuses a bad instant naming the flag', async () => {
    await runOn(DAY1, [c('8'), c('2')]);
    const id = (await clusterOfCase(c('2')))!;
    const r = await runCli(['clusters', '--json', '--limit', '1000'], { env: { TRUYVET_AUDIT_CHAIN: run }, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    const listed = (JSON.parse(r.stdout) as { clusters: ClusterView[] }).clusters.find((k) => k.id === id);
    expect(listed).toEqual({ ...(await national(id)), stations: undefined });
    const bad = await runCli(['clusters', '--since', 'yesterday'], { env: { TRUYVET_AUDIT_CHAIN: run }, timeoutMs: 120_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since');
  });
});
