import fs from 'node:fs';
import path from 'node:path';
import type { Path } from 'neo4j-driver';
import { registerTracedCases } from '../../engine/cases';
import { clusterOfCase } from '../../engine/clusters';
import { int } from '../../engine/db/convert';
import { closeDriver, readQuery, writeQuery } from '../../engine/db/driver';
import { createRun, executeRun, newOutbreakRunId, outbreakRunResult } from '../../engine/outbreak-store';
import type { OutbreakRequest } from '../../engine/outbreak/request';
import type { OutbreakResult } from '../../engine/types';
import { runProvince } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { tempDir } from '../helpers/imports';
import { loadTinyCity, type TinyCity } from '../helpers/tiny';

/**
 * The Cypher queries docs/outbreaks.md gives analysts to paste into Neo4j Browser, taken from the
 * page itself and run against a stored run over the tiny city, so the page cannot rot: each must
 * parse, and answer what the run's own result says.
 */

const DOC = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'outbreaks.md'), 'utf8');

/** The query of docs/outbreaks.md whose block starts with `// query: name`. */
function docQuery(name: string): string {
  const blocks = [...DOC.matchAll(/```cypher\n\/\/ query: ([\w-]+)\n([\s\S]*?)```/g)];
  const found = blocks.find((b) => b[1] === name);
  if (!found) throw new Error(`docs/outbreaks.md has no query '${name}'`);
  return found[2]!;
}

const run = newRunId('obq');
const province = runProvince();
const dir = tempDir('outbreak-docs');
let city: TinyCity;
let runId = '';
let whole: OutbreakResult;
const DAY = 86_400_000;

const REQUEST: OutbreakRequest = { selection: {}, depth: 2, toleranceSeconds: 900, mode: 'time-respecting', closeOnly: false };

beforeAll(async () => {
  city = await loadTinyCity(run, province, dir);
  await registerTracedCases(city.cases, { by: `${run}-setup`, now: Date.now(), source: 'test' });
  const { meta, params } = await createRun(
    { id: newOutbreakRunId(), owner: `${run}-tracer`, requestRef: 'SYT-2021/0815', purpose: 'docs queries test', createdAt: Date.now(), source: 'api', instance: `${run}.1`, scope: { province } },
    city.cases,
    REQUEST,
  );
  const outcome = await executeRun(meta.id, params, { now: () => Date.now() });
  expect(outcome.status).toBe('done');
  runId = meta.id;
  whole = (await outbreakRunResult(runId))!;
  expect(whole.clusters).toHaveLength(1);
});
afterAll(async () => {
  await removeRun(run, { people: city.people });
  await closeDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the queries of docs/outbreaks.md', () => {
  it("a cluster's chain in a run draws exactly the run's links between the cluster's cases", async () => {
    const cluster = whole.clusters[0]!;
    const paths = await readQuery(docQuery('run-cluster-chain'), { run: runId, cluster: cluster.id }, (r) => r['p'] as Path);
    const got = paths.map((p) => `${String(p.start.properties['id'])}>${String(p.end.properties['id'])}`).sort();
    const members = new Set(cluster.cases);
    const expected = whole.links.filter((l) => members.has(l.from) && members.has(l.to)).map((l) => `${l.from}>${l.to}`).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(got).toEqual(expected);
    // Another cluster id of the same run draws nothing.
    expect(await readQuery(docQuery('run-cluster-chain'), { run: runId, cluster: 'cl-none' }, (r): unknown => r['p'])).toEqual([]);
  });

  it("the busiest stations of a cluster count the run's contact pairs reached from its case persons in two steps", async () => {
    const cluster = whole.clusters[0]!;
    const rows = await readQuery(docQuery('run-cluster-stations'), { run: runId, cluster: cluster.id }, (r) => ({
      station: r['station'] as string,
      pairs: Number(r['pairs']),
      contacts: Number(r['contacts']),
    }));
    // From the sealed result: each (source, target) pair at its earliest contact, reached from the cluster's case persons.
    const byPair = new Map<string, { source: string; target: string; at: string; station: string; contacts: number }>();
    for (const c of whole.contacts) {
      const key = `${c.source}>${c.target}`;
      const p = byPair.get(key);
      if (!p) byPair.set(key, { source: c.source, target: c.target, at: c.at, station: c.stationId, contacts: 1 });
      else {
        p.contacts++;
        if (c.at < p.at) [p.at, p.station] = [c.at, c.stationId];
      }
    }
    const persons = new Set(city.cases.filter((c) => cluster.cases.includes(c.caseId)).map((c) => c.personId));
    const step1 = [...byPair.values()].filter((p) => persons.has(p.source));
    const reached = new Set(step1.map((p) => p.target));
    const step2 = [...byPair.values()].filter((p) => reached.has(p.source));
    const expected = new Map<string, { pairs: number; contacts: number }>();
    for (const p of new Set([...step1, ...step2])) {
      const e = expected.get(p.station) ?? { pairs: 0, contacts: 0 };
      expected.set(p.station, { pairs: e.pairs + 1, contacts: e.contacts + p.contacts });
    }
    const want = [...expected].map(([station, v]) => ({ station, ...v })).sort((a, b) => b.pairs - a.pairs || (a.station < b.station ? -1 : 1));
    expect(want.length).toBeGreaterThan(1);
    expect(rows).toEqual(want.slice(0, 10));
  });

  it("a cluster's chain across days draws the links between the cluster's cases (the run attached its cluster when done)", async () => {
    const cluster = whole.clusters[0]!;
    const id = (await clusterOfCase(cluster.index))!;
    expect(id).toMatch(/^cl-[0-9a-f]{16}$/);
    const paths = await readQuery(docQuery('cluster-chain'), { cluster: id }, (r) => r['p'] as Path);
    const got = paths.map((p) => `${String(p.start.properties['id'])}>${String(p.end.properties['id'])}`).sort();
    expect(got).toEqual(whole.links.map((l) => `${l.from}>${l.to}`).sort());
  });

  it('the busiest stations of a cluster across days count its distinct linked pairs per station', async () => {
    const id = (await clusterOfCase(whole.clusters[0]!.index))!;
    const rows = await readQuery(docQuery('cluster-stations'), { cluster: id }, (r) => ({ station: r['station'] as string, links: Number(r['links']) }));
    const per = new Map<string, Set<string>>();
    for (const l of whole.links) per.set(l.stationId, new Set([...(per.get(l.stationId) ?? []), `${l.from}>${l.to}`]));
    const want = [...per].map(([station, pairs]) => ({ station, links: pairs.size })).sort((a, b) => b.links - a.links || (a.station < b.station ? -1 : 1));
    expect(rows).toEqual(want.slice(0, 10));
  });

  it('clusters that grew in the last 7 days list this run’s cluster with its size and the cases added', async () => {
    const cluster = whole.clusters[0]!;
    const id = (await clusterOfCase(cluster.index))!;
    const rows = await readQuery(docQuery('clusters-last-7-days'), {}, (r) => ({ cluster: r['cluster'] as string, indexCase: r['indexCase'] as string, size: Number(r['size']), added: Number(r['added']) }));
    expect(rows.find((r) => r.cluster === id)).toEqual({ cluster: id, indexCase: cluster.index, size: cluster.cases.length, added: cluster.cases.length });
  });

  it('cases linked in the last 7 days lists a link of two days ago, newest first, and not one of ten days ago', async () => {
    const [a, b, c] = [city.cases[0]!.caseId, city.cases[1]!.caseId, city.cases[2]!.caseId];
    const marker = `${run}-recent`;
    const now = Date.now();
    await writeQuery(
      `UNWIND $rows AS row MATCH (x:Case {id: row[0]}), (y:Case {id: row[1]})
       CREATE (x)-[:LINKED {run: $marker, generation: 1, at: row[2], station: 'S', overlapSeconds: 900}]->(y)`,
      { marker, rows: [[a, b, int(now - 2 * DAY)], [b, c, int(now - 1 * DAY)], [a, c, int(now - 10 * DAY)]] },
      () => undefined,
    );
    const rows = await readQuery(docQuery('linked-last-7-days'), {}, (r) => ({ from: r['from'] as string, to: r['to'] as string, run: r['run'] as string }));
    expect(rows.filter((r) => r.run === marker).map((r) => `${r.from}>${r.to}`)).toEqual([`${b}>${c}`, `${a}>${b}`]);
  });
});
