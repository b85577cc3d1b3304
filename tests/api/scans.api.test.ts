import { updateAccount } from '../../engine/accounts/accounts';
import { listAudit } from '../../engine/audit/store';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { upsertPeople } from '../../engine/db/people';
import { upsertStations } from '../../engine/db/stations';
import { pseudonym } from '../../engine/identity';
import { formatNationalQr } from '../../engine/qr/national';
import { issueQrToken, newQrCodeId } from '../../engine/qr/token';
import { citizen, citizenRow, declarationJson, makeAccount, runProvince, station, useTestQrKey, type Citizen, type ReceiptBody } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { startInProcess, type TestServer } from '../helpers/server';

/**
 * Checkpoint scans through HTTP (issue 6): every rule of the scan — valid, replayed, tampered,
 * expired, future-dated and copied codes, the national QR as lower-trust evidence, the officer's
 * jurisdiction, a person under isolation — and the whole way from a citizen's declaration to a
 * tracer finding the contact. The server's clock is the test's, moved forward only.
 */

const run = newRunId('sa');
const M = 60_000;
const H = 60 * M;
const DAY = 24 * H;
const T0 = Date.UTC(2021, 7, 14, 1, 0);
let clock = T0;
const p1 = runProvince();
let p2 = runProvince();
while (p2 === p1) p2 = runProvince();

// S1 and S2 are 1 km apart in Hồ Chí Minh City (province p1); S3 is in Hà Nội (province p2).
const S1 = station(`${run}-S1`, { province: p1, district: '001', commune: '00001', lat: 10.7769, lon: 106.7009 });
const S2 = station(`${run}-S2`, { province: p1, district: '001', commune: '00002', lat: 10.7859, lon: 106.7009 });
const S3 = station(`${run}-S3`, { province: p2, district: '001', commune: '00001', lat: 21.0285, lon: 105.8542 });

const people = {
  an: citizen('Nguyễn Văn An', 1980),
  binh: citizen('Trần Thị Bình', 1982, 'female'),
  cuong: citizen('Lê Văn Cường', 1984),
  dung: citizen('Phạm Văn Dũng', 1986),
  em: citizen('Võ Thị Em', 1988, 'female'),
  phuc: citizen('Phạm Văn Phúc', 1985),
};
const numbers: string[] = Object.values(people).map((c) => c.number);

let server: TestServer;
const tokens = { officer1: '', officer2: '', tracer: '', tracerP2: '', tracerOther: '' };
let seq = 0;
const scanId = (label: string) => `${run}-${label}-${++seq}`;

interface Decision {
  scanId: string;
  decision: 'pass' | 'stop';
  reason: string;
  flags: string[];
  codeKind: string;
  personId: string | null;
  passageId: string | null;
  trust: string | null;
  copiedOf: string | null;
  impossibleSpeedKmh: number | null;
  replay: boolean;
  message_vi: string;
  message_en: string;
  scannedAt: string;
}

async function declare(c: Citizen & { sex: 'male' | 'female' }): Promise<ReceiptBody> {
  const r = await server.request<ReceiptBody>('POST', '/api/declarations', { json: declarationJson(c, clock - M, scanId('decl')) });
  if (r.status !== 201) throw new Error(`declaration answered ${r.status}: ${r.text}`);
  return r.body;
}

function scan(token: string, qrText: string, stationId = S1.id, over: Record<string, unknown> = {}) {
  return server.request<Decision>('POST', '/api/scans', { token, json: { qrText, scanId: scanId('scan'), stationId, ...over } });
}

const passageTrust = (passageId: string) =>
  readQuery('MATCH (r:Passage {id: $id}) MATCH (p:Person {id: r.pid}) RETURN p.id AS pid, r.source AS source, r.trust AS trust', { id: passageId }, (r) => ({
    pid: r['pid'] as unknown,
    source: r['source'] as unknown,
    trust: r['trust'] as unknown,
  }));

async function openTrace(f0: string, from: number, to: number): Promise<{ id: string; people: { id: string; generation: number }[]; contacts: { source: string; target: string; stationId: string; passages: string[] }[] }> {
  const r = await server.request<{ id: string; people: { id: string; generation: number }[]; contacts: { source: string; target: string; stationId: string; passages: string[] }[] }>(
    'POST',
    '/api/traces',
    { token: tokens.tracer, json: { f0, from: new Date(from).toISOString(), to: new Date(to).toISOString(), depth: 2, requestRef: 'SYT-2021/0814', purpose: 'checkpoint scan test' } },
  );
  if (r.status !== 201) throw new Error(`trace answered ${r.status}: ${r.text}`);
  return r.body;
}

beforeAll(async () => {
  useTestQrKey();
  await upsertStations([S1, S2, S3]);
  await upsertPeople(Object.values(people).map(citizenRow));
  server = await startInProcess(run, { now: () => clock, settings: { tokenSeconds: 365 * 86_400 } });
  const login = async (name: string, role: 'officer' | 'tracer', j?: { province: string }) => {
    const a = await makeAccount(run, name, role, j);
    return server.login(a.username, a.password);
  };
  tokens.officer1 = await login('officer1', 'officer', { province: p1 });
  tokens.officer2 = await login('officer2', 'officer', { province: p2 });
  tokens.tracer = await login('tracer', 'tracer');
  tokens.tracerP2 = await login('tracer-p2', 'tracer', { province: p2 });
  tokens.tracerOther = await login('tracer-other', 'tracer');
});
afterAll(async () => {
  await server.close();
  await removeRun(run, { people: numbers });
  await closeDriver();
});

describe('from a declaration to a traced contact, through the API', () => {
  it('two citizens scanned at one checkpoint minutes apart: the trace of one finds the other as F1 with the scan passages as evidence', async () => {
    clock = T0 + 10 * DAY;
    const an = await declare(people.an);
    const binh = await declare(people.binh);
    const first = await scan(tokens.officer1, an.qr.token);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ decision: 'pass', reason: 'ok', codeKind: 'signed', trust: 'signed', personId: pseudonym(people.an.number), replay: false });
    clock += 5 * M;
    const second = await scan(tokens.officer1, binh.qr.token);
    expect(second.body).toMatchObject({ decision: 'pass', personId: pseudonym(people.binh.number) });
    expect(await passageTrust(first.body.passageId!)).toEqual([{ pid: pseudonym(people.an.number), source: 'qr', trust: 'signed' }]);

    const t = await openTrace(people.an.number, T0 + 10 * DAY - H, T0 + 10 * DAY + H);
    expect(t.people.map((p) => [p.id, p.generation])).toEqual([[pseudonym(people.binh.number), 1]]);
    expect(t.contacts).toEqual([
      expect.objectContaining({ source: pseudonym(people.an.number), target: pseudonym(people.binh.number), stationId: S1.id, passages: [first.body.passageId, second.body.passageId] }),
    ]);
    const tl = await server.request<{ passages: { id: string; source: string; stationId: string }[] }>('GET', `/api/people/${pseudonym(people.binh.number)}/timeline?trace=${t.id}`, { token: tokens.tracer });
    expect(tl.status).toBe(200);
    expect(tl.body.passages).toEqual([expect.objectContaining({ id: second.body.passageId, source: 'qr', stationId: S1.id })]);
  });
});

describe('POST /api/scans', () => {
  it('answers a replayed scan id with the first decision (200, replay), recording nothing new', async () => {
    clock = T0 + 20 * DAY;
    const { qr } = await declare(people.cuong);
    const id = scanId('replay');
    const first = await server.request<Decision>('POST', '/api/scans', { token: tokens.officer1, json: { qrText: qr.token, scanId: id, stationId: S1.id } });
    clock += H;
    const again = await server.request<Decision>('POST', '/api/scans', { token: tokens.officer1, json: { qrText: qr.token, scanId: id, stationId: S1.id } });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toEqual({ ...first.body, replay: true, recorded: false });
    expect(await readQuery('MATCH (s:Scan {id: $id}) RETURN count(s) AS n', { id }, (r) => Number(r['n']))).toEqual([1]);
    expect(await readQuery('MATCH (r:Passage {id: $id}) RETURN count(r) AS n', { id: first.body.passageId }, (r) => Number(r['n']))).toEqual([1]);
    // The same id from another officer's device is a conflict, not a replay.
    const other = await server.request('POST', '/api/scans', { token: tokens.officer2, json: { qrText: qr.token, scanId: id, stationId: S3.id } });
    expect(other.status).toBe(409);
  });

  it('stops a tampered code, writes no passage, and lists it for tracers', async () => {
    clock = T0 + 21 * DAY;
    const { qr } = await declare(people.dung);
    const [h, p, s] = qr.token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    claims['exp'] = Number(claims['exp']) + 30 * 86_400;
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    const r = await scan(tokens.officer1, forged);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ decision: 'stop', reason: 'invalid_signature', flags: ['tampered'], personId: null, passageId: null, trust: null });
    expect(r.body.message_vi).toMatch(/giả mạo/);
    const list = await server.request<{ scans: { id: string; flags: string[] }[] }>(
      'GET',
      `/api/scans/flagged?from=${new Date(clock - H).toISOString()}&to=${new Date(clock + H).toISOString()}&flag=tampered`,
      { token: tokens.tracer },
    );
    expect(list.body.scans.map((x) => x.id)).toEqual([r.body.scanId]);
  });

  it('stops an expired code (keeping the passage as evidence), a code issued after the scan and a code never issued (without one)', async () => {
    clock = T0 + 30 * DAY;
    const { qr } = await declare(people.em);
    clock += 3 * DAY + M;
    const expired = await scan(tokens.officer1, qr.token);
    expect(expired.body).toMatchObject({ decision: 'stop', reason: 'expired', flags: ['expired'], trust: 'signed' });
    expect(await passageTrust(expired.body.passageId!)).toEqual([{ pid: pseudonym(people.em.number), source: 'qr', trust: 'signed' }]);

    // A device clock far behind, or a forged issue time: the code is younger than the scan.
    const { qr: fresh } = await declare(people.em);
    clock += M;
    const early = await scan(tokens.officer1, fresh.token, S1.id, { scannedAt: new Date(clock - 2 * H).toISOString() });
    expect(early.body).toMatchObject({ decision: 'stop', reason: 'not_yet_valid', flags: ['not_yet_valid'], passageId: null });
    // Signed with the right key but never issued (a leaked key, or a code from another server): names nobody.
    const { token: forgedFuture } = await issueQrToken({ codeId: newQrCodeId(), issuedAt: clock + DAY });
    const future = await scan(tokens.officer1, forgedFuture);
    expect(future.body).toMatchObject({ decision: 'stop', reason: 'unknown_code', personId: null, passageId: null });

    const list = await server.request<{ scans: { id: string; reason: string }[] }>(
      'GET',
      `/api/scans/flagged?from=${new Date(T0 + 30 * DAY).toISOString()}&to=${new Date(clock + H).toISOString()}`,
      { token: tokens.tracer },
    );
    expect(list.body.scans.map((x) => [x.id, x.reason]).sort()).toEqual(
      [
        [expired.body.scanId, 'expired'],
        [early.body.scanId, 'not_yet_valid'],
        [future.body.scanId, 'unknown_code'],
      ].sort(),
    );
  });

  it('flags one code scanned at two stations farther apart than anyone could travel, for the tracers of that place', async () => {
    clock = T0 + 40 * DAY;
    const { qr } = await declare(people.cuong);
    const here = await scan(tokens.officer1, qr.token, S1.id);
    clock += 20 * M;
    const near = await scan(tokens.officer1, qr.token, S2.id);
    expect(near.body.flags).not.toContain('copied_code');
    clock += 40 * M;
    const far = await scan(tokens.officer2, qr.token, S3.id);
    expect(here.body.decision).toBe('pass');
    expect(far.body).toMatchObject({ decision: 'stop', reason: 'copied_code', copiedOf: near.body.scanId });
    expect(far.body.impossibleSpeedKmh).toBeGreaterThan(1000);
    const period = `from=${new Date(T0 + 40 * DAY).toISOString()}&to=${new Date(clock + H).toISOString()}&flag=copied_code`;
    const forP2 = await server.request<{ scans: { id: string; copiedOf: string }[] }>('GET', `/api/scans/flagged?${period}`, { token: tokens.tracerP2 });
    expect(forP2.body.scans.map((x) => [x.id, x.copiedOf])).toEqual([[far.body.scanId, near.body.scanId]]);
    const forP1 = await server.request<{ scans: unknown[] }>('GET', `/api/scans/flagged?${period}&province=${p1}`, { token: tokens.tracerP2 });
    expect(forP1.body.scans).toEqual([]);
    const events = await listAudit({ chain: run, limit: 1000 });
    expect(events.filter((e) => e.action === 'scans.flagged.read' && e.actor === `${run}-tracer-p2`).map((e) => e.count)).toEqual([1, 0]);
  });

  it('accepts the national personal QR that matches the registry as lower-trust evidence, and stops one that does not', async () => {
    clock = T0 + 50 * DAY;
    const c = people.phuc;
    const text = (fullName: string) => formatNationalQr({ documentNumber: c.number, fullName, birthDate: c.birthDate, declaredBy: 'self', qid: '162979388586171100', ext: { gender: 'male' } });
    const ok = await scan(tokens.officer1, text('PHAM VAN PHUC'));
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ decision: 'pass', codeKind: 'national', trust: 'national', flags: ['national_qr'], personId: pseudonym(c.number) });
    expect(await passageTrust(ok.body.passageId!)).toEqual([{ pid: pseudonym(c.number), source: 'qr', trust: 'national' }]);
    const wrong = await scan(tokens.officer1, text('PHAM VAN PHUOC'));
    expect(wrong.body).toMatchObject({ decision: 'stop', reason: 'registry_mismatch', passageId: null });
  });

  it('names nobody for a code that did not verify: a national code with a wrong name or birth date, an unregistered number, a bad signature', async () => {
    clock = T0 + 50 * DAY + H;
    const c = people.phuc;
    const national = (number: string, fullName: string, birthDate: string) => formatNationalQr({ documentNumber: number, fullName, birthDate, declaredBy: 'self', qid: '1', ext: { gender: 'male' } });
    const stranger = citizen('Ngô Văn Lạ', 1991);
    numbers.push(stranger.number);
    const { qr } = await declare(people.binh);
    const [h, p, s] = qr.token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    claims['exp'] = Number(claims['exp']) + 86_400;
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    const answers = [
      await scan(tokens.officer1, national(c.number, 'PHAM VAN PHUOC', c.birthDate)),
      await scan(tokens.officer1, national(c.number, 'PHAM VAN PHUC', '1985-05-07')),
      await scan(tokens.officer1, national(stranger.number, 'NGO VAN LA', stranger.birthDate)),
      await scan(tokens.officer1, forged),
    ];
    expect(answers.map((a) => [a.status, a.body.decision, a.body.reason, a.body.personId, a.body.passageId])).toEqual([
      [201, 'stop', 'registry_mismatch', null, null],
      [201, 'stop', 'registry_mismatch', null, null],
      [201, 'stop', 'not_in_registry', null, null],
      [201, 'stop', 'invalid_signature', null, null],
    ]);
    for (const a of answers) {
      expect(a.text).not.toContain(pseudonym(c.number));
      expect(a.text).not.toContain(pseudonym(stranger.number));
      expect(a.text).not.toContain(pseudonym(people.binh.number));
    }
    // Nor does the stored scan keep the unverified claim.
    const stored = await readQuery('MATCH (s:Scan) WHERE s.id IN $ids RETURN s.pid AS pid', { ids: answers.map((a) => a.body.scanId) }, (r) => r['pid'] as unknown);
    expect(stored).toEqual([null, null, null, null]);
  });

  it('stops a scan older than the offline limit (72 h) or more than 5 minutes ahead of the server, with its own reason, recording nothing', async () => {
    clock = T0 + 56 * DAY;
    const early = await declare(people.dung);
    clock += 72 * H - M;
    const { qr } = await declare(people.em);
    const at = (ms: number) => ({ scannedAt: new Date(ms).toISOString() });
    const old = await scan(tokens.officer1, qr.token, S1.id, at(clock - 72 * H - M));
    const ahead = await scan(tokens.officer1, qr.token, S1.id, at(clock + 5 * M + 1000));
    expect([old.status, old.body.decision, old.body.reason, old.body.personId, old.body.passageId]).toEqual([200, 'stop', 'too_old', null, null]);
    expect([ahead.status, ahead.body.decision, ahead.body.reason, ahead.body.personId, ahead.body.passageId]).toEqual([200, 'stop', 'future', null, null]);
    expect(old.body.message_en).toMatch(/import/);
    expect(await readQuery('MATCH (s:Scan) WHERE s.id IN $ids RETURN count(s) AS n', { ids: [old.body.scanId, ahead.body.scanId] }, (r) => Number(r['n']))).toEqual([0]);
    // Inside the window, at both ends: decided and recorded as usual.
    const edgeOld = await scan(tokens.officer1, early.qr.token, S1.id, at(clock - 72 * H + M));
    const edgeAhead = await scan(tokens.officer1, qr.token, S2.id, at(clock + 5 * M));
    expect([edgeOld.status, edgeOld.body.decision, edgeAhead.status, edgeAhead.body.decision]).toEqual([201, 'pass', 201, 'pass']);
  });

  it('takes the offline limit from the settings (TRUYVET_SCAN_MAX_OFFLINE)', async () => {
    const strict = await startInProcess(`${run}w`, { now: () => clock, settings: { tokenSeconds: 86_400, scanMaxOfflineMs: 2 * H } });
    try {
      const a = await makeAccount(`${run}w`, 'officer', 'officer', { province: p1 });
      const token = await strict.login(a.username, a.password);
      const { qr } = await declare(people.dung);
      const r = await strict.request<Decision>('POST', '/api/scans', { token, json: { qrText: qr.token, scanId: scanId('win'), stationId: S1.id, scannedAt: new Date(clock - 3 * H).toISOString() } });
      expect([r.status, r.body.reason]).toEqual([200, 'too_old']);
    } finally {
      await strict.close();
      await removeRun(`${run}w`);
    }
  });

  it('refuses a station outside the officer jurisdiction (403), stores nothing, and audits the refusal', async () => {
    clock = T0 + 51 * DAY;
    const { qr } = await declare(people.an);
    const id = scanId('outside');
    const r = await server.request<{ code: string }>('POST', '/api/scans', { token: tokens.officer1, json: { qrText: qr.token, scanId: id, stationId: S3.id } });
    expect(r.status).toBe(403);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await readQuery('MATCH (s:Scan {id: $id}) RETURN count(s) AS n', { id }, (x) => Number(x['n']))).toEqual([0]);
    const events = await listAudit({ chain: run, limit: 1000 });
    expect(events.some((e) => e.action === 'access.denied' && e.actor === `${run}-officer1` && e.target === S3.id)).toBe(true);
  });

  it('judges concurrent scans of two officers each by its own account, even when their lookups are read together', async () => {
    clock = T0 + 53 * DAY;
    const { qr } = await declare(people.binh);
    // Sent at once, the account lookups of these requests share reads (api/auth.ts AccountLoader).
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? scan(tokens.officer1, qr.token, S3.id) : scan(tokens.officer2, qr.token, S3.id))),
    );
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 403 : 201)));
  });

  it('answers 400 for a malformed request, 404 for an unknown station', async () => {
    clock = T0 + 52 * DAY;
    const { qr } = await declare(people.an);
    const bad = await server.request<{ errors: { path: string }[] }>('POST', '/api/scans', { token: tokens.officer1, json: { qrText: qr.token, scanId: 'short', stationId: S1.id, extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.path).sort()).toEqual(['body', 'body.scanId']);
    expect((await scan(tokens.officer1, qr.token, `${run}-S404`)).status).toBe(404);
  });
});

describe("account changes reach an officer's scans on the very next request", () => {
  // Scans are authorized on the account's last read and the account is checked again in the
  // scan's own transaction (api/routes.ts accountCheck): every change here is made outside the
  // server, as `truyvet accounts` would, after a scan that leaves the account read.
  let n = 0;
  const officer = async (j = { province: p1 }) => {
    const a = await makeAccount(run, `chg${++n}`, 'officer', j);
    const token = await server.login(a.username, a.password);
    return { username: a.username, token };
  };
  let qrText = '';
  const stored = (id: string) => readQuery('MATCH (s:Scan {id: $id}) RETURN count(s) AS n', { id }, (x) => Number(x['n']));
  const scanAs = async (token: string, stationId: string) => {
    const id = scanId('chg');
    const r = await server.request<Decision & { code?: string }>('POST', '/api/scans', { token, json: { qrText, scanId: id, stationId } });
    return { status: r.status, stored: (await stored(id))[0], body: r.body };
  };
  beforeAll(async () => {
    clock = T0 + 55 * DAY;
    qrText = (await declare(people.cuong)).qr.token;
  });

  it('refuses a disabled account (401), stores nothing, audits the refusal', async () => {
    const o = await officer();
    expect((await scanAs(o.token, S1.id)).status).toBe(201);
    await updateAccount(o.username, { disabled: true }, clock);
    expect(await scanAs(o.token, S1.id)).toMatchObject({ status: 401, stored: 0 });
    // The app appends a refusal's audit event without holding the 401 back (api/app.ts authorize): wait for it.
    const audited = async () =>
      (await listAudit({ chain: run, action: 'auth.refused', limit: 1000 })).some((e) => e.actor === o.username && e.details?.['reason'] === 'disabled' && e.details?.['route'] === 'scansCreate');
    let found = await audited();
    for (let i = 0; i < 50 && !found; i++) {
      await new Promise((r) => setTimeout(r, 100));
      found = await audited();
    }
    expect(found).toBe(true);
  });

  it('refuses a token issued before a new password (401)', async () => {
    const o = await officer();
    expect((await scanAs(o.token, S1.id)).status).toBe(201);
    await updateAccount(o.username, { password: 'another long pass 7' }, clock);
    expect(await scanAs(o.token, S1.id)).toMatchObject({ status: 401, stored: 0 });
  });

  it('refuses an account that is no longer an officer (403, audited)', async () => {
    const o = await officer();
    expect((await scanAs(o.token, S1.id)).status).toBe(201);
    await updateAccount(o.username, { role: 'tracer' }, clock);
    expect(await scanAs(o.token, S1.id)).toMatchObject({ status: 403, stored: 0 });
    const events = await listAudit({ chain: run, action: 'access.denied', limit: 1000 });
    expect(events.some((e) => e.actor === o.username && e.details?.['reason'] === 'role')).toBe(true);
  });

  it("judges the station by the officer's new jurisdiction, both ways", async () => {
    const o = await officer();
    expect((await scanAs(o.token, S1.id)).status).toBe(201);
    await updateAccount(o.username, { jurisdiction: { province: p2 } }, clock);
    expect(await scanAs(o.token, S1.id)).toMatchObject({ status: 403, stored: 0 });
    expect(await scanAs(o.token, S3.id)).toMatchObject({ status: 201, stored: 1 });
    await updateAccount(o.username, { jurisdiction: { province: p1 } }, clock);
    expect(await scanAs(o.token, S1.id)).toMatchObject({ status: 201, stored: 1 });
    expect(await scanAs(o.token, S3.id)).toMatchObject({ status: 403, stored: 0 });
  });

  it('lets an account that became an officer scan at once', async () => {
    const a = await makeAccount(run, `chg${++n}`, 'tracer');
    const token = await server.login(a.username, a.password);
    expect((await scanAs(token, S1.id)).status).toBe(403);
    await updateAccount(a.username, { role: 'officer', jurisdiction: { province: p1 } }, clock);
    expect(await scanAs(token, S1.id)).toMatchObject({ status: 201, stored: 1 });
  });
});

describe('isolation', () => {
  it('a tracer isolates a traced contact: the next scan says stop even with a valid code; released, it passes again', async () => {
    clock = T0 + 60 * DAY;
    const an = await declare(people.an);
    const dung = await declare(people.dung);
    await scan(tokens.officer1, an.qr.token);
    clock += 5 * M;
    await scan(tokens.officer1, dung.qr.token);
    const t = await openTrace(people.an.number, clock - H, clock + H);
    const pid = pseudonym(people.dung.number);
    expect(t.people.map((p) => p.id)).toEqual([pid]);

    clock += H;
    const set = await server.request<{ isolated: boolean; inForce: boolean; classification: string; setBy: string }>('PUT', `/api/people/${pid}/isolation`, {
      token: tokens.tracer,
      json: { trace: t.id, isolated: true, classification: 'F1', since: new Date(clock - M).toISOString(), until: new Date(clock + 14 * DAY).toISOString() },
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ isolated: true, inForce: true, classification: 'F1', setBy: `${run}-tracer` });
    expect(set.headers.get('cache-control')).toBe('no-store');

    clock += M;
    const stopped = await scan(tokens.officer1, dung.qr.token, S2.id);
    expect(stopped.body).toMatchObject({ decision: 'stop', reason: 'isolated', flags: ['isolated'], trust: 'signed' });
    expect(stopped.body.message_en).toMatch(/isolation/);

    const read = await server.request<{ inForce: boolean }>('GET', `/api/people/${pid}/isolation?trace=${t.id}`, { token: tokens.tracer });
    expect(read.body.inForce).toBe(true);
    const release = await server.request<{ inForce: boolean }>('PUT', `/api/people/${pid}/isolation`, {
      token: tokens.tracer,
      json: { trace: t.id, isolated: false, classification: 'F1', since: new Date(clock - H).toISOString() },
    });
    expect(release.body.inForce).toBe(false);
    clock += M;
    expect((await scan(tokens.officer1, dung.qr.token, S2.id)).body.decision).toBe('pass');

    const events = await listAudit({ chain: run, limit: 1000 });
    const sets = events.filter((e) => e.action === 'isolation.set');
    expect(sets.map((e) => [e.target, e.requestRef, e.details?.['isolated']])).toEqual([
      [pid, 'SYT-2021/0814', true],
      [pid, 'SYT-2021/0814', false],
    ]);
    expect(events.some((e) => e.action === 'isolation.read' && e.target === pid)).toBe(true);
  });

  it('refuses isolation through a trace the tracer did not open, or for a person the trace does not name', async () => {
    clock = T0 + 61 * DAY;
    const t = await openTrace(people.an.number, T0 + 60 * DAY - H, T0 + 60 * DAY + H);
    const body = { trace: t.id, isolated: true, classification: 'F1', since: new Date(clock).toISOString() };
    const notMine = await server.request('PUT', `/api/people/${pseudonym(people.dung.number)}/isolation`, { token: tokens.tracerOther, json: body });
    const notNamed = await server.request('PUT', `/api/people/${pseudonym(people.phuc.number)}/isolation`, { token: tokens.tracer, json: body });
    expect([notMine.status, notNamed.status]).toEqual([403, 403]);
    const officer = await server.request('PUT', `/api/people/${pseudonym(people.dung.number)}/isolation`, { token: tokens.officer1, json: body });
    expect(officer.status).toBe(403);
  });
});

describe('lower-trust evidence from the national QR code', () => {
  it('marks a contact resting on a national-QR scan in the trace and the timeline, and weighs it half in the score', async () => {
    clock = T0 + 70 * DAY;
    const an = await declare(people.an);
    const c = people.phuc;
    const first = await scan(tokens.officer1, an.qr.token, S2.id);
    clock += 5 * M;
    const second = await scan(tokens.officer1, formatNationalQr({ documentNumber: c.number, fullName: 'PHAM VAN PHUC', birthDate: c.birthDate, declaredBy: 'self', qid: '1', ext: { gender: 'male' } }), S2.id);
    expect([first.body.trust, second.body.trust]).toEqual(['signed', 'national']);
    const t = (await openTrace(people.an.number, clock - H, clock + H)) as Awaited<ReturnType<typeof openTrace>> & { people: { id: string; score: number }[]; contacts: { trust?: string[] }[] };
    expect(t.people).toEqual([expect.objectContaining({ id: pseudonym(c.number), generation: 1, score: 0.221 })]);
    expect(t.contacts).toEqual([expect.objectContaining({ passages: [first.body.passageId, second.body.passageId], trust: ['standard', 'national'] })]);
    const tl = await server.request<{ passages: { id: string; trust: string }[] }>('GET', `/api/people/${pseudonym(c.number)}/timeline?trace=${t.id}`, { token: tokens.tracer });
    expect(tl.body.passages).toEqual([expect.objectContaining({ id: second.body.passageId, trust: 'national' })]);
    // The same trace read again from its stored record keeps it.
    const again = await server.request<{ contacts: { trust?: string[] }[]; people: { score: number }[] }>('GET', `/api/traces/${t.id}`, { token: tokens.tracer });
    expect(again.body.contacts.map((x) => x.trust)).toEqual([['standard', 'national']]);
    expect(again.body.people.map((x) => x.score)).toEqual([0.221]);
  });
});
