import fs from 'node:fs';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { upsertPeople } from '../../engine/db/people';
import { importDeclarationsFile } from '../../engine/declarations/import';
import { pseudonym } from '../../engine/identity';
import { FILES, generateCity } from '../../generator';
import { useTestQrKey } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { tempDir } from '../helpers/imports';

/**
 * The synthetic city's declarations.jsonl (a generic-json export) against its own registry:
 * every planted mismatch gets the outcome the generator says it should, everyone else is
 * accepted. A random seed keeps this run's people apart from any other city in the database.
 */
const run = newRunId('gc');
const dir = tempDir('gc');
const numbers: string[] = [];

const csv = (file: string) => parse<Record<string, string>>(fs.readFileSync(path.join(dir, file), 'utf8'), { columns: true, bom: true });

beforeAll(async () => {
  useTestQrKey();
  await generateCity(dir, { people: 400, stations: 9, days: 1, seed: randomInt(1, 2 ** 31), start: '2021-08-14' });
  const people = csv(FILES.people);
  await upsertPeople(
    people.map((p) => ({ personId: p['person_id']!, fullName: p['full_name']!, birthDate: p['birth_date']!, sex: p['sex']!, phone: p['phone']!, province: p['province']!, district: p['district']!, commune: p['commune']! })),
  );
  numbers.push(...people.map((p) => p['person_id']!));
  for (const line of fs.readFileSync(path.join(dir, FILES.declarations), 'utf8').trim().split('\n')) {
    numbers.push((JSON.parse(line) as { identity: { documentNumber: string } }).identity.documentNumber);
  }
});
afterAll(async () => {
  await removeRun(run, { people: [...new Set(numbers)] });
  fs.rmSync(dir, { recursive: true, force: true });
  await closeDriver();
});

it("imports the generated city's declarations with the outcome each planted mismatch expects", async () => {
  const s = await importDeclarationsFile(path.join(dir, FILES.declarations), { platform: 'generic-json', now: Date.UTC(2021, 7, 16) });
  expect(s.rejects).toEqual([]);
  const planted = csv(FILES.mismatches);
  expect(new Set(planted.map((m) => m['expected']))).toEqual(new Set(['reject', 'warn', 'unverified']));
  const expected = { reject: 'rejected', warn: 'accepted_with_warnings', unverified: 'unverified' } as Record<string, string>;
  const byPerson = new Map(planted.map((m) => [pseudonym(m['person_id']!), expected[m['expected']!]]));
  const stored = await readQuery(
    'UNWIND $pids AS pid MATCH (d:Declaration {pid: pid}) RETURN d.pid AS pid, d.status AS status',
    { pids: [...new Set(numbers)].map(pseudonym) },
    (r) => [String(r['pid']), String(r['status'])] as const,
  );
  expect(stored.length).toBe(s.read);
  for (const [pid, status] of stored) expect([pid, status]).toEqual([pid, byPerson.get(pid) ?? 'accepted']);
  expect(s.statuses.rejected).toBe(planted.filter((m) => m['expected'] === 'reject').length);
  expect(s.qrIssued).toBe(s.read - s.statuses.rejected);
});
