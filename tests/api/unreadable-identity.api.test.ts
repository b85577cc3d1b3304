import { createCipheriv, randomBytes } from 'node:crypto';
import { registerCases } from '../../engine/cases';
import { closeDriver, writeQuery } from '../../engine/db/driver';
import { rawKeys, upsertPeople } from '../../engine/db/people';
import { pseudonym } from '../../engine/identity';
import { logger } from '../../engine/logger';
import { maskedIdentities } from '../../engine/privacy/visibility';
import { makeAccount, registryRow, runProvince } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { startInProcess, type TestServer } from '../helpers/server';

/**
 * One registry record that cannot be opened (sealed under another TRUYVET_DATA_KEY, say after a
 * key was rotated without re-sealing, or damaged) must not take down a list that names people:
 * that person is shown by pseudonym only, the others as usual, and the answer says how many.
 */

const run = newRunId('unr');
const province = runProvince();
/** A confirmation time no other test uses, so a list over its hour holds only this run's cases. */
const T = Date.UTC(2004, 5, 6, 1, 0) + Math.floor(Math.random() * 500_000) * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const raw = { a: `${run}A`, b: `${run}B`, c: `${run}C` };
const pid = { a: pseudonym(raw.a), b: pseudonym(raw.b), c: pseudonym(raw.c) };

/** A well-formed sealed value (`v1.<iv>.<tag>.<body>`) under a key that is not this process's. */
function sealedElsewhere(plain: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', randomBytes(32), iv);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

let server: TestServer;
let national = '';

interface ListBody {
  cases: { id: string; personId: string }[];
  identities: Record<string, { rawKey: string; fullName?: string }>;
  outside: Record<string, unknown>;
  unreadable?: number;
}

beforeAll(async () => {
  server = await startInProcess(run, { settings: { checkUnits: false } });
  await upsertPeople([raw.a, raw.b, raw.c].map((r) => registryRow(r, { province, district: '001', commune: '00001', fullName: `Phạm Văn ${r.slice(-1)}` })));
  await registerCases(
    [raw.a, raw.b, raw.c].map((r, i) => ({ caseId: `${run}-${i}`, rawPersonId: r, confirmedAt: T + i * 60_000, warnings: [] })),
    { scope: undefined, by: `${run}-setup`, now: Date.now(), source: 'test' },
  );
  // B's record sealed under another key; C's damaged (not a sealed value at all).
  await writeQuery('MATCH (i:Identity {pid: $pid}) SET i.data = $data', { pid: pid.b, data: sealedElsewhere(JSON.stringify(registryRow(raw.b))) }, () => undefined);
  await writeQuery('MATCH (i:Identity {pid: $pid}) SET i.data = $data', { pid: pid.c, data: 'v1.garbage' }, () => undefined);
  const a = await makeAccount(run, 'national', 'tracer');
  national = await server.login(a.username, a.password);
});

afterAll(async () => {
  await server.close();
  await removeRun(run, { people: Object.values(raw) });
  await closeDriver();
});

describe('a registry record that cannot be unsealed', () => {
  it('leaves GET /api/cases answering 200: the others named, that person by pseudonym only, and the count of unreadable records', async () => {
    const res = await server.request<ListBody>('GET', `/api/cases?confirmedFrom=${iso(T - 60_000)}&confirmedTo=${iso(T + 3 * 60_000)}`, { token: national });
    expect(res.status).toBe(200);
    expect(res.body.cases.map((c) => c.personId).sort()).toEqual([pid.a, pid.b, pid.c].sort());
    expect(res.body.identities[pid.a]).toMatchObject({ rawKey: raw.a, fullName: 'Phạm Văn A' });
    expect(res.body.identities[pid.b]).toBeUndefined();
    expect(res.body.identities[pid.c]).toBeUndefined();
    expect(res.body.outside[pid.b]).toBeUndefined();
    expect(res.body.unreadable).toBe(2);
  });
});

describe('the other reads of sealed registry values', () => {
  it('leave the unreadable people out of masked identities and raw keys, and log only how many and of what kind', async () => {
    const warn = jest.spyOn(logger, 'warn');
    try {
      await writeQuery('MATCH (p:Person {id: $pid}) SET p.ref = $ref', { pid: pid.c, ref: sealedElsewhere(raw.c) }, () => undefined);
      const masked = await maskedIdentities([pid.a, pid.b, pid.c]);
      expect(Object.keys(masked)).toEqual([pid.a]);
      const keys = await rawKeys([pid.a, pid.b, pid.c]);
      expect([...keys.keys()].sort()).toEqual([pid.a, pid.b].sort());
      expect(keys.get(pid.b)).toBe(raw.b);
      const logged = warn.mock.calls.map((c) => c[0]);
      expect(logged).toEqual(expect.arrayContaining([{ unreadable: 2, kind: 'identity' }, { unreadable: 1, kind: 'raw key' }]));
      const text = JSON.stringify(warn.mock.calls);
      for (const x of [...Object.values(raw), ...Object.values(pid)]) expect(text).not.toContain(x);
    } finally {
      warn.mockRestore();
    }
  });
});
