import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { pseudonym } from '../../engine/identity';
import { forgetSecrets, secretKey } from '../../engine/secrets';
import { importRunner } from '../../api/import-runner';
import { makeAccount, runProvince } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { call as callServed, startInProcess, startServeProcess } from '../helpers/server';
import { buildCity, TRACE_PERIOD, type City } from './city';

/**
 * The privacy promises, checked: the graph holds no national id, name or phone in the clear;
 * the pseudonym is keyed; and no log line of a real server process — stdout and stderr of
 * `truyvet serve` at the most verbose level — carries a canary name, id, phone, password or
 * token, whatever the requests (good ones, failed ones, malformed ones).
 */

const run = newRunId('pv');
const canary = `${run}CANARY`;
const inside = runProvince();
let city: City;

beforeAll(async () => {
  city = await buildCity(run, inside, runProvince(), canary);
});
afterAll(async () => {
  await removeRun(run, { people: [...city.allRaw, `${run}IMP${canary}`] });
  await closeDriver();
});

describe('the pseudonymous graph', () => {
  it('keeps no raw key, name, phone or birth date in Person or Identity properties', async () => {
    const pids = Object.values(city.pid);
    const props = await readQuery(
      `MATCH (n) WHERE (n:Person AND n.id IN $pids) OR (n:Identity AND n.pid IN $pids) RETURN labels(n) AS l, properties(n) AS p`,
      { pids },
      (r) => JSON.stringify(r),
    );
    expect(props.length).toBe(pids.length + city.registry.length);
    const text = props.join('\n');
    for (const raw of city.allRaw) expect(text).not.toContain(raw);
    for (const r of city.registry) {
      expect(text).not.toContain(r.fullName);
      expect(text).not.toContain(r.phone);
      expect(text).not.toContain(r.birthDate);
    }
    expect(text).not.toContain(canary);
  });

  it('uses a keyed hash: not a plain hash of the id, and different under another key', () => {
    const raw = city.raw.f0;
    const pid = pseudonym(raw);
    expect(pid).toBe(`p${createHmac('sha256', secretKey('TRUYVET_PSEUDONYM_KEY')).update(raw).digest('hex').slice(0, 24)}`);
    expect(pid.slice(1)).not.toBe(createHash('sha256').update(raw).digest('hex').slice(0, 24));
    const saved = process.env['TRUYVET_PSEUDONYM_KEY'];
    try {
      process.env['TRUYVET_PSEUDONYM_KEY'] = 'another key of at least thirty-two characters';
      forgetSecrets();
      expect(pseudonym(raw)).not.toBe(pid);
    } finally {
      process.env['TRUYVET_PSEUDONYM_KEY'] = saved;
      forgetSecrets();
    }
    expect(pseudonym(raw)).toBe(pid);
  });
});

describe('logs', () => {
  it('of a real server process carry none of the canary names, ids, phones, passwords or tokens', async () => {
    const adminPassword = `Pw-${canary}-admin`;
    const uploadDir = path.join(os.tmpdir(), `truyvet-up-${run}`);
    // A real `truyvet serve` process with every log level on: all it writes is read below.
    const srv = await startServeProcess({
      LOG_LEVEL: 'trace',
      TRUYVET_PURGE_AT: 'off',
      TRUYVET_AUDIT_CHAIN: run,
      TRUYVET_ADMIN_USER: `${run}-boss`,
      TRUYVET_ADMIN_PASSWORD: adminPassword,
      // The run's own province is made up (no real data lives there): not checked against the unit tables.
      TRUYVET_CHECK_UNITS: 'off',
      TRUYVET_SCRYPT_LOG2N: '10',
      TRUYVET_UPLOAD_DIR: uploadDir,
    });
    const secrets: string[] = [canary, adminPassword, ...city.allRaw, ...city.registry.map((r) => r.phone)];
    let requests = 0;
    const call = (method: string, p: string, o: { token?: string; json?: unknown; body?: string } = {}) => {
      requests++;
      return callServed(srv.url, method, p, o);
    };
    const login = async (username: string, password: string) => {
      const r = await call('POST', '/api/auth/token', { json: { username, password } });
      const t = r.body['accessToken'] as string;
      secrets.push(t);
      return t;
    };
    try {
      const admin = await login(`${run}-boss`, adminPassword);
      expect(admin).toBeTruthy();
      expect((await call('POST', '/api/auth/token', { json: { username: canary, password: `${canary}-guess` } })).status).toBe(401);
      expect((await call('POST', '/api/auth/token', { json: { username: `${run}-boss`, password: `${canary}-guess` } })).status).toBe(401);
      const tracerPw = `Pw-${canary}-tracer`;
      const officerPw = `Pw-${canary}-officer`;
      const importerPw = `Pw-${canary}-importer`;
      secrets.push(tracerPw, officerPw, importerPw);
      for (const [name, role, pw, j] of [
        ['tracer', 'tracer', tracerPw, undefined],
        ['officer', 'officer', officerPw, { province: inside }],
        ['importer', 'importer', importerPw, undefined],
      ] as const) {
        expect((await call('POST', '/api/accounts', { token: admin, json: { username: `${run}-${name}`, password: pw, role, ...(j ? { jurisdiction: j } : {}) } })).status).toBe(201);
      }
      const tracer = await login(`${run}-tracer`, tracerPw);
      const officer = await login(`${run}-officer`, officerPw);
      const importer = await login(`${run}-importer`, importerPw);
      const trace = await call('POST', '/api/traces', { token: tracer, json: { f0: city.raw.f0, ...TRACE_PERIOD, requestRef: 'SYT-1/2021', purpose: 'canary run' } });
      expect(trace.status).toBe(201);
      const id = trace.body['id'] as string;
      expect((await call('GET', `/api/traces/${id}?page=1&pageSize=1`, { token: tracer })).status).toBe(200);
      expect((await call('GET', `/api/people/${city.pid.a}/timeline?trace=${id}`, { token: tracer })).status).toBe(200);
      expect((await call('GET', `/api/hotspots?trace=${id}`, { token: tracer })).status).toBe(200);
      expect((await call('POST', '/api/traces', { token: tracer, json: { f0: `${run}X${canary}`, ...TRACE_PERIOD, requestRef: 'SYT-2/2021', purpose: 'unknown case' } })).status).toBe(404);
      expect((await call('POST', '/api/traces', { token: tracer, json: { f0: city.raw.a, from: canary, to: TRACE_PERIOD.to, requestRef: canary, purpose: canary } })).status).toBe(400);
      expect((await call('GET', `/api/people/${encodeURIComponent(city.raw.a)}/timeline?trace=${id}`, { token: tracer })).status).toBe(400);
      expect((await call('GET', `/api/stations/${encodeURIComponent(city.stations.s1.id)}/passages?from=${TRACE_PERIOD.from}&to=${TRACE_PERIOD.to}`, { token: officer })).status).toBe(200);
      expect((await call('POST', '/api/stations', { token: officer, json: { id: `${run}-S9`, name: `Chốt ${canary}`, province: inside, commune: '00001', lat: 10.7, lon: 106.6 } })).status).toBe(201);
      expect((await call('GET', `/api/stations?province=${canary}`, { token: officer })).status).toBe(400);
      expect((await call('GET', `/api/nothing/${canary}?q=${canary}`, { token: officer })).status).toBe(404);
      const csv = `passage_id,person_id,station_id,at,left_at,source\n,${run}IMP${canary},${city.stations.s1.id},2021-08-02T08:00:00Z,,qr\n,${canary},${canary},${canary},,qr\n`;
      const up = await call('POST', '/api/imports/passages', { token: importer, body: csv });
      expect(up.status).toBe(202);
      for (let i = 0; i < 100; i++) {
        const j = await call('GET', `/api/imports/${String(up.body['id'])}`, { token: importer });
        if (j.body['state'] === 'done' || j.body['state'] === 'failed') break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      srv.child.kill('SIGTERM');
    }
    expect(await srv.exit).toEqual({ code: 0, signal: null });
    fs.rmSync(uploadDir, { recursive: true, force: true });
    const out = srv.output();
    const lines = out.split('\n').filter((l) => l.includes('"msg":"request"'));
    expect(lines.length).toBeGreaterThanOrEqual(requests);
    expect(out).toMatch(/"msg":"stopped"/);
    for (const s of secrets) expect(out.includes(s) ? s : 'absent').toBe('absent');
    expect(out).not.toMatch(/Nguyễn|Trần|CANARY/i);
  }, 180_000);

  it('of the in-process app carry none of them either (the memory logger sees every line)', async () => {
    const srv = await startInProcess(`${run}m`, { importRunner });
    try {
      const a = await makeAccount(`${run}m`, 'tracer', 'tracer');
      const token = await srv.login(a.username, a.password);
      await srv.request('POST', '/api/auth/token', { json: { username: a.username, password: `${canary}-wrong` } });
      const t = await srv.request<{ id: string }>('POST', '/api/traces', { token, json: { f0: city.raw.f0, ...TRACE_PERIOD, requestRef: 'R-1', purpose: 'in process' } });
      expect(t.status).toBe(201);
      await srv.request('GET', `/api/people/${city.pid.b}/timeline?trace=${t.body.id}`, { token });
      expect(srv.lines.length).toBeGreaterThan(3);
      const text = srv.lines.join('');
      for (const s of [canary, ...city.allRaw, token, ...city.registry.map((r) => r.phone)]) expect(text.includes(s) ? s : 'absent').toBe('absent');
    } finally {
      await srv.close();
      await removeRun(`${run}m`);
    }
  });
});
