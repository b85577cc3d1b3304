import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { writePassages } from '../../engine/db/passages';
import { upsertPeople } from '../../engine/db/people';
import { upsertStations } from '../../engine/db/stations';
import { pseudonym } from '../../engine/identity';
import type { OutbreakCase, StationKind } from '../../engine/types';
import { passage, registryRow, station } from './builders';

/**
 * The committed tiny city (fixtures/tiny, fixtures/README.md) loaded under a run's prefix, so tests
 * can run outbreak traces over it without touching anyone else's data: station ids `${run}-ST0001`,
 * person keys `${run}079…`, passage ids `${run}-QR-…`, case ids `${run}-C-7-0001`, and every home
 * and station in a province of the run's own (the fixture's 79 is Ho Chi Minh City, where the
 * demo city lives). Written through the engine, as the CSV import's province codes are two digits.
 */

const TINY = path.join(__dirname, '..', '..', 'fixtures', 'tiny');

type Row = Record<string, string>;
const rows = (file: string): Row[] => parse<Row>(fs.readFileSync(path.join(TINY, file), 'utf8'), { columns: true, bom: true });

export interface TinyCity {
  /** The run's raw key of a fixture person id. */
  readonly key: (personId: string) => string;
  /** The pseudonym of a fixture person id. */
  readonly pid: (personId: string) => string;
  readonly caseId: (id: string) => string;
  readonly stationId: (id: string) => string;
  /** Every raw key loaded (removeRun's `people`). */
  readonly people: readonly string[];
  /** fixtures/tiny/cases.csv with the run's ids, as a file of its own. */
  readonly casesFile: string;
  /** The same cases as the engine takes them. */
  readonly cases: readonly OutbreakCase[];
  /** fixtures/tiny/cases.json: links, clusters, isolated cases (fixture ids). */
  readonly expected: { links: { from: string; to: string; generation: number; contactAt: string; stationId: string }[]; clusters: { index: string; cases: string[] }[]; isolated: string[] };
}

export async function loadTinyCity(run: string, province: string, dir: string): Promise<TinyCity> {
  const key = (p: string) => `${run}${p}`;
  const caseId = (c: string) => `${run}-${c}`;
  const stationId = (s: string) => `${run}-${s}`;
  await upsertStations(
    rows('stations.csv').map((s) =>
      station(stationId(s['station_id']!), { name: s['name']!, province, district: s['district']!, commune: s['commune']!, lat: Number(s['lat']), lon: Number(s['lon']), tz: s['tz']!, kind: s['kind'] as StationKind }),
    ),
  );
  const people = rows('people.csv');
  await upsertPeople(
    people.map((p) => registryRow(key(p['person_id']!), { fullName: p['full_name']!, birthDate: p['birth_date']!, sex: p['sex']!, phone: p['phone']!, province, district: p['district']!, commune: p['commune']! })),
  );
  const passages = rows('passages.csv');
  await writePassages(
    passages.map((x) => {
      const at = Date.parse(x['at']!);
      const leftAt = x['left_at'] ? Date.parse(x['left_at']) : at;
      return passage(key(x['person_id']!), stationId(x['station_id']!), at, leftAt, { id: `${run}-${x['passage_id']!}`, source: x['source'] || 'test' });
    }),
  );
  const caseRows = rows('cases.csv');
  const lines = ['case_id,person_id,confirmed_at,onset_at,infectious_from,infectious_to'];
  for (const c of caseRows) lines.push([caseId(c['case_id']!), key(c['person_id']!), c['confirmed_at'], c['onset_at'], c['infectious_from'], c['infectious_to']].join(','));
  const casesFile = path.join(dir, 'cases.csv');
  fs.writeFileSync(casesFile, `${lines.join('\n')}\n`);
  const instant = (v: string | undefined) => (v ? Date.parse(v) : undefined);
  const cases = caseRows.map((c): OutbreakCase => {
    const [onsetAt, infectiousFrom, infectiousTo] = [instant(c['onset_at']), instant(c['infectious_from']), instant(c['infectious_to'])];
    return {
      caseId: caseId(c['case_id']!),
      personId: pseudonym(key(c['person_id']!)),
      confirmedAt: Date.parse(c['confirmed_at']!),
      ...(onsetAt !== undefined ? { onsetAt } : {}),
      ...(infectiousFrom !== undefined ? { infectiousFrom } : {}),
      ...(infectiousTo !== undefined ? { infectiousTo } : {}),
    };
  });
  const allPeople = new Set([...people.map((p) => p['person_id']!), ...passages.map((x) => x['person_id']!)]);
  const expected = JSON.parse(fs.readFileSync(path.join(TINY, 'cases.json'), 'utf8')) as TinyCity['expected'];
  return { key, pid: (p) => pseudonym(key(p)), caseId, stationId, people: [...allPeople].map(key), casesFile, cases, expected };
}
