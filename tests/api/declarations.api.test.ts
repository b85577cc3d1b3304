import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { listAudit } from '../../engine/audit/store';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { upsertPeople } from '../../engine/db/people';
import { pseudonym } from '../../engine/identity';
import { qrLinks } from '../../api/qr-links';
import { citizen, citizenRow, declarationJson, makeAccount, useTestQrKey, type ReceiptBody } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { memoryLogger, startInProcess, type TestServer } from '../helpers/server';

/**
 * The citizen's side of issue 6 through HTTP: POST /api/declarations (no login) answers the QR
 * code, or a 400 with bilingual field issues, or only "kept for review" (202) when the registry
 * does not match: the reasons are the reviewer's (issue 20); the holder fetches the code as SVG
 * or PNG through the link's key; the JWKS verifies the code offline; review lists are masked and
 * scoped.
 */

const run = newRunId('dc');
// Outside the generated cities' fortnight (from 2021-08-01), so a period filter finds only this file's declarations.
const T0 = Date.UTC(2021, 8, 20, 1, 0);
const clock = T0;
let server: TestServer;
let admin = '';
let tracerElsewhere = '';
const numbers: string[] = [];

const A = citizen('Nguyễn Văn An', 1980);
const B = citizen('Trần Thị Bích', 1985, 'female');
const C = citizen('Lê Văn Cường', 1990);
const registered = [A, B, C];
numbers.push(...registered.map((c) => c.number));
let refs = 0;
const ref = () => `${run}-r${++refs}`;

interface Problem {
  status: number;
  code: string;
  declarationId?: string;
  errors?: { path: string; message: string; code?: string; message_vi?: string; message_en?: string }[];
}

beforeAll(async () => {
  useTestQrKey();
  await upsertPeople(registered.map(citizenRow));
  server = await startInProcess(run, { now: () => clock, settings: { tokenSeconds: 30 * 86_400 } });
  const a = await makeAccount(run, 'admin', 'admin');
  admin = await server.login(a.username, a.password);
  const t = await makeAccount(run, 'tracer-hn', 'tracer', { province: '01' });
  tracerElsewhere = await server.login(t.username, t.password);
});
afterAll(async () => {
  await server.close();
  await removeRun(run, { people: numbers });
  await closeDriver();
});

describe('POST /api/declarations', () => {
  it('answers 201 with a signed QR code valid for 3 days and private links to its images, without a login', async () => {
    const r = await server.request<ReceiptBody>('POST', '/api/declarations', { json: declarationJson(A, clock - 60_000, ref()) });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'accepted', duplicate: false });
    expect(r.body.qr.revoke).toMatch(new RegExp(`^/api/qr/${r.body.declarationId}/revoke\\?key=[A-Za-z0-9_-]{22}$`));
    expect(r.body.declarationId).toMatch(/^d[0-9a-f]{24}$/);
    expect(Date.parse(r.body.qr.validUntil) - Date.parse(r.body.qr.issuedAt)).toBe(3 * 86_400_000);
    expect(r.body.qr.issuedAt).toBe(new Date(clock).toISOString());
    expect(r.body.qr.svg).toMatch(new RegExp(`^/api/qr/${r.body.declarationId}\\.svg\\?key=[A-Za-z0-9_-]{22}$`));
    expect(r.headers.get('cache-control')).toBe('no-store');
    // The answer names no one: no document number, no name.
    expect(r.text).not.toContain(A.number);
    expect(r.text).not.toContain(A.fullName);
  });

  it('answers the first receipt (200, duplicate) when the same declaration comes again', async () => {
    const body = declarationJson(A, clock - 30_000, ref());
    const first = await server.request<ReceiptBody>('POST', '/api/declarations', { json: body });
    const again = await server.request<ReceiptBody>('POST', '/api/declarations', { json: body });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toEqual({ ...first.body, duplicate: true });
  });

  it('answers a name without diacritics and an unknown person as plainly accepted: the registry check stays on the server', async () => {
    const plain = await server.request<ReceiptBody>('POST', '/api/declarations', { json: declarationJson(B, clock, ref(), { fullName: 'Tran Thi Bich' }) });
    expect(plain.status).toBe(201);
    expect(plain.body.status).toBe('accepted');
    expect(plain.body).not.toHaveProperty('warnings');
    const stranger = citizen('Phạm Minh Đức', 1975);
    numbers.push(stranger.number);
    const u = await server.request<ReceiptBody>('POST', '/api/declarations', { json: declarationJson(stranger, clock, ref()) });
    expect(u.status).toBe(201);
    expect(u.body.status).toBe('accepted');
    expect(u.body.qr.token.split('.')).toHaveLength(3);
    // Nor does the code itself say how the registry answered.
    const payload = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(Object.keys(payload(u.body.qr.token)).sort()).toEqual(Object.keys(payload(plain.body.qr.token)).sort());
    expect(payload(u.body.qr.token)).not.toHaveProperty('st');
    // The reviewer still sees the outcome and the warning.
    const list = await server.request<{ declarations: { id: string; status: string; warnings: { code: string }[] }[] }>('GET', `/api/declarations?from=${new Date(clock - 1000).toISOString()}&to=${new Date(clock + 1000).toISOString()}&limit=1000`, { token: admin });
    const byId = new Map(list.body.declarations.map((d) => [d.id, d]));
    expect(byId.get(plain.body.declarationId)).toMatchObject({ status: 'accepted_with_warnings', warnings: [{ code: 'name_missing_diacritics' }] });
    expect(byId.get(u.body.declarationId)?.status).toBe('unverified');
  });

  it('answers 400 with every field issue, each with its path, code and Vietnamese and English message', async () => {
    const bad = declarationJson(A, clock, ref(), { phone: '12345', sex: 'robot', birthDate: '1980-02-30' });
    delete bad['fullName'];
    const r = await server.request<Problem>('POST', '/api/declarations', { json: bad });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const paths = (r.body.errors ?? []).map((e) => e.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['body.birthDate', 'body.fullName', 'body.phone', 'body.sex']));
    const name = r.body.errors?.find((e) => e.path === 'body.fullName');
    expect(name).toMatchObject({ code: 'required', message: name?.message_en });
    expect(name?.message_vi).toMatch(/Họ và tên/);
    expect(name?.message_en).toMatch(/Full name/);
  });

  it('refuses a CCCD whose century digit contradicts the birth year, and a declaration from the future', async () => {
    const wrong = await server.request<Problem>('POST', '/api/declarations', { json: declarationJson(A, clock, ref(), { birthDate: '2001-05-06' }) });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors?.map((e) => e.path)).toContain('body.document.number');
    const future = await server.request<Problem>('POST', '/api/declarations', { json: declarationJson(A, clock + 3_600_000, ref()) });
    expect(future.status).toBe(400);
    expect(future.body.errors?.map((e) => [e.path, e.code])).toEqual([['body.declaredAt', 'in_future']]);
  });

  it('tells the anonymous caller only that a declaration the registry does not match is kept for review; the reasons are for the reviewer', async () => {
    const r = await server.request<Problem & { status: string; qr: unknown }>('POST', '/api/declarations', {
      json: declarationJson(C, clock, ref(), { fullName: 'Lê Văn Cường Khác', birthDate: '1990-07-08' }),
    });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ declarationId: expect.stringMatching(/^d[0-9a-f]{24}$/) as unknown, status: 'kept_for_review', qr: null, duplicate: false });
    // Neither which field differed nor the registry's values.
    for (const word of ['registry', 'birth', 'name', 'mismatch', '1990-05-06']) expect(r.text.toLowerCase()).not.toContain(word);
    // Only the birth date wrong, or only the name: the same answer.
    const onlyBirth = await server.request<{ status: string }>('POST', '/api/declarations', { json: declarationJson(C, clock, ref(), { birthDate: '1990-07-09' }) });
    const onlyName = await server.request<{ status: string }>('POST', '/api/declarations', { json: declarationJson(C, clock, ref(), { fullName: 'Lê Văn Cương' }) });
    expect([onlyBirth.status, onlyBirth.body.status, onlyName.status, onlyName.body.status]).toEqual([202, 'kept_for_review', 202, 'kept_for_review']);
    const id = r.body.declarationId!;
    const stored = await readQuery('MATCH (d:Declaration {id: $id}) RETURN d.status AS s, d.qrToken AS t', { id }, (x) => [x['s'] as unknown, x['t'] as unknown]);
    expect(stored).toEqual([['rejected', null]]);
    const list = await server.request<{ declarations: { id: string; status: string; reasons: { code: string }[]; person?: { name?: string; rawKey: string } }[] }>(
      'GET',
      `/api/declarations?status=rejected&province=79&district=760&commune=26734&from=${new Date(clock - 1000).toISOString()}&to=${new Date(clock + 1000).toISOString()}`,
      { token: admin },
    );
    expect(list.status).toBe(200);
    const mine = list.body.declarations.find((d) => d.id === id);
    expect(mine).toMatchObject({ status: 'rejected', person: { name: 'L. V. C.', rawKey: `*********${C.number.slice(-3)}` } });
    expect(mine?.reasons.map((x) => x.code).sort()).toEqual(['registry_birth_date_mismatch', 'registry_name_mismatch']);
    expect(list.text).not.toContain(C.number);
    expect(list.text).not.toContain('Lê Văn Cường');
    expect(list.headers.get('cache-control')).toBe('no-store');
    const events = await listAudit({ chain: run, limit: 1000 });
    const read = events.filter((e) => e.action === 'declarations.read').at(-1);
    expect(read).toMatchObject({ actor: `${run}-admin`, outcome: 'ok', details: { masked: true, status: 'rejected' } });
    expect(JSON.stringify(events)).not.toContain(C.number);
  });

  it('shows a reviewer only declarants living inside its jurisdiction', async () => {
    const period = `status=rejected&from=${new Date(clock - 1000).toISOString()}&to=${new Date(clock + 1000).toISOString()}`;
    const everywhere = await server.request<{ declarations: unknown[] }>('GET', `/api/declarations?${period}`, { token: admin });
    expect(everywhere.body.declarations.length).toBeGreaterThan(0);
    const r = await server.request<{ declarations: unknown[] }>('GET', `/api/declarations?${period}`, { token: tracerElsewhere });
    expect(r.status).toBe(200);
    expect(r.body.declarations).toEqual([]);
  });

  it('answers 413 for a body over the declaration limit, before reading it as a declaration', async () => {
    const r = await server.request<Problem>('POST', '/api/declarations', { json: declarationJson(A, clock, ref(), { sourceRef: 'x'.repeat(20_000) }) });
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('too_large');
  });

  it('limits declarations per document number (429 with Retry-After), without keeping the number', async () => {
    const log = memoryLogger();
    const strict = await startInProcess(`${run}d`, { now: () => clock, settings: { declarationsPerDocumentHour: 3 }, logger: log });
    const D = citizen('Đặng Văn Dò', 1979);
    numbers.push(D.number);
    await upsertPeople([citizenRow(D)]);
    try {
      // Guessing a birth date: each try differs; the right one comes too late.
      const answers = [];
      for (const birthDate of ['1979-01-01', '1979-01-02', '1979-01-03', '1979-05-06']) {
        answers.push(await strict.request<Problem>('POST', '/api/declarations', { json: declarationJson(D, clock, ref(), { birthDate }) }));
      }
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 429]);
      expect(answers[3]!.body.code).toBe('rate_limited');
      expect(Number(answers[3]!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(answers[3]!.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
      // Another document number is not held back.
      expect((await strict.request('POST', '/api/declarations', { json: declarationJson(A, clock, ref()) })).status).toBe(201);
      const kept = await readQuery('MATCH (d:Declaration {pid: $pid}) RETURN count(d) AS n', { pid: pseudonym(D.number) }, (r) => Number(r['n']));
      expect(kept).toEqual([3]);
      expect(log.lines.join('\n')).not.toContain(D.number);
    } finally {
      await strict.close();
      await removeRun(`${run}d`);
    }
  });

  it('limits declarations per client with 429', async () => {
    const strict = await startInProcess(`${run}x`, { now: () => clock, settings: { declarationsPerMinute: 2 } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) codes.push((await strict.request('POST', '/api/declarations', { json: { nothing: true } })).status);
      expect(codes).toEqual([400, 400, 429]);
      const last = await strict.request<Problem>('POST', '/api/declarations', { json: {} });
      expect(last.body.code).toBe('rate_limited');
    } finally {
      await strict.close();
    }
  });
});

describe('the QR code for its holder', () => {
  let receipt: ReceiptBody;
  beforeAll(async () => {
    receipt = (await server.request<ReceiptBody>('POST', '/api/declarations', { json: declarationJson(B, clock, ref()) })).body;
  });

  it('serves the SVG and the PNG through the receipt link, never cached', async () => {
    const svg = await server.request('GET', receipt.qr.svg);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(svg.text).toMatch(/<svg[\s\S]*<\/svg>/);
    expect(svg.headers.get('cache-control')).toBe('no-store');
    const png = await fetch(server.url + receipt.qr.png);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer()).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  });

  it('answers the same 404 for a wrong key, another declaration’s key, and an unknown id', async () => {
    const other = (await server.request<ReceiptBody>('POST', '/api/declarations', { json: declarationJson(A, clock, ref()) })).body;
    const key = (link: string) => link.split('key=')[1]!;
    const wrongKey = await server.request<Problem>('GET', `/api/qr/${receipt.declarationId}.svg?key=${key(other.qr.svg)}`);
    const noKey = await server.request<Problem>('GET', `/api/qr/${receipt.declarationId}.svg`);
    const unknown = await server.request<Problem>('GET', `/api/qr/d${'0'.repeat(24)}.png?key=${key(receipt.qr.png)}`);
    expect([wrongKey.status, noKey.status, unknown.status]).toEqual([404, 400, 404]);
    expect(wrongKey.text).toBe(unknown.text);
  });

  it('has no image for a rejected declaration', async () => {
    const r = await server.request<Problem>('POST', '/api/declarations', { json: declarationJson(C, clock, ref(), { birthDate: '1990-09-09' }) });
    expect(r.status).toBe(202);
    const link = qrLinks(r.body.declarationId!).svg;
    expect((await server.request('GET', link)).status).toBe(404);
  });

  it('publishes the public key at /.well-known/jwks.json, cacheable, which verifies the code offline', async () => {
    const r = await server.request<JSONWebKeySet>('GET', '/.well-known/jwks.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('public, max-age=300');
    expect(r.body.keys.length).toBeGreaterThan(0);
    for (const k of r.body.keys) expect(k).not.toHaveProperty('d');
    const { payload } = await jwtVerify(receipt.qr.token, createLocalJWKSet(r.body), { currentDate: new Date(clock) });
    // An opaque code id, resolved on the server: not the person's pseudonym, not the declaration.
    expect(payload).toEqual({ iss: 'truyvet', sub: expect.stringMatching(/^q[A-Za-z0-9_-]{22}$/) as unknown, iat: expect.any(Number) as unknown, exp: expect.any(Number) as unknown });
    expect(receipt.qr.token).not.toContain(pseudonym(B.number));
    expect(JSON.stringify(payload)).not.toContain(pseudonym(B.number));
    expect(JSON.stringify(payload)).not.toContain(receipt.declarationId);
  });
});

describe('the OpenAPI document', () => {
  it('describes the declaration form, the QR images and the JWKS', async () => {
    const r = await server.request<{ paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>; components: { schemas: Record<string, unknown> } }>(
      'GET',
      '/api/openapi.json',
    );
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.paths)).toEqual(expect.arrayContaining(['/api/declarations', '/api/qr/{id}.svg', '/api/qr/{id}.png', '/.well-known/jwks.json', '/api/scans', '/api/scans/flagged', '/api/people/{id}/isolation']));
    expect(Object.keys(r.body.paths['/api/qr/{id}.png']?.['get']?.responses['200']?.content ?? {})).toEqual(['image/png']);
    expect(r.body.components.schemas).toHaveProperty('Declaration');
    expect(Object.keys(r.body.paths['/api/people/{id}/isolation'] ?? {}).sort()).toEqual(['get', 'put']);
  });
});
