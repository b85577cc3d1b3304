import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import neo4j, { type Driver } from 'neo4j-driver';
import { unseal } from '../../engine/identity';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/imports';

/**
 * `truyvet import --bulk DIR` against the online import, on a Neo4j of its own: the bulk path
 * stops and restarts its server, so it never runs against the suite's shared database. A small
 * generated city, with rows planted to be rejected or repeated, is loaded both ways into the same
 * empty store; both graphs must hold the same nodes with the same properties (sealed values
 * compared opened; stamps of the run left out) and both imports must report the same rejects.
 */

jest.setTimeout(20 * 60_000);

const dir = tempDir('bulk');
const home = path.join(dir, 'neo4j');
const city = path.join(dir, 'city');
let port = 0;
let env: NodeJS.ProcessEnv = {};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

const truyvet = (args: readonly string[], timeoutMs = 10 * 60_000) => runCli(args, { baseEnv: env, timeoutMs });

async function ok(args: readonly string[]): Promise<string> {
  const r = await truyvet(args);
  if (r.code !== 0) throw new Error(`truyvet ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function driver(): Driver {
  const pw = fs.readFileSync(path.join(home, 'password'), 'utf8').trim();
  return neo4j.driver(`bolt://127.0.0.1:${port}`, neo4j.auth.basic('neo4j', pw), { disableLosslessIntegers: true });
}

/** Run stamps and ids that differ between two loads of the same files by design. */
const STAMPS = new Set(['createdAt', 'updatedAt', 'statusChangedAt', 'createdBy', 'updatedBy', 'statusChangedBy', 'importRun']);
const OPENED = new Set(['ref', 'data']);

/** The graph as comparable text: counts per data label and of OF, and every data node's properties. */
async function snapshot(): Promise<{ counts: Record<string, number>; nodes: Record<string, string[]> }> {
  const d = driver();
  try {
    const counts: Record<string, number> = {};
    const nodes: Record<string, string[]> = {};
    for (const label of ['Station', 'Person', 'Identity', 'Passage', 'Case']) {
      // Fixed labels of this test, not input.
      const r = await d.executeQuery(`MATCH (n:${label}) RETURN properties(n) AS p`);
      counts[label] = r.records.length;
      nodes[label] = r.records
        .map((rec) => {
          const p = rec.get('p') as Record<string, unknown>;
          const kept = Object.keys(p)
            .filter((k) => !STAMPS.has(k))
            .sort()
            .map((k) => [k, OPENED.has(k) ? unseal(String(p[k])) : p[k]]);
          return JSON.stringify(kept);
        })
        .sort();
    }
    const of = await d.executeQuery('MATCH (c:Case)-[:OF]->(p:Person) WHERE c.personId = p.id RETURN count(*) AS n');
    counts['OF'] = Number(of.records[0]?.get('n'));
    return { counts, nodes };
  } finally {
    await d.close();
  }
}

/** Stops the server and removes its `neo4j` database: the next start makes an empty one. */
async function emptyStore(): Promise<void> {
  await ok(['neo4j', 'stop']);
  for (const sub of ['databases', 'transactions']) fs.rmSync(path.join(home, 'data', sub, 'neo4j'), { recursive: true, force: true });
  await ok(['neo4j', 'start']);
}

type Rejects = Record<string, { line: number; field: string; reason: string }[]>;

beforeAll(async () => {
  port = await freePort();
  env = { ...process.env, LOG_LEVEL: 'silent', TRUYVET_NEO4J_HOME: home, TRUYVET_NEO4J_BOLT_PORT: String(port), TRUYVET_NEO4J_HEAP: '512m', TRUYVET_NEO4J_PAGECACHE: '256m', TRUYVET_IMPORT_STATE_DIR: path.join(dir, 'state') };
  for (const k of ['NEO4J_URI', 'NEO4J_PASSWORD', 'NEO4J_USER', 'NEO4J_DATABASE']) delete env[k];
  await ok(['generate', '--out', city, '--people', '120', '--stations', '12', '--days', '2', '--seed', '11', '--json']);
  // Planted: a repeated passage, the same id with other content, an unknown station, an instant
  // out of range, a person the registry does not know; a repeated and a conflicting registry row.
  const passages = path.join(city, 'passages.csv');
  const lines = fs.readFileSync(passages, 'utf8').trimEnd().split('\n');
  const first = lines[1]!.split(',');
  fs.appendFileSync(
    passages,
    [
      lines[1],
      [first[0], first[1], first[2], '2021-08-01T23:59:00+07:00', '', 'qr'].join(','),
      ['X-1', first[1], 'ST9999', first[3], '', 'qr'].join(','),
      ['X-2', first[1], first[2], '1999-08-01T10:00:00+07:00', '', 'qr'].join(','),
      ['X-3', '"099000000001"', first[2], first[3], '', '"manual, by hand"'].join(','),
      '',
    ].join('\n'),
  );
  const people = path.join(city, 'people.csv');
  const registry = fs.readFileSync(people, 'utf8').trimEnd().split('\n');
  const other = registry[2]!.split(',');
  other[1] = 'Someone Else';
  fs.appendFileSync(people, `${registry[2]}\n${other.join(',')}\n`);
  await ok(['neo4j', 'start']);
});

afterAll(async () => {
  await truyvet(['neo4j', 'stop']).catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('truyvet import --bulk DIR', () => {
  let online: Awaited<ReturnType<typeof snapshot>>;
  const onlineRejects: Rejects = {};

  it('the online import of the city, for reference', async () => {
    for (const kind of ['stations', 'people', 'passages', 'cases']) {
      const s = JSON.parse(await ok(['import', kind, path.join(city, `${kind}.csv`), '--json', '--no-resume'])) as { rejects: Rejects[string] };
      onlineRejects[kind] = s.rejects;
    }
    online = await snapshot();
    expect(online.counts['Passage']).toBeGreaterThan(100);
  });

  it('refuses a database that holds data, saying why and pointing at the online import', async () => {
    const r = await truyvet(['import', '--bulk', city]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already holds data .*--bulk only loads an empty database.*online import instead \(truyvet import/s);
    expect((await snapshot()).counts).toEqual(online.counts);
  });

  it('loads the same graph into an empty database, with the same rejects, and builds the schema', async () => {
    await emptyStore();
    const reports = path.join(dir, 'rejects');
    const out = JSON.parse(await ok(['import', '--bulk', city, '--json', '--report', reports])) as {
      kinds: { kind: string; read: number; imported: number; duplicates: number; rejected: number; rejects: Rejects[string] }[];
      rowsPerSecond: number;
    };
    const bulk = await snapshot();
    expect(bulk.counts).toEqual(online.counts);
    expect(bulk.nodes).toEqual(online.nodes);
    const byKind = Object.fromEntries(out.kinds.map((k) => [k.kind, k.rejects]));
    expect(byKind).toEqual(onlineRejects);
    const passages = out.kinds.find((k) => k.kind === 'passages')!;
    expect([passages.duplicates, passages.rejected]).toEqual([1, 3]);
    expect(out.kinds.find((k) => k.kind === 'people')).toMatchObject({ duplicates: 1, rejected: 1 });
    expect(fs.readFileSync(path.join(reports, 'passages-rejects.csv'), 'utf8')).toContain('ST9999');

    const d = driver();
    try {
      const names = (await d.executeQuery('SHOW INDEXES YIELD name, state RETURN name, state')).records.map((r) => `${String(r.get('name'))}:${String(r.get('state'))}`);
      expect(names).toEqual(expect.arrayContaining(['passage_id:ONLINE', 'passage_cell:ONLINE', 'passage_person:ONLINE', 'person_id:ONLINE', 'station_id:ONLINE']));
    } finally {
      await d.close();
    }
  });
});
