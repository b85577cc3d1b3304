import { SignJWT } from 'jose';
import { closeDriver } from '../../engine/db/driver';
import { secretKey } from '../../engine/secrets';
import { AUDIENCE, ISSUER } from '../../api/auth';
import { newRunId } from '../helpers/cleanup';
import { startInProcess, type TestServer } from '../helpers/server';

/**
 * With Neo4j out of reach every route answers 503 (problem+json), never a 200 with an empty list
 * and never a 401 that blames the caller. The driver is pointed at a port where nothing listens.
 * Health runs first: once a request has found the database down, later requests answer at once
 * (the driver alone would retry each transaction for 30 s before failing).
 */

const run = newRunId('un');
let server: TestServer;
const saved = { uri: process.env['NEO4J_URI'], pw: process.env['NEO4J_PASSWORD'] };

beforeAll(async () => {
  await closeDriver();
  process.env['NEO4J_URI'] = 'bolt://127.0.0.1:9';
  process.env['NEO4J_PASSWORD'] = 'unused';
  server = await startInProcess(run);
});
afterAll(async () => {
  await server.close();
  await closeDriver();
  if (saved.uri === undefined) delete process.env['NEO4J_URI'];
  else process.env['NEO4J_URI'] = saved.uri;
  if (saved.pw === undefined) delete process.env['NEO4J_PASSWORD'];
  else process.env['NEO4J_PASSWORD'] = saved.pw;
});

const token = () =>
  new SignJWT({ tv: 0 }).setProtectedHeader({ alg: 'HS256' }).setSubject(`${run}-x`).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('5m').sign(secretKey('TRUYVET_JWT_SECRET'));

describe('when the database is down', () => {
  it('health answers 503', async () => {
    const r = await server.request('GET', '/api/health');
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ status: 'unavailable', database: 'down' });
  });

  it('login answers 503, not 401, without waiting out the driver retries', async () => {
    const started = Date.now();
    const r = await server.request<{ code: string }>('POST', '/api/auth/token', { json: { username: `${run}-x`, password: 'some password 1' } });
    expect(r.status).toBe(503);
    expect(r.body.code).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it.each([
    ['GET', '/api/stations'],
    ['GET', '/api/traces'],
    ['GET', '/api/audit'],
  ])('%s %s with a well-signed token answers 503, not 200 with nothing', async (method, p) => {
    const r = await server.request(method, p, { token: await token() });
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toMatch(/problem\+json/);
    expect(r.text).not.toMatch(/ECONNREFUSED|bolt:|\n\s+at /);
  });
});
