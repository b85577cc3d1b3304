import { createLocalJWKSet, flattenedVerify, type JSONWebKeySet } from 'jose';
import { listAudit } from '../../engine/audit/store';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { upsertPeople } from '../../engine/db/people';
import { upsertStations } from '../../engine/db/stations';
import { pseudonym } from '../../engine/identity';
import { citizen, citizenRow, declarationJson, makeAccount, station, useTestQrKey, type ReceiptBody } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { startInProcess, type TestServer } from '../helpers/server';

/**
 * Revoking QR codes (issue 20, point 7): the holder with the receipt's key, an officer of the
 * holder's home jurisdiction or an admin revokes a code; a newer declaration revokes the older
 * codes of the same person; a scan of a revoked code stops with `revoked`; the signed revocation
 * list at /.well-known/qr-revocations.json lets offline devices check codes too.
 */

const run = newRunId('qv');
const M = 60_000;
const H = 60 * M;
const DAY = 24 * H;
const T0 = Date.UTC(2021, 9, 5, 1, 0);
let clock = T0;
// The citizens live in 79 / 760 / 26734 (the builders' default, tests/helpers/builders.ts); the station is there too.
const S1 = station(`${run}-S1`, { province: '79', district: '760', commune: '26734', lat: 10.7769, lon: 106.7009 });

const people = {
  an: citizen('Nguyễn Văn An', 1980),
  binh: citizen('Trần Thị Bình', 1982, 'female'),
  cuong: citizen('Lê Văn Cường', 1984),
  dung: citizen('Phạm Văn Dũng', 1986),
  em: citizen('Võ Thị Em', 1988, 'female'),
};
const numbers: string[] = Object.values(people).map((c) => c.number);

let server: TestServer;
const tokens = { officerHome: '', officerElsewhere: '', admin: '', tracer: '' };
let seq = 0;
const next = (label: string) => `${run}-${label}-${++seq}`;

interface Decision {
  scanId: string;
  decision: string;
  reason: string;
  flags: string[];
  personId: string | null;
  declarationId: string | null;
  passageId: string | null;
}
interface Revoked {
  declarationId: string;
  revoked: boolean;
  revokedAt: string;
  reason: string;
}

async function declare(c: (typeof people)[keyof typeof people]): Promise<ReceiptBody & { qr: { revoke: string } }> {
  const r = await server.request<ReceiptBody & { qr: { revoke: string } }>('POST', '/api/declarations', { json: declarationJson(c, clock - M, next('decl')) });
  if (r.status !== 201) throw new Error(`declaration answered ${r.status}: ${r.text}`);
  return r.body;
}

const scan = (qrText: string, scannedAt?: number) =>
  server.request<Decision>('POST', '/api/scans', {
    token: tokens.officerHome,
    json: { qrText, scanId: next('scan'), stationId: S1.id, ...(scannedAt === undefined ? {} : { scannedAt: new Date(scannedAt).toISOString() }) },
  });

let firstRevoked = '';
const codeId = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;

async function revocationList(headers: Record<string, string> = {}) {
  const r = await server.request<{ payload: string; protected: string; signature: string }>('GET', '/.well-known/qr-revocations.json', { headers });
  return r;
}

async function verifiedList(): Promise<{ iss: string; iat: number; revoked: string[] }> {
  const jwks = await server.request<JSONWebKeySet>('GET', '/.well-known/jwks.json');
  const r = await revocationList();
  expect(r.status).toBe(200);
  const { payload } = await flattenedVerify(r.body, createLocalJWKSet(jwks.body));
  return JSON.parse(new TextDecoder().decode(payload)) as { iss: string; iat: number; revoked: string[] };
}

beforeAll(async () => {
  useTestQrKey();
  await upsertStations([S1]);
  await upsertPeople(Object.values(people).map(citizenRow));
  server = await startInProcess(run, { now: () => clock, settings: { tokenSeconds: 365 * 86_400 } });
  const login = async (name: string, role: 'officer' | 'admin' | 'tracer', j?: { province: string; district?: string }) => {
    const a = await makeAccount(run, name, role, j);
    return server.login(a.username, a.password);
  };
  tokens.officerHome = await login('officer-home', 'officer', { province: '79', district: '760' });
  tokens.officerElsewhere = await login('officer-hn', 'officer', { province: '01' });
  tokens.admin = await login('admin', 'admin');
  tokens.tracer = await login('tracer', 'tracer');
});
afterAll(async () => {
  await server.close();
  await removeRun(run, { people: numbers });
  await closeDriver();
});

describe('POST /api/qr/:id/revoke', () => {
  it('lets the holder revoke their code with the receipt key; a scan of it then stops as revoked, naming nobody', async () => {
    clock = T0 + DAY;
    const r = await declare(people.an);
    expect(r.qr.revoke).toBe(`/api/qr/${r.declarationId}/revoke?key=${r.qr.svg.split('key=')[1]}`);
    expect((await scan(r.qr.token)).body.decision).toBe('pass');
    clock += H;
    const revoked = await server.request<Revoked>('POST', r.qr.revoke);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ declarationId: r.declarationId, revoked: true, revokedAt: new Date(clock).toISOString(), reason: 'holder' });
    expect(revoked.headers.get('cache-control')).toBe('no-store');
    firstRevoked = codeId(r.qr.token);
    clock += M;
    const d = await scan(r.qr.token);
    expect(d.status).toBe(201);
    expect(d.body).toMatchObject({ decision: 'stop', reason: 'revoked', flags: ['revoked'], personId: null, declarationId: null, passageId: null });
    expect(d.text).not.toContain(pseudonym(people.an.number));
    // A scan made offline before the revocation was a valid code then.
    const before = await scan(r.qr.token, clock - 30 * M);
    expect(before.body.decision).toBe('pass');
    // Revoking again changes nothing.
    clock += M;
    const again = await server.request<Revoked>('POST', r.qr.revoke);
    expect(again.body).toEqual(revoked.body);
    const events = await listAudit({ chain: run, action: 'qr.revoke', limit: 100 });
    expect(events.map((e) => [e.actor, e.target, e.outcome, e.details?.['reason']])).toEqual([['holder', r.declarationId, 'ok', 'holder']]);
  });

  it('answers the same 404 for a wrong key as for an unknown id, and 401 without a key or a token', async () => {
    clock = T0 + 2 * DAY;
    const r = await declare(people.binh);
    const other = await declare(people.cuong);
    const wrongKey = await server.request('POST', `/api/qr/${r.declarationId}/revoke?key=${other.qr.svg.split('key=')[1]}`);
    const unknown = await server.request('POST', `/api/qr/d${'0'.repeat(24)}/revoke?key=${r.qr.svg.split('key=')[1]}`);
    expect([wrongKey.status, unknown.status]).toEqual([404, 404]);
    expect(wrongKey.text).toBe(unknown.text);
    const bare = await server.request('POST', `/api/qr/${r.declarationId}/revoke`);
    expect(bare.status).toBe(401);
    expect((await scan(r.qr.token)).body.decision).toBe('pass');
  });

  it('lets an officer of the holder’s home jurisdiction and an admin revoke, not an officer elsewhere nor a tracer', async () => {
    clock = T0 + 3 * DAY;
    const a = await declare(people.dung);
    const b = await declare(people.em);
    const path = (id: string) => `/api/qr/${id}/revoke`;
    const elsewhere = await server.request<{ code: string }>('POST', path(a.declarationId), { token: tokens.officerElsewhere });
    const tracer = await server.request('POST', path(a.declarationId), { token: tokens.tracer });
    expect([elsewhere.status, tracer.status]).toEqual([403, 403]);
    expect((await scan(a.qr.token)).body.decision).toBe('pass');
    clock += M;
    const home = await server.request<Revoked>('POST', path(a.declarationId), { token: tokens.officerHome });
    const admin = await server.request<Revoked>('POST', path(b.declarationId), { token: tokens.admin });
    expect([home.status, home.body.reason, admin.status, admin.body.reason]).toEqual([200, 'staff', 200, 'staff']);
    clock += M;
    expect((await scan(a.qr.token)).body.reason).toBe('revoked');
    expect((await scan(b.qr.token)).body.reason).toBe('revoked');
    const events = await listAudit({ chain: run, limit: 1000 });
    expect(events.filter((e) => e.action === 'qr.revoke').map((e) => [e.actor, e.target])).toEqual(
      expect.arrayContaining([
        [`${run}-officer-home`, a.declarationId],
        [`${run}-admin`, b.declarationId],
      ]),
    );
    expect(events.some((e) => e.action === 'access.denied' && e.actor === `${run}-officer-hn` && e.target === a.declarationId)).toBe(true);
    expect(JSON.stringify(events)).not.toContain(people.dung.number);
  });

  it('revokes the older codes of a person when they declare again', async () => {
    clock = T0 + 4 * DAY;
    const older = await declare(people.cuong);
    clock += H;
    const newer = await declare(people.cuong);
    clock += M;
    expect((await scan(older.qr.token)).body).toMatchObject({ decision: 'stop', reason: 'revoked', personId: null });
    expect((await scan(newer.qr.token)).body).toMatchObject({ decision: 'pass', personId: pseudonym(people.cuong.number) });
    // Scanned offline while it was still the newest: it passed then, flagged as superseded now.
    expect((await scan(older.qr.token, clock - 30 * M)).body).toMatchObject({ decision: 'pass', flags: ['superseded'] });
    const stored = await readQuery('MATCH (d:Declaration {id: $id}) RETURN d.qrRevokedAt AS at, d.qrRevokedBy AS by', { id: older.declarationId }, (r) => [Number(r['at']), r['by'] as unknown]);
    expect(stored).toEqual([[T0 + 4 * DAY + H, 'superseded']]);
  });
});

describe('GET /.well-known/qr-revocations.json', () => {
  it('lists the revoked codes still within their validity, signed with the QR key, with an ETag and a short cache', async () => {
    clock = T0 + 10 * DAY;
    const kept = await declare(people.an);
    const gone = await declare(people.binh);
    expect((await server.request('POST', gone.qr.revoke)).status).toBe(200);
    const list = await verifiedList();
    expect(list.iss).toBe('truyvet');
    expect(list.iat).toBe(Math.floor(clock / 1000));
    expect(list.revoked).toContain(codeId(gone.qr.token));
    expect(list.revoked).not.toContain(codeId(kept.qr.token));
    // Codes revoked days ago (the tests above) have expired since: an offline device no longer needs them.
    expect(firstRevoked).not.toBe('');
    expect(list.revoked).not.toContain(firstRevoked);
    expect(list.revoked.every((id) => /^q[A-Za-z0-9_-]{22}$/.test(id))).toBe(true);

    const r = await revocationList();
    expect(r.headers.get('cache-control')).toBe('public, max-age=60');
    const etag = r.headers.get('etag');
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
    const same = await revocationList({ 'if-none-match': etag! });
    expect([same.status, same.text]).toEqual([304, '']);
    clock += M;
    expect((await server.request('POST', kept.qr.revoke)).status).toBe(200);
    const changed = await revocationList({ 'if-none-match': etag! });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('drops a revoked code once its validity has ended', async () => {
    clock = T0 + 20 * DAY;
    const r = await declare(people.em);
    expect((await server.request('POST', r.qr.revoke)).status).toBe(200);
    expect((await verifiedList()).revoked).toContain(codeId(r.qr.token));
    clock += 3 * DAY;
    expect((await verifiedList()).revoked).not.toContain(codeId(r.qr.token));
  });
});
