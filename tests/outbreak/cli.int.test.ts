import fs from 'node:fs';
import { listAudit } from '../../engine/audit/store';
import { registerCases } from '../../engine/cases';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { writePassages } from '../../engine/db/passages';
import { upsertStations } from '../../engine/db/stations';
import { passage, runProvince, station } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { runCli } from '../helpers/cli';
import { tempDir, writeFile } from '../helpers/imports';
import { loadTinyCity, type TinyCity } from '../helpers/tiny';

/**
 * `truyvet outbreak trace` as a script would call it: the tiny city's cases.csv (under the run's
 * prefix) and registered cases chosen by confirmation time, raw person keys out, the JSON
 * contract, the summary table, the run stored like the API's (record, TRACED, CONTACT, LINKED,
 * the file's cases registered) or not (`--no-store`), the audit, exit codes for bad input.
 */

const run = newRunId('obc');
const province = runProvince();
const dir = tempDir('outbreak-cli');
let city: TinyCity;
const REQ = ['--request-ref', 'SYT-2021/0901', '--purpose', 'the day’s confirmed cases'];
const truyvet = (args: string[]) => runCli(['outbreak', 'trace', ...REQ, ...args], { env: { TRUYVET_AUDIT_CHAIN: run }, timeoutMs: 120_000 });

// A scene of its own in March 2002, so that selecting by confirmation time finds only its cases.
const sc = (n: string) => `${run}-sc-${n}`;
const T = (day: number, hh: number) => Date.UTC(2002, 2, day, hh - 7);

interface Out {
  run?: string;
  cases: string[];
  params: { depth: number; mode: string; until: string };
  people: { id: string; generation: number; via: string[]; cases: { case: string; at: string }[] }[];
  contacts: { source: string; target: string }[];
  links: { from: string; to: string; generation: number; at: string; via?: string }[];
  clusters: { id: string; index: string; cases: string[] }[];
  stats: { people: number; contacts: number; links: number; clusters: number };
}

beforeAll(async () => {
  city = await loadTinyCity(run, province, dir);
  const s = station(sc('S1'), { province, district: '001', commune: '00001' });
  await upsertStations([s]);
  await writePassages([
    passage(sc('A'), s.id, T(5, 10), T(5, 11)),
    passage(sc('C'), s.id, T(5, 10) + 600_000), // C meets A (F1 of case 1)
    passage(sc('C'), s.id, T(6, 9)),
    passage(sc('B'), s.id, T(6, 9) + 300_000), // then B (case 2): a link 1 → 2 through C
  ]);
  await registerCases(
    [
      { caseId: sc('1'), rawPersonId: sc('A'), confirmedAt: T(5, 18), warnings: [] },
      { caseId: sc('2'), rawPersonId: sc('B'), confirmedAt: T(7, 12), warnings: [] },
    ],
    { scope: undefined, by: `${run}-setup`, now: Date.now(), source: 'test' },
  );
});
afterAll(async () => {
  await removeRun(run, { people: [...city.people, ...['A', 'B', 'C'].map(sc)] });
  await closeDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

const runsOver = (caseId: string) =>
  readQuery('MATCH (r:OutbreakRun)-[:TRACED]->(:Case {id: $caseId}) RETURN r {.*, result: r.result IS NOT NULL} AS r ORDER BY r.createdAt', { caseId }, (x) => x['r'] as Record<string, unknown>);

describe('truyvet outbreak trace --cases FILE', () => {
  let out: Out;
  beforeAll(async () => {
    const r = await truyvet(['--cases', city.casesFile, '--depth', '2', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    out = JSON.parse(r.stdout) as Out;
  });

  it('prints the OutbreakResult with the files’ raw person keys, the cases each person got, links and the planted cluster', () => {
    expect(out.cases).toEqual(city.cases.map((c) => c.caseId).sort());
    expect(out.params).toMatchObject({ depth: 2, mode: 'time-respecting' });
    expect(out.people.length).toBe(out.stats.people);
    expect(out.people.every((p) => p.id.startsWith(run) && p.via.every((v) => v.startsWith(run)) && p.cases.length > 0)).toBe(true);
    expect(out.contacts.every((c) => c.source.startsWith(run) && c.target.startsWith(run))).toBe(true);
    for (const l of city.expected.links.filter((x) => x.generation === 1)) {
      expect(out.links).toContainEqual(expect.objectContaining({ from: city.caseId(l.from), to: city.caseId(l.to), generation: 1, at: l.contactAt }));
    }
    expect(out.clusters[0]).toMatchObject({ index: city.caseId('C-7-0008') });
    expect(out.clusters[0]!.cases).toEqual(expect.arrayContaining(city.expected.clusters[0]!.cases.map(city.caseId)));
  });

  it('stores the run like the API: its record (owned by the OS user), TRACED cases registered from the file, CONTACT and LINKED relationships', async () => {
    expect(out.run).toMatch(/^ob[0-9a-f]{24}$/);
    const [r] = await runsOver(city.caseId('C-7-0008'));
    expect(r).toMatchObject({ id: out.run, source: 'cli', status: 'done', caseCount: 8, depth: 2, people: out.stats.people, links: out.stats.links, clusters: out.stats.clusters, result: true });
    expect(String(r!['owner'])).toMatch(/^os:/);
    const cases = await readQuery('MATCH (c:Case) WHERE c.id STARTS WITH $p RETURN c.source AS source, count(c) AS n', { p: `${run}-C-7` }, (x): [unknown, number] => [x['source'], Number(x['n'])]);
    expect(cases).toEqual([['outbreak-file', 8]]);
    const [linked] = await readQuery('MATCH ()-[l:LINKED]->() WHERE l.run = $id RETURN count(l) AS n', { id: out.run }, (x) => Number(x['n']));
    expect(linked).toBe(out.stats.links);
    const [contacts] = await readQuery('MATCH ()-[c:CONTACT]->() WHERE c.run = $id RETURN count(c) AS n', { id: out.run }, (x) => Number(x['n']));
    expect(contacts).toBe(new Set(out.contacts.map((c) => `${c.source}>${c.target}`)).size);
  });

  it('is audited as the API audits a run, as the command line’s operator: request, purpose, counts; never who nor which cases', async () => {
    const [e] = (await listAudit({ chain: run, action: 'outbreak.create', limit: 10 })).filter((x) => x.details?.['run'] === out.run);
    expect(e).toMatchObject({ role: 'cli', outcome: 'ok', requestRef: 'SYT-2021/0901', count: out.stats.people, details: { cases: 8, depth: 2, links: out.stats.links, clusters: out.stats.clusters, stored: true } });
    const [reg] = await listAudit({ chain: run, action: 'cases.create', limit: 10 });
    expect(reg).toMatchObject({ role: 'cli', count: 8, details: { created: 8, source: 'outbreak-file' } });
    const text = JSON.stringify(e);
    for (const k of city.people) expect(text).not.toContain(k);
    expect(text).not.toContain('C-7-0008');
  });

  it('with --no-store traces the same and writes no run; a second stored run is a second record beside the first', async () => {
    const before = (await runsOver(city.caseId('C-7-0008'))).length;
    const r = await truyvet(['--cases', city.casesFile, '--depth', '2', '--json', '--no-store']);
    expect(r.code).toBe(0);
    const again = JSON.parse(r.stdout) as Out;
    expect(again.run).toBeUndefined();
    expect(again.people).toEqual(out.people);
    expect((await runsOver(city.caseId('C-7-0008'))).length).toBe(before);
    const stored = await truyvet(['--cases', city.casesFile, '--depth', '1', '--json']);
    expect(stored.code).toBe(0);
    expect((await runsOver(city.caseId('C-7-0008'))).length).toBe(before + 1);
  });

  it('prints a summary table: cases, people per generation, contacts, links, clusters, and the clusters and links', async () => {
    const r = await truyvet(['--cases', city.casesFile, '--depth', '2', '--no-store']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^cases\s+people\s+F1\s+F2\s+contacts\s+links\s+clusters$/);
    expect(lines[1]).toMatch(new RegExp(`^8\\s+${out.stats.people}\\s+\\d+\\s+\\d+\\s+${out.stats.contacts}\\s+${out.stats.links}\\s+1$`));
    expect(r.stdout).toContain(`cl-${city.caseId('C-7-0008')}`);
    expect(r.stdout).toContain(`${city.caseId('C-7-0008')} → ${city.caseId('C-7-0002')}`);
    expect(r.stdout).toMatch(/8 cases: .* 1 clusters; time-respecting, tolerance 15 min, .*; not stored/);
  });
});

describe('truyvet outbreak trace --confirmed-since', () => {
  it('traces the registered cases confirmed in the window: F1s with each case they met, a link through the F1 who met both', async () => {
    const r = await truyvet(['--confirmed-since', '2002-03-01', '--confirmed-until', '2002-03-31', '--depth', '1', '--json', '--no-store']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Out;
    expect(out.cases).toEqual([sc('1'), sc('2')]);
    expect(out.people).toEqual([expect.objectContaining({ id: sc('C'), generation: 1, cases: [{ case: sc('1'), at: new Date(T(5, 10) + 600_000).toISOString() }, { case: sc('2'), at: new Date(T(6, 9) + 300_000).toISOString() }] })]);
    expect(out.links).toEqual([expect.objectContaining({ from: sc('1'), to: sc('2'), generation: 2, via: sc('C'), at: new Date(T(6, 9) + 300_000).toISOString() })]);
    expect(out.clusters).toEqual([{ id: `cl-${sc('1')}`, index: sc('1'), cases: [sc('1'), sc('2')] }]);
  });

  it('exits 2 with no case in the window, naming --confirmed-since', async () => {
    const r = await truyvet(['--confirmed-since', '2000-01-02', '--confirmed-until', '2000-01-03']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--confirmed-since');
  });
});

describe('bad input', () => {
  it.each([
    [[], '--confirmed-since', 'choose the cases'],
    [['--confirmed-since', '2002-03-01', '--cases', 'x.csv'], '--cases', 'not both'],
    [['--confirmed-since', '2002-03-01', '--depth', '9'], '--depth', 'not a whole number from 1 to 6'],
    [['--confirmed-since', '2002-03-01', '--tolerance', '2d'], '--tolerance', 'at most a day'],
    [['--confirmed-since', '2002-03-05', '--confirmed-until', '2002-03-01'], '--confirmed-until', 'is before confirmedSince'],
    [['--confirmed-since', '2002-03-01', '--confirmed-until', '2002-03-31', '--until', '2002-03-30'], '--until', 'more than 21 days'],
    [['--profile', 'lab-vn', '--confirmed-since', '2002-03-01'], '--profile', 'without --cases'],
  ])('%j exits 2 naming %s', async (flags, flag, reason) => {
    const r = await truyvet(flags);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(flag);
    expect(r.stderr).toContain(reason);
    expect(r.stdout).toBe('');
  });

  it('exits 2 for a cases file with a line it cannot read, naming the line, and traces nothing', async () => {
    const file = writeFile(dir, 'bad.csv', `case_id,person_id,confirmed_at\n${sc('9')},${sc('A')},2002-03-05T18:00\n${sc('10')},${sc('B')},yesterday\n`);
    const r = await truyvet(['--cases', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('line 3');
    expect(r.stderr).toContain('confirmed_at');
  });

  it('exits 4 for a case whose person the graph does not know, and registers nothing', async () => {
    const file = writeFile(dir, 'ghost.csv', `case_id,person_id,confirmed_at\n${sc('ghost')},${sc('nobody')},2002-03-05T18:00\n`);
    const r = await truyvet(['--cases', file]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(sc('ghost'));
    expect(await readQuery('MATCH (c:Case {id: $id}) RETURN count(c) AS n', { id: sc('ghost') }, (x) => Number(x['n']))).toEqual([0]);
  });
});
