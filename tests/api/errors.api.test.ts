import { gzipSync } from 'node:zlib';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { num } from '../../engine/db/convert';
import { ROUTE_LIST, openApiPath } from '../../api/routes';
import { makeAccount, runProvince, station } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { startInProcess, type TestServer } from '../helpers/server';

const run = newRunId('er');
const province = runProvince();
let server: TestServer;
/** The same API with TRUYVET_CHECK_UNITS=off: stations in the run's own (made-up) province. */
let lenient: TestServer;
let admin = '';

beforeAll(async () => {
  server = await startInProcess(run);
  lenient = await startInProcess(run, { settings: { checkUnits: false } });
  const a = await makeAccount(run, 'admin', 'admin');
  admin = await server.login(a.username, a.password);
});
afterAll(async () => {
  await server.close();
  await lenient.close();
  await removeRun(run);
  await closeDriver();
});

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  errors?: { path: string; message: string }[];
}

const noLeak = (text: string) => {
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toMatch(/MATCH|MERGE|UNWIND|Neo4jError|neo4j/i);
};

describe('problem+json answers', () => {
  it('answers an unknown API route with 404', async () => {
    const r = await server.request<ProblemBody>('GET', '/api/nothing/here', { token: admin });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body).toMatchObject({ status: 404, title: 'Not Found', code: 'not_found' });
  });

  it('answers a body that is not JSON with 400, and a body of another type with 415', async () => {
    const bad = await server.request<ProblemBody>('POST', '/api/stations', { token: admin, body: '{"id": ', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('malformed');
    const form = await server.request<ProblemBody>('POST', '/api/stations', { token: admin, body: 'id=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    noLeak(bad.text);
  });

  it('answers an oversized body with 413', async () => {
    const r = await server.request<ProblemBody>('POST', '/api/stations', { token: admin, json: { ...station(`${run}-big`, { province, district: '001', commune: '00001' }), name: 'x'.repeat(100_000) } });
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('too_large');
  });

  it('names every bad field by its path (400)', async () => {
    const r = await server.request<ProblemBody>('POST', '/api/stations', { token: admin, json: { id: '', name: 'n', province: 'HCM', commune: '1', lat: 200, lon: 0, kind: 'castle' } });
    expect(r.status).toBe(400);
    expect([...new Set(r.body.errors?.map((e) => e.path))].sort()).toEqual(['body.id', 'body.kind', 'body.lat', 'body.province']);
  });

  it('refuses unknown extra fields in a body and in a query', async () => {
    const body = await server.request<ProblemBody>('POST', '/api/stations', { token: admin, json: { ...station(`${run}-x`, { province, district: '001', commune: '00001' }), isAdmin: true } });
    expect(body.status).toBe(400);
    expect(body.body.errors?.[0]?.message).toMatch(/isAdmin/);
    const query = await server.request<ProblemBody>('GET', '/api/stations?debug=1', { token: admin });
    expect(query.status).toBe(400);
    const noQueryRoute = await server.request<ProblemBody>('GET', '/api/auth/me?as=admin', { token: admin });
    expect(noQueryRoute.status).toBe(400);
  });

  it('answers 409 for an account that exists, and 422 for a password the policy refuses', async () => {
    const dup = await server.request<ProblemBody>('POST', '/api/accounts', { token: admin, json: { username: `${run}-admin`, password: 'long enough pass 1', role: 'tracer' } });
    expect(dup.status).toBe(409);
    const weak = await server.request<ProblemBody>('POST', '/api/accounts', { token: admin, json: { username: `${run}-weak`, password: 'short', role: 'tracer' } });
    expect(weak.status).toBe(422);
    expect(weak.body.errors?.[0]?.path).toBe('password');
    noLeak(dup.text);
  });
});

describe('bad input at the HTTP level is a 4xx, never a 500', () => {
  it('answers a body in an unsupported Content-Encoding with 415, on every kind of route that takes a body', async () => {
    const json = JSON.stringify(station(`${run}-enc`, { province, district: '001', commune: '00001' }));
    for (const [path, token] of [
      ['/api/stations', admin],
      ['/api/auth/token', undefined],
      ['/api/declarations', undefined],
    ] as const) {
      for (const encoding of ['zstd', 'compress', 'x-made-up', 'gzip, x-made-up', 'br, gzip']) {
        const r = await server.request<ProblemBody>('POST', path, { ...(token ? { token } : {}), body: json, headers: { 'content-type': 'application/json', 'content-encoding': encoding } });
        expect([path, encoding, r.status, r.body.code]).toEqual([path, encoding, 415, 'unsupported_media_type']);
        expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(r.body.detail).toMatch(/Content-Encoding/);
        noLeak(r.text);
      }
    }
  });

  it('reads a gzip or brotli body, and answers 400 when the bytes are not in the encoding the header names', async () => {
    const json = JSON.stringify(station(`${run}-gz`, { province: runProvince(), district: '001', commune: '00001' }));
    const ok = await lenient.request<ProblemBody>('POST', '/api/stations', { token: admin, body: gzipSync(json), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    expect(ok.status).toBe(201);
    for (const encoding of ['br', 'gzip', 'deflate']) {
      const r = await server.request<ProblemBody>('POST', '/api/stations', { token: admin, body: json, headers: { 'content-type': 'application/json', 'content-encoding': encoding } });
      expect([encoding, r.status, r.body.code]).toEqual([encoding, 400, 'malformed']);
      noLeak(r.text);
    }
  });

  it('answers a CSV upload in an unsupported Content-Encoding with 415 before anything is stored', async () => {
    const imp = await makeAccount(run, 'enc-imp', 'importer');
    const token = await server.login(imp.username, imp.password);
    const r = await server.request<ProblemBody>('POST', '/api/imports/passages', { token, body: 'passage_id,person_id,station_id,at\n', headers: { 'content-type': 'text/csv', 'content-encoding': 'x-made-up' } });
    expect([r.status, r.body.code]).toEqual([415, 'unsupported_media_type']);
  });

  it('answers malformed percent-encoding in a path segment with 400, on every route with a path parameter', async () => {
    for (const path of ['/api/stations/%E0%A4%A/passages', '/api/traces/%', '/api/traces/%zz', '/api/people/%C0%AF/timeline', '/api/accounts/%E0%A4%A', '/api/imports/%', '/api/qr/%E0%A4%A.svg', '/api/nothing/%']) {
      const r = await server.request<ProblemBody>(path.startsWith('/api/accounts') ? 'PATCH' : 'GET', path, { token: admin, ...(path.startsWith('/api/accounts') ? { json: { disabled: true } } : {}) });
      expect([path, r.status, r.body.code]).toEqual([path, 400, 'malformed_path']);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      noLeak(r.text);
    }
  });
});

describe('jurisdictions name real administrative units', () => {
  const create = (name: string, jurisdiction: unknown) =>
    server.request<ProblemBody>('POST', '/api/accounts', { token: admin, json: { username: `${run}-${name}`, password: 'long enough pass 1', role: 'officer', jurisdiction } });
  const paths = (r: { body: ProblemBody }) => r.body.errors?.map((e) => e.path);

  it('refuses an account jurisdiction that names no unit (400, naming the field)', async () => {
    const r = await create('j7', { province: '7' });
    expect([r.status, r.body.code, paths(r)]).toEqual([400, 'validation', ['body.jurisdiction.province']]);
    expect(r.body.errors?.[0]?.message).toMatch(/'7' is not a province code/);
    const district = await create('jd', { province: '01', district: '760' });
    expect([district.status, paths(district)]).toEqual([400, ['body.jurisdiction.district']]);
    const commune = await create('jc', { province: '79', district: '760', commune: '00001' });
    expect([commune.status, paths(commune)]).toEqual([400, ['body.jurisdiction.commune']]);
    expect(await readQuery('MATCH (a:Account) WHERE a.username IN $names RETURN count(a) AS n', { names: ['j7', 'jd', 'jc'].map((n) => `${run}-${n}`) }, (x) => num(x['n']))).toEqual([0]);
  });

  it('accepts the units of 2021 (province › district › commune) and of 2025 (province › commune)', async () => {
    expect((await create('j21', { province: '79', district: '760', commune: '26734' })).status).toBe(201);
    expect((await create('j25', { province: '79', commune: '25747' })).status).toBe(201);
  });

  it('refuses a jurisdiction that names no unit in an account change too', async () => {
    const a = await makeAccount(run, 'jpatch', 'auditor');
    const r = await server.request<ProblemBody>('PATCH', `/api/accounts/${a.username}`, { token: admin, json: { role: 'officer', jurisdiction: { province: '79', district: '001' } } });
    expect([r.status, paths(r)]).toEqual([400, ['body.jurisdiction.district']]);
    expect((await server.request('PATCH', `/api/accounts/${a.username}`, { token: admin, json: { role: 'officer', jurisdiction: { province: '79', district: '760' } } })).status).toBe(200);
  });

  it('refuses a station whose codes name no unit (400, naming the field)', async () => {
    const r = await server.request<ProblemBody>('POST', '/api/stations', { token: admin, json: { ...station(`${run}-unit`, { province: '79', district: '760', commune: '00001' }) } });
    expect([r.status, paths(r)]).toEqual([400, ['body.commune']]);
    const p = await server.request<ProblemBody>('POST', '/api/stations', { token: admin, json: { ...station(`${run}-unit`, { province: '7', district: '', commune: '26734' }) } });
    expect([p.status, paths(p)]).toEqual([400, ['body.province']]);
  });
});

describe('hostile input is data', () => {
  const nasty = [`x' OR 1=1 //`, `"}) MATCH (n) DETACH DELETE n //`, `\\u0027; CALL db.clearQueryCaches() //`, '=HYPERLINK("http://evil")'];

  it('stores Cypher-like ids and names literally and changes no other node', async () => {
    const countMine = () => readQuery('MATCH (s:Station) WHERE s.id STARTS WITH $run RETURN count(s) AS n', { run }, (r) => num(r['n']));
    const countAll = () => readQuery('MATCH (n:Account) WHERE n.username STARTS WITH $run RETURN count(n) AS n', { run }, (r) => num(r['n']));
    const [before] = await countMine();
    const [accountsBefore] = await countAll();
    for (const [i, text] of nasty.entries()) {
      const r = await lenient.request('POST', '/api/stations', { token: admin, json: { ...station(`${run}-${text}`, { province, district: '001', commune: '00001' }), name: text } });
      expect([i, r.status]).toEqual([i, 201]);
    }
    const list = await server.request<{ stations: { id: string; name: string }[] }>('GET', `/api/stations?province=${province}`, { token: admin });
    expect(list.body.stations.map((s) => s.name).sort()).toEqual([...nasty].sort());
    expect(list.body.stations.map((s) => s.id).sort()).toEqual(nasty.map((t) => `${run}-${t}`).sort());
    expect((await countMine())[0]).toBe((before ?? 0) + nasty.length);
    expect((await countAll())[0]).toBe(accountsBefore);
  });

  it('answers a Cypher-like username with the ordinary 401, and a Cypher-like F0 with 404', async () => {
    for (const text of nasty) {
      const r = await server.request('POST', '/api/auth/token', { json: { username: text, password: 'whatever pass 1' } });
      expect(r.status).toBe(401);
    }
    const t = await makeAccount(run, 'tracer', 'tracer');
    const token = await server.login(t.username, t.password);
    const r = await server.request('POST', '/api/traces', {
      token,
      json: { f0: nasty[1], from: '2021-08-01T00:00:00Z', to: '2021-08-02T00:00:00Z', requestRef: 'SYT-1', purpose: 'injection test' },
    });
    expect(r.status).toBe(404);
    noLeak(r.text);
  });
});

describe('the OpenAPI document', () => {
  it('describes every route of the table, with its parameters, its success schema and its problems', async () => {
    const r = await server.request<{ openapi: string; paths: Record<string, Record<string, { operationId: string; responses: Record<string, { content?: Record<string, { schema?: unknown }> }>; parameters?: { name: string; in: string }[]; security?: unknown[] }>> }>(
      'GET',
      '/api/openapi.json',
    );
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    const ops = Object.entries(r.body.paths).flatMap(([p, methods]) => Object.entries(methods).map(([m, op]) => ({ key: `${m} ${p}`, op })));
    expect(ops.map((o) => o.key).sort()).toEqual(ROUTE_LIST.map((rt) => `${rt.method} ${openApiPath(rt.path)}`).sort());
    for (const rt of ROUTE_LIST) {
      const op = r.body.paths[openApiPath(rt.path)]?.[rt.method];
      expect(op?.operationId).toBe(rt.id);
      const success = Object.keys(rt.responses).filter((s) => s.startsWith('2'));
      for (const s of success) expect(op?.responses[s]).toBeDefined();
      const media = rt.responses[Number(success[0])]?.contentType ?? 'application/json';
      if (rt.id !== 'openapi' && success[0] !== '204') expect(op?.responses[success[0]!]?.content?.[media]?.schema).toBeDefined();
      expect(op?.responses['400']?.content?.['application/problem+json']).toBeDefined();
      if (rt.access !== 'public') {
        // A QR code's holder may call a holderKey route with the receipt's key instead of a token.
        expect(op?.security).toEqual(rt.holderKey ? [{ bearer: [] }, {}] : [{ bearer: [] }]);
        expect(op?.responses['401']).toBeDefined();
        expect(op?.responses['403']).toBeDefined();
      }
      for (const name of rt.path.match(/:(\w+)/g) ?? []) expect(op?.parameters?.some((p) => p.in === 'path' && p.name === name.slice(1))).toBe(true);
    }
  });
});
