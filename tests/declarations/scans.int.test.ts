import { createAccount, updateAccount } from '../../engine/accounts/accounts';
import { closeDriver, readQuery, writeQuery } from '../../engine/db/driver';
import { passagesOfPerson } from '../../engine/db/passages';
import { upsertPeople } from '../../engine/db/people';
import { upsertStations } from '../../engine/db/stations';
import { submitDeclaration } from '../../engine/declarations/service';
import { AccountChanged, isTruyvetError } from '../../engine/errors';
import { pseudonym } from '../../engine/identity';
import { formatNationalQr } from '../../engine/qr/national';
import { issueQrToken, newQrCodeId } from '../../engine/qr/token';
import { setIsolation, getIsolation } from '../../engine/scan/isolation';
import { ScanQueue } from '../../engine/scan/queue';
import { decideScan, decideScans, type ScanInput } from '../../engine/scan/service';
import { getScan, listFlaggedScans, writeScans } from '../../engine/db/scans';
import { trace } from '../../engine/trace/trace';
import { citizen, citizenRow, declarationJson, station, useTestQrKey, validDeclaration, type Citizen } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';

const run = newRunId('sc');
const M = 60_000;
const H = 60 * M;
const DAY = 24 * H;
const T0 = Date.UTC(2021, 7, 14, 1, 0);
const HCMC = { province: '79' };

const S1 = `${run}-S1`; // Quận 1, HCMC
const S2 = `${run}-S2`; // Hà Nội
const S3 = `${run}-S3`; // Quận 1, 1 km from S1

const A = citizen('Phạm Văn Anh', 1980);
const B = citizen('Phạm Văn Bảo', 1981);
const C = citizen('Phạm Văn Cường', 1982);
const D = citizen('Phạm Văn Dũng', 1983);
const E = citizen('Phạm Văn Em', 1984);
const F = citizen('Phạm Văn Phúc', 1985);
const people = [A, B, C, D, E, F];

async function declare(c: Citizen, now: number): Promise<string> {
  const r = await submitDeclaration(validDeclaration(declarationJson(c, now, `${run}-${c.number}-${now}`)), { now });
  if (r.qr === null) throw new Error(`not accepted: ${r.status}`);
  return r.qr.token;
}

let seq = 0;
const scan = (qrText: string, over: Partial<ScanInput> = {}): ScanInput => ({
  qrText,
  scanId: `${run}-scan-${++seq}`,
  stationId: S1,
  officerId: `${run}-officer1`,
  jurisdiction: HCMC,
  now: T0,
  ...over,
});

const passedTrust = (passageId: string) =>
  readQuery('MATCH (r:Passage {id: $id}) RETURN r.source AS source, r.trust AS trust', { id: passageId }, (r) => ({ source: r['source'] as unknown, trust: r['trust'] as unknown }));

beforeAll(async () => {
  useTestQrKey();
  await upsertStations([
    station(S1, { lat: 10.7769, lon: 106.7009 }),
    station(S2, { province: '01', district: '001', commune: '00001', lat: 21.0285, lon: 105.8542 }),
    station(S3, { commune: '26737', lat: 10.7859, lon: 106.7009 }),
  ]);
  await upsertPeople(people.map(citizenRow));
});
afterAll(async () => {
  await removeRun(run, { people: people.map((c) => c.number) });
  await closeDriver();
});

describe('a checkpoint scan of a signed code', () => {
  it('lets a valid code through and writes a signed passage with source qr', async () => {
    const token = await declare(A, T0 - H);
    const d = await decideScan(scan(token, { scanId: `${run}-A-1`, now: T0 }));
    expect(d).toMatchObject({ decision: 'pass', reason: 'ok', flags: [], codeKind: 'signed', personId: pseudonym(A.number), trust: 'signed', replay: false, passageId: `qr-${run}-A-1` });
    expect(d.message_vi).toBe('Hợp lệ, cho qua.');
    const ps = await passagesOfPerson(pseudonym(A.number), T0 - M, T0 + M);
    expect(ps.map((p) => [p.id, p.stationId, p.at, p.source])).toEqual([[`qr-${run}-A-1`, S1, T0, 'qr']]);
    expect(await passedTrust(`qr-${run}-A-1`)).toEqual([{ source: 'qr', trust: 'signed' }]);
  });

  it('records nothing new for a replayed scan id and returns the first decision', async () => {
    const token = await declare(A, T0 - H);
    const first = await decideScan(scan(token, { scanId: `${run}-A-2`, now: T0 + H }));
    // Replayed a day later, after the code has been superseded and the person isolated: still the first answer.
    const again = await decideScan(scan(token, { scanId: `${run}-A-2`, now: T0 + 2 * H, scannedAt: T0 + H + M }));
    expect(again).toEqual({ ...first, replay: true, recorded: false });
    const scans = await readQuery('MATCH (s:Scan {id: $id}) RETURN count(s) AS n', { id: `${run}-A-2` }, (r) => Number(r['n']));
    expect(scans).toEqual([1]);
    const rels = await readQuery('MATCH (r:Passage {id: $id}) RETURN count(r) AS n', { id: `qr-${run}-A-2` }, (r) => Number(r['n']));
    expect(rels).toEqual([1]);
  });

  it('refuses a scan id replayed by another account', async () => {
    const token = await declare(A, T0 - H);
    await decideScan(scan(token, { scanId: `${run}-A-3`, now: T0 + 3 * H }));
    await expect(decideScan(scan(token, { scanId: `${run}-A-3`, now: T0 + 3 * H, officerId: `${run}-officer2` }))).rejects.toMatchObject({ code: 'conflict' });
  });

  it('answers the same decision to two copies of one scan id in one batch, storing one', async () => {
    const token = await declare(A, T0 - H);
    const input = scan(token, { scanId: `${run}-A-4`, now: T0 + 4 * H });
    const outcomes = await decideScans([input, input]);
    const [a, b] = outcomes.map((o) => (o.ok ? o.decision : o.error));
    expect(b).toEqual({ ...(a as object), replay: true, recorded: false });
    expect(await readQuery('MATCH (s:Scan {id: $id}) RETURN count(s) AS n', { id: input.scanId }, (r) => Number(r['n']))).toEqual([1]);
  });

  it('refuses a station outside the officer jurisdiction and stores nothing', async () => {
    const token = await declare(A, T0 - H);
    const err = await decideScan(scan(token, { scanId: `${run}-A-5`, stationId: S2, now: T0 + 5 * H })).catch((e: unknown) => e);
    expect(isTruyvetError(err) && err.code).toBe('forbidden');
    expect(await getScan(`${run}-A-5`)).toBeUndefined();
    const narrow = await decideScan(scan(token, { scanId: `${run}-A-6`, stationId: S1, now: T0 + 5 * H, jurisdiction: { province: '79', district: '760', commune: '26737' } })).catch((e: unknown) => e);
    expect(isTruyvetError(narrow) && narrow.code).toBe('forbidden');
  });

  it('enforces the jurisdiction in the database write itself, not only in the check before it', async () => {
    const stored = await writeScans([
      {
        province: '01',
        district: null,
        commune: null,
        scan: { id: `${run}-raw-1`, officerId: 'x', stationId: S1, at: T0, decidedAt: T0, decision: 'pass', reason: 'ok', flags: [], flagged: false, kind: 'signed', pid: null, declarationId: null, validUntil: null, lat: 0, lon: 0, passageId: null, trust: null, copiedOf: null, kmh: null },
      },
    ]);
    expect(stored.size).toBe(0);
    expect(await getScan(`${run}-raw-1`)).toBeUndefined();
  });

  it('checks the officer account as the request was authorized inside the transaction, before anything else', async () => {
    const officer = `${run}-acct`;
    await createAccount({ username: officer, password: 'a long pass phrase 1', role: 'officer', jurisdiction: HCMC }, T0);
    try {
      const token = await declare(A, T0 - H);
      const asOf = { tokenVersion: 0, role: 'officer' };
      const ok = await decideScan(scan(token, { scanId: `${run}-acct-1`, officerId: officer, now: T0 + 6 * H, accountAsOf: asOf }));
      expect(ok.decision).toBe('pass');
      // Each differs from the stored account in one thing; the unknown station would be a 404 and
      // the Hà Nội one a 403 on a fresh authorization, but the stale one is refused first.
      const stale: [string, Partial<ScanInput>][] = [
        ['token version', { accountAsOf: { tokenVersion: 1, role: 'officer' } }],
        ['role', { accountAsOf: { tokenVersion: 0, role: 'tracer' } }],
        ['jurisdiction', { jurisdiction: { province: '79', district: '760' } }],
        ['unknown station', { jurisdiction: { province: '01' }, stationId: `${run}-S404` }],
        ['outside', { jurisdiction: { province: '01' }, stationId: S2 }],
        ['unknown account', { officerId: `${run}-nobody` }],
      ];
      const outcomes = await decideScans(stale.map(([, over], i) => scan(token, { scanId: `${run}-acct-s${i}`, officerId: officer, now: T0 + 6 * H, accountAsOf: asOf, ...over })));
      expect(outcomes.map((o, i) => [stale[i]![0], !o.ok && o.error instanceof AccountChanged])).toEqual(stale.map(([what]) => [what, true]));
      await updateAccount(officer, { disabled: true }, T0);
      const disabled = await decideScan(scan(token, { scanId: `${run}-acct-d`, officerId: officer, now: T0 + 6 * H, accountAsOf: { tokenVersion: 1, role: 'officer' } })).catch((e: unknown) => e);
      expect(disabled).toBeInstanceOf(AccountChanged);
      expect(await readQuery('MATCH (s:Scan) WHERE s.id STARTS WITH $p RETURN count(s) AS n', { p: `${run}-acct-` }, (r) => Number(r['n']))).toEqual([1]);
      // Without accountAsOf the caller read the account itself: no check here.
      expect((await decideScan(scan(token, { scanId: `${run}-acct-2`, officerId: officer, now: T0 + 6 * H }))).decision).toBe('pass');
    } finally {
      await writeQuery('MATCH (a:Account {username: $u}) DELETE a', { u: officer }, () => undefined);
    }
  });

  it('answers not found for an unknown station', async () => {
    const token = await declare(A, T0 - H);
    await expect(decideScan(scan(token, { stationId: `${run}-S404` }))).rejects.toMatchObject({ code: 'not_found' });
  });

  it('stops a tampered code, keeps the scan for tracers, writes no passage', async () => {
    const token = await declare(B, T0 - H);
    const [h, p, s] = token.split('.');
    const body = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    body['exp'] = Number(body['exp']) + 86_400 * 30;
    const forged = `${h}.${Buffer.from(JSON.stringify(body)).toString('base64url')}.${s}`;
    const d = await decideScan(scan(forged, { scanId: `${run}-B-1`, now: T0 + 10 * DAY }));
    expect(d).toMatchObject({ decision: 'stop', reason: 'invalid_signature', flags: ['tampered'], personId: null, passageId: null, trust: null });
    const flagged = await listFlaggedScans({ scope: HCMC, from: T0, to: T0 + 11 * DAY, flag: 'tampered' });
    expect(flagged.map((x) => x.id)).toContain(`${run}-B-1`);
  });

  it('stops an expired code and one from the future, flags both, keeps the expired one as a passage', async () => {
    const old = await declare(E, T0 - 4 * DAY);
    const expired = await decideScan(scan(old, { scanId: `${run}-E-1`, now: T0 }));
    expect(expired).toMatchObject({ decision: 'stop', reason: 'expired', flags: ['expired'], trust: 'signed', passageId: `qr-${run}-E-1` });
    // Issued at T0 + 2 h; a device whose clock is far behind says it scanned it at T0 + 30 min.
    const future = await declare(E, T0 + 2 * H);
    const early = await decideScan(scan(future, { scanId: `${run}-E-2`, now: T0 + 2 * H + M, scannedAt: T0 + 30 * M }));
    expect(early).toMatchObject({ decision: 'stop', reason: 'not_yet_valid', flags: ['not_yet_valid'], passageId: null, personId: null });
    const ps = await passagesOfPerson(pseudonym(E.number), T0 - DAY, T0 + DAY);
    expect(ps.map((x) => x.id)).toEqual([`qr-${run}-E-1`]);
    const listed = await listFlaggedScans({ scope: HCMC, from: T0 - M, to: T0 + H });
    expect(listed.map((x) => x.id)).toEqual(expect.arrayContaining([`${run}-E-1`, `${run}-E-2`]));
  });

  it('flags a code scanned at two stations farther apart than anyone could travel, visible to tracers', async () => {
    const token = await declare(C, T0 - H);
    const here = await decideScan(scan(token, { scanId: `${run}-C-1`, now: T0 }));
    expect(here.decision).toBe('pass');
    // 1 km away 20 minutes later: possible.
    const near = await decideScan(scan(token, { scanId: `${run}-C-2`, stationId: S3, now: T0 + 20 * M }));
    expect(near.flags).not.toContain('copied_code');
    // Hà Nội 40 minutes later, scanned by an officer there.
    const far = await decideScan(scan(token, { scanId: `${run}-C-3`, stationId: S2, now: T0 + 60 * M, jurisdiction: { province: '01' }, officerId: `${run}-officer-hn` }));
    expect(far).toMatchObject({ decision: 'stop', reason: 'copied_code', copiedOf: `${run}-C-2` });
    expect(far.impossibleSpeedKmh).toBeGreaterThan(1000);
    const forHanoi = await listFlaggedScans({ scope: { province: '01' }, from: T0, to: T0 + DAY, flag: 'copied_code' });
    expect(forHanoi.map((x) => [x.id, x.copiedOf])).toEqual([[`${run}-C-3`, `${run}-C-2`]]);
    const forHcmc = await listFlaggedScans({ scope: HCMC, from: T0, to: T0 + DAY, flag: 'copied_code' });
    expect(forHcmc.map((x) => x.id)).not.toContain(`${run}-C-3`);
  });

  it('flags a scan that arrives late from an offline queue against a later scan already stored', async () => {
    const token = await declare(C, T0 + 5 * DAY);
    await decideScan(scan(token, { scanId: `${run}-C-4`, stationId: S2, now: T0 + 5 * DAY + H, jurisdiction: null }));
    const late = await decideScan(scan(token, { scanId: `${run}-C-5`, now: T0 + 5 * DAY + 2 * H, scannedAt: T0 + 5 * DAY + 30 * M }));
    expect(late).toMatchObject({ reason: 'copied_code', copiedOf: `${run}-C-4`, scannedAt: new Date(T0 + 5 * DAY + 30 * M).toISOString() });
  });

  it('stops a person under isolation even with a valid code, and lets them through once released', async () => {
    const token = await declare(D, T0 - H);
    const pid = pseudonym(D.number);
    await setIsolation({ personId: pid, isolated: true, classification: 'F1', since: T0 - H, until: T0 + 14 * DAY, setBy: `${run}-tracer`, now: T0 });
    expect(await getIsolation(pid)).toMatchObject({ isolated: true, classification: 'F1', until: T0 + 14 * DAY });
    const d = await decideScan(scan(token, { scanId: `${run}-D-1`, now: T0 }));
    expect(d).toMatchObject({ decision: 'stop', reason: 'isolated', flags: ['isolated'], trust: 'signed' });
    expect(d.message_en).toContain('isolation');
    await setIsolation({ personId: pid, isolated: false, classification: 'F1', since: T0 - H, setBy: `${run}-tracer`, now: T0 + H });
    const after = await decideScan(scan(token, { scanId: `${run}-D-2`, now: T0 + 2 * H }));
    expect(after.decision).toBe('pass');
  });

  it('refuses to set isolation for a person the graph does not know', async () => {
    await expect(setIsolation({ personId: 'p000000000000000000000000', isolated: true, classification: 'F0', since: T0, setBy: 'x', now: T0 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('stops a code a newer declaration revoked; a scan made before that declaration passes, flagged superseded', async () => {
    const first = await declare(F, T0);
    await declare(F, T0 + H);
    const d = await decideScan(scan(first, { scanId: `${run}-F-1`, now: T0 + 2 * H }));
    expect(d).toMatchObject({ decision: 'stop', reason: 'revoked', flags: ['revoked'], personId: null, passageId: null, trust: null });
    const offline = await decideScan(scan(first, { scanId: `${run}-F-2`, now: T0 + 2 * H, scannedAt: T0 + 30 * M }));
    expect(offline).toMatchObject({ decision: 'pass', flags: ['superseded'], personId: pseudonym(F.number) });
  });

  it('stops a code signed with the key that the server never issued, naming nobody', async () => {
    const { token } = await issueQrToken({ codeId: newQrCodeId(), issuedAt: T0 - H });
    const d = await decideScan(scan(token, { scanId: `${run}-U-1`, now: T0 }));
    expect(d).toMatchObject({ decision: 'stop', reason: 'unknown_code', flags: ['unknown_code'], personId: null, passageId: null, trust: null });
  });

  it('answers a scan outside the time window with a stop of its own, stored nowhere; a scan stored before keeps its first decision', async () => {
    const token = await declare(C, T0 + 60 * DAY);
    const now = T0 + 60 * DAY + H;
    const tooOld = await decideScan(scan(token, { scanId: `${run}-W-1`, now, scannedAt: now - 72 * H - 1 }));
    const ahead = await decideScan(scan(token, { scanId: `${run}-W-2`, now, scannedAt: now + 5 * M + 1 }));
    const tight = await decideScan(scan(token, { scanId: `${run}-W-3`, now, scannedAt: now - 30 * M - 1, maxOfflineMs: 30 * M }));
    expect([tooOld, ahead, tight].map((d) => [d.decision, d.reason, d.flags, d.personId, d.passageId, d.recorded])).toEqual([
      ['stop', 'too_old', ['too_old'], null, null, false],
      ['stop', 'future', ['future'], null, null, false],
      ['stop', 'too_old', ['too_old'], null, null, false],
    ]);
    expect(await readQuery('MATCH (s:Scan) WHERE s.id IN $ids RETURN count(s) AS n', { ids: [`${run}-W-1`, `${run}-W-2`, `${run}-W-3`] }, (r) => Number(r['n']))).toEqual([0]);
    const first = await decideScan(scan(token, { scanId: `${run}-W-4`, now }));
    const later = await decideScan(scan(token, { scanId: `${run}-W-4`, now: now + 10 * DAY, scannedAt: now }));
    expect(later).toEqual({ ...first, replay: true, recorded: false });
  });
});

describe('a checkpoint scan of the national personal QR code', () => {
  const national = (c: Citizen, over: Partial<{ fullName: string; birthDate: string }> = {}) =>
    formatNationalQr({ documentNumber: c.number, fullName: over.fullName ?? 'PHAM VAN PHUC', birthDate: over.birthDate ?? c.birthDate, declaredBy: 'self', qid: '162979388586171100', ext: { gender: 'male' } });

  it('lets a code matching the registry through and marks its passage lower-trust', async () => {
    const d = await decideScan(scan(national(F), { scanId: `${run}-N-1`, now: T0 + 3 * DAY }));
    expect(d).toMatchObject({ decision: 'pass', codeKind: 'national', flags: ['national_qr'], trust: 'national', personId: pseudonym(F.number) });
    expect(await passedTrust(`qr-${run}-N-1`)).toEqual([{ source: 'qr', trust: 'national' }]);
  });

  it('stops a code whose name or birth date differs from the registry, without a passage', async () => {
    const wrongName = await decideScan(scan(national(F, { fullName: 'PHAM VAN PHUOC' }), { scanId: `${run}-N-2`, now: T0 + 3 * DAY + H }));
    expect(wrongName).toMatchObject({ decision: 'stop', reason: 'registry_mismatch', passageId: null });
    const wrongBirth = await decideScan(scan(national(F, { birthDate: '1985-05-07' }), { scanId: `${run}-N-3`, now: T0 + 3 * DAY + H }));
    expect(wrongBirth.reason).toBe('registry_mismatch');
  });

  it('tells nothing of the person a mismatching code names: not even a recent scan of theirs elsewhere', async () => {
    const at = T0 + 4 * DAY;
    const seen = await decideScan(scan(national(F), { scanId: `${run}-N-6`, now: at }));
    expect(seen.decision).toBe('pass');
    // Ten minutes later in Hà Nội, someone shows F's number with another name.
    const d = await decideScan(scan(national(F, { fullName: 'PHAM VAN PHUOC' }), { scanId: `${run}-N-7`, stationId: S2, jurisdiction: null, now: at + 10 * M }));
    expect(d).toMatchObject({ decision: 'stop', reason: 'registry_mismatch', personId: null, declarationId: null, copiedOf: null, impossibleSpeedKmh: null });
    expect(d.flags).not.toContain('copied_code');
  });

  it('stops a code of someone not in the registry, and a masked code', async () => {
    const nobody = { ...citizen('X', 1999), birthDate: '1999-01-01' };
    expect((await decideScan(scan(national(nobody), { scanId: `${run}-N-4`, now: T0 + 3 * DAY + H }))).reason).toBe('not_in_registry');
    const masked = `******${F.number.slice(6)}|PHAM VAN PHUC|1985-**-**|0|1|`;
    expect((await decideScan(scan(masked, { scanId: `${run}-N-5`, now: T0 + 3 * DAY + H }))).reason).toBe('national_qr_masked');
  });
});

describe('the scan queue', () => {
  it('decides concurrent scans in batches, each with its own answer', async () => {
    const token = await declare(B, T0 + 20 * DAY);
    const q = new ScanQueue({ maxBatch: 4, maxWaitMs: 20 });
    const inputs = Array.from({ length: 6 }, (_, i) => scan(token, { scanId: `${run}-Q-${i}`, now: T0 + 20 * DAY + i * H }));
    const results = await Promise.all([...inputs.map((x) => q.submit(x)), q.submit(scan(token, { stationId: `${run}-S404` })).catch((e: unknown) => e)]);
    await q.close();
    expect(results.slice(0, 6).map((r) => (r as { decision: string }).decision)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
    expect(isTruyvetError(results[6]) && results[6].code).toBe('not_found');
    await expect(q.submit(inputs[0]!)).rejects.toMatchObject({ code: 'unavailable' });
  });
});

describe('from declaration to trace', () => {
  it('two citizens scanned at one checkpoint 5 minutes apart are each other’s F1 in a trace', async () => {
    const t = T0 + 40 * DAY;
    const tokenA = await declare(A, t - H);
    const tokenE = await declare(E, t - H);
    await decideScan(scan(tokenA, { scanId: `${run}-T-1`, stationId: S3, now: t }));
    await decideScan(scan(tokenE, { scanId: `${run}-T-2`, stationId: S3, now: t + 5 * M }));
    const r = await trace({ f0: pseudonym(A.number), from: t - H, to: t + H, depth: 1 });
    expect(r.people.map((p) => [p.id, p.generation])).toEqual([[pseudonym(E.number), 1]]);
    expect(r.contacts[0]!.passages).toEqual([`qr-${run}-T-1`, `qr-${run}-T-2`]);
  });
});
