import fs from 'node:fs';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { pseudonym } from '../../engine/identity';
import { randomCccd } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { runCli } from '../helpers/cli';
import { tempDir, writeFile } from '../helpers/imports';

/**
 * `truyvet import declarations FILE` (issue 6): the generator's declarations.jsonl is a
 * generic-json export, and this spelling of the import reads it without a flag.
 */

const run = newRunId('dcli');
const dir = tempDir('dcli');
const number = randomCccd(1970, 'female');

function generatorRecord(ref: string): string {
  return JSON.stringify({
    declarationId: ref,
    sourcePlatform: 'vhd',
    declaredAt: '2021-08-03T08:08:42+07:00',
    identity: { documentType: 'CCCD', documentNumber: number },
    fullName: 'Võ Thúy Nhi',
    birthDate: '1970-12-05',
    sex: 'F',
    phone: '0839310434',
    address: { province: '79', district: '784', commune: '27580', detail: '183 Đặng Thúc Vịnh' },
    symptoms: { fever: false, cough: false },
    exposure: { contactWithCase: false, fromAffectedArea: false, contactWithSymptomatic: false, contactWithTraveller: false },
  });
}

afterAll(async () => {
  await removeRun(run, { people: [number] });
  await closeDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('truyvet import declarations', () => {
  it("imports the generator's generic-json lines, prints the summary, and a second run counts a duplicate", async () => {
    const file = writeFile(dir, 'declarations.jsonl', `${generatorRecord(`${run}-1`)}\n{not json\n`);
    const first = await runCli(['import', 'declarations', file, '--json']);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout.trim()) as Record<string, unknown>;
    expect(summary).toMatchObject({ file, read: 2, imported: 1, duplicates: 0, rejected: 1, platform: 'generic-json', qrIssued: 1, rejects: [{ line: 2 }] });
    const stored = await readQuery('MATCH (:Person {id: $pid})-[:DECLARED]->(d:Declaration) RETURN d.status AS s', { pid: pseudonym(number) }, (r) => r['s'] as unknown);
    expect(stored).toEqual(['unverified']);
    const again = await runCli(['import', 'declarations', file, '--json']);
    expect(JSON.parse(again.stdout.trim())).toMatchObject({ imported: 0, duplicates: 1 });
  });

  it('refuses an unknown platform with a usage error', async () => {
    const file = writeFile(dir, 'x.jsonl', `${generatorRecord(`${run}-2`)}\n`);
    const r = await runCli(['import', 'declarations', file, '--platform', 'fax-machine']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown platform 'fax-machine'/);
  });
});
