import path from 'node:path';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { upsertPeople } from '../../engine/db/people';
import type { UnifiedDeclaration, UnifiedDeclarationInput } from '../../engine/declarations/form';
import { importDeclarationRecords, importDeclarationsFile } from '../../engine/declarations/import';
import { fromPlatform, loadPlatform } from '../../engine/declarations/mapping';
import { submitDeclaration, submitDeclarations } from '../../engine/declarations/service';
import { getDeclaration, latestQrOfPerson, listDeclarations, readDeclarationContent, revokedQrCodes, revokeQr } from '../../engine/declarations/storage';
import { pseudonym } from '../../engine/identity';
import { verifyQrToken } from '../../engine/qr/token';
import { declarationJson, randomCccd, registryRow, useTestQrKey, validDeclaration } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';

const run = newRunId('dc');
const NOW = Date.UTC(2021, 7, 14, 3, 0);
const LATER = Date.UTC(2021, 7, 16);
const DAY = 86_400_000;
const an = randomCccd(1987, 'male');
const binh = randomCccd(1990, 'female', '001');
const stranger = randomCccd(2001, 'male', '048');
// The fixture's people (fixtures/platforms/tokhaiyte.csv): cleaned up too.
const fixtureNumbers = ['001190000123', '079087012345'];

/** An's declaration (under `number`), with `over` changed. */
const declaration = (number: string, over: Partial<UnifiedDeclarationInput> = {}): UnifiedDeclaration =>
  validDeclaration(
    declarationJson({ number, fullName: 'Nguyễn Văn An', birthDate: '1987-01-18', sex: 'male' }, '2021-08-14T09:00:00+07:00', `${run}-${Math.random().toString(36).slice(2)}`, over),
  );

beforeAll(async () => {
  useTestQrKey();
  await removeRun(run, { people: fixtureNumbers });
  await upsertPeople([
    registryRow(an, { fullName: 'Nguyễn Văn An', birthDate: '1987-01-18', sex: 'M' }),
    registryRow(binh, { fullName: 'Trần Thị Bình', phone: '0912345678', province: '01', district: '001', commune: '00001' }),
  ]);
});
afterAll(async () => {
  await removeRun(run, { people: [an, binh, stranger, ...fixtureNumbers] });
  await closeDriver();
});

describe('submitting a declaration', () => {
  it('accepts a declaration that matches the registry and issues a code valid 3 days for the pseudonymous person', async () => {
    const r = await submitDeclaration(declaration(an), { now: NOW });
    expect(r).toMatchObject({ status: 'accepted', reasons: [], warnings: [], duplicate: false, personId: pseudonym(an) });
    expect(r.qr).not.toBeNull();
    const v = await verifyQrToken(r.qr!.token);
    expect(v.ok && v.claims).toMatchObject({ codeId: expect.stringMatching(/^q/) as unknown, issuedAt: NOW, validUntil: NOW + 3 * DAY });
    expect(r.qr!.validUntil).toBe(new Date(NOW + 3 * DAY).toISOString());
    // The code carries only its id; the server resolves it to the declaration and the person.
    const stored = await getDeclaration(r.declarationId);
    expect(stored?.qr).toMatchObject({ codeId: v.ok ? v.claims.codeId : '', revokedAt: null, revokedBy: null });
    expect(stored?.personId).toBe(pseudonym(an));
  });

  it('accepts a name written without diacritics, with a warning', async () => {
    const r = await submitDeclaration(declaration(an, { fullName: 'NGUYEN VAN AN' }), { now: NOW });
    expect(r.status).toBe('accepted_with_warnings');
    expect(r.warnings.map((w) => w.code)).toEqual(['name_missing_diacritics']);
    expect(r.qr).not.toBeNull();
  });

  it('rejects a declaration that does not match the registry, with reasons, and keeps it for review', async () => {
    const r = await submitDeclaration(declaration(binh, { fullName: 'Trần Thị Bình', sex: 'female', birthDate: '1990-04-03' }), { now: NOW });
    expect(r.status).toBe('rejected');
    expect(r.qr).toBeNull();
    expect(r.reasons.map((x) => [x.path, x.code])).toEqual([['birthDate', 'registry_birth_date_mismatch']]);
    expect(r.reasons[0]!.message_vi).toContain('không khớp');
    const stored = await getDeclaration(r.declarationId);
    expect(stored).toMatchObject({ status: 'rejected', personId: pseudonym(binh), qr: null, province: '79' });
    const review = await listDeclarations({ status: 'rejected', scope: { province: '79', district: '760' }, from: NOW - DAY, to: NOW + DAY, limit: 10_000 });
    expect(review.map((d) => d.id)).toContain(r.declarationId);
    const elsewhere = await listDeclarations({ status: 'rejected', scope: { province: '01' }, from: NOW - DAY, to: NOW + DAY, limit: 10_000 });
    expect(elsewhere.map((d) => d.id)).not.toContain(r.declarationId);
  });

  it('marks a person absent from the registry unverified, issues a code, and makes them traceable', async () => {
    const r = await submitDeclaration(declaration(stranger, { fullName: 'Lê Hoàng Cường', birthDate: '2001-12-05', address: { province: '48', commune: '20194' } }), { now: NOW });
    expect(r.status).toBe('unverified');
    expect(r.qr).not.toBeNull();
    const person = await readQuery('MATCH (p:Person {id: $pid})-[:DECLARED]->(d:Declaration) RETURN p.registered AS registered, d.id AS id', { pid: pseudonym(stranger) }, (x) => x);
    expect(person).toEqual([{ registered: false, id: r.declarationId }]);
  });

  it('returns the first receipt when the same declaration arrives twice', async () => {
    const d = declaration(an);
    const first = await submitDeclaration(d, { now: NOW });
    const again = await submitDeclaration(d, { now: NOW + 60_000 });
    expect(again).toEqual({ ...first, duplicate: true });
    const n = await readQuery('MATCH (d:Declaration {id: $id}) RETURN count(d) AS n', { id: first.declarationId }, (x) => Number(x['n']));
    expect(n).toEqual([1]);
  });

  it('seals the content: the stored node shows no name, number or phone, and privileged reads get it back', async () => {
    const d = declaration(an, { symptoms: ['fever'] });
    const r = await submitDeclaration(d, { now: NOW });
    const [raw] = await readQuery('MATCH (d:Declaration {id: $id}) RETURN d {.*} AS d', { id: r.declarationId }, (x) => JSON.stringify(x['d']));
    expect(raw).not.toContain('Nguyễn');
    expect(raw).not.toContain(an);
    expect(raw).not.toContain('0901234567');
    expect(raw).not.toContain('fever');
    expect(await readDeclarationContent(r.declarationId)).toEqual(d);
  });

  it('lets the newest code win when a person declares again: the older codes are revoked as superseded', async () => {
    const older = await submitDeclaration(declaration(an), { now: NOW + DAY });
    const newer = await submitDeclaration(declaration(an), { now: NOW + 2 * DAY });
    expect(older.qr!.token).not.toBe(newer.qr!.token);
    expect(await latestQrOfPerson(pseudonym(an))).toMatchObject({ declarationId: newer.declarationId, token: newer.qr!.token, revokedAt: null });
    expect((await getDeclaration(older.declarationId))?.qr).toMatchObject({ revokedAt: NOW + 2 * DAY, revokedBy: 'superseded' });
    // An older declaration arriving late (an import of past records) is revoked at once; the newest stays.
    const late = await submitDeclaration(declaration(an), { now: NOW + 3 * DAY, issueAt: 'declaredAt' });
    expect(Date.parse(late.qr!.issuedAt)).toBeLessThan(NOW + 2 * DAY);
    expect((await getDeclaration(late.declarationId))?.qr).toMatchObject({ revokedAt: NOW + 3 * DAY, revokedBy: 'superseded' });
    expect((await getDeclaration(newer.declarationId))?.qr?.revokedAt).toBeNull();
    // A declaration the registry rejects (anyone may send one with a number they know) revokes nothing.
    await submitDeclaration(declaration(an, { fullName: 'Nguyễn Văn Khác' }), { now: NOW + 4 * DAY });
    expect((await getDeclaration(newer.declarationId))?.qr?.revokedAt).toBeNull();
  });

  it('revokes a code for its holder or for staff whose jurisdiction holds the declarant’s home, once', async () => {
    const r = await submitDeclaration(declaration(binh, { fullName: 'Trần Thị Bình', sex: 'female', birthDate: '1990-04-30', sourceRef: `${run}-revoke` }), { now: NOW + 5 * DAY });
    expect(r.qr).not.toBeNull();
    expect(await revokeQr({ declarationId: r.declarationId, scope: { province: '01' }, by: 'staff', now: NOW + 5 * DAY + 1 })).toEqual({ outcome: 'outside' });
    expect((await getDeclaration(r.declarationId))?.qr?.revokedAt).toBeNull();
    const done = await revokeQr({ declarationId: r.declarationId, scope: { province: '79', district: '760' }, by: 'staff', now: NOW + 5 * DAY + 2 });
    expect(done).toEqual({ outcome: 'revoked', declarationId: r.declarationId, revokedAt: NOW + 5 * DAY + 2, revokedBy: 'staff', already: false });
    const again = await revokeQr({ declarationId: r.declarationId, scope: null, by: 'holder', now: NOW + 5 * DAY + 3 });
    expect(again).toEqual({ ...done, already: true });
    expect(await revokeQr({ declarationId: `d${'0'.repeat(24)}`, scope: null, by: 'holder', now: NOW })).toEqual({ outcome: 'no_code' });
    const list = await revokedQrCodes(NOW + 5 * DAY + 10);
    expect(list).toContain((await getDeclaration(r.declarationId))?.qr?.codeId);
    expect(await revokedQrCodes(NOW + 9 * DAY)).not.toContain((await getDeclaration(r.declarationId))?.qr?.codeId);
  });

  it('checks a batch against the registry in one go and answers in input order', async () => {
    const rs = await submitDeclarations([declaration(stranger, { fullName: 'Lê Hoàng Cường', birthDate: '2001-12-05' }), declaration(an), declaration(an, { fullName: 'Nguyễn Văn Ân' })], { now: NOW });
    expect(rs.map((r) => r.status)).toEqual(['unverified', 'accepted', 'rejected']);
  });
});

describe('importing platform exports', () => {
  it('imports the health-declaration site CSV: a registry mismatch is stored as rejected, not dropped', async () => {
    // The fixture's Nguyễn Văn An is registered with another birth year; Trần Thị Bình is not registered.
    await upsertPeople([{ personId: '079087012345', fullName: 'Nguyễn Văn An', birthDate: '1988-01-18', sex: 'M', phone: '0901234567', province: '79', district: '760', commune: '26734' }]);
    const file = path.join(__dirname, '..', '..', 'fixtures', 'platforms', 'tokhaiyte.csv');
    // Its second row was declared on 15/08, after NOW: the import refuses declarations from the future.
    const s = await importDeclarationsFile(file, { platform: 'tokhaiyte', now: LATER });
    expect(s).toMatchObject({ read: 2, imported: 2, duplicates: 0, rejected: 0, rejects: [], statuses: { accepted: 0, accepted_with_warnings: 0, rejected: 1, unverified: 1 }, qrIssued: 1 });
    const again = await importDeclarationsFile(file, { platform: 'tokhaiyte', now: LATER });
    expect(again).toMatchObject({ read: 2, imported: 0, duplicates: 2 });
  });

  it('rejects a declaration dated after the import (now + a few minutes) with its line and field, in both formats', async () => {
    const file = path.join(__dirname, '..', '..', 'fixtures', 'platforms', 'tokhaiyte.csv');
    // NOW lies between the fixture's two rows (14/08 07:30 and 15/08 21:04 local): the second is from the future.
    const s = await importDeclarationsFile(file, { platform: 'tokhaiyte', now: NOW, batchSize: 1 });
    expect(s).toMatchObject({ read: 2, rejected: 1, rejects: [{ line: 3, field: 'Thời gian khai báo' }] });
  });

  it('rejects a record it cannot map with its line and platform field, and goes on with the rest', async () => {
    const m = loadPlatform('movement');
    const good = { declarationId: `${run}-MV1`, createdAt: '2021-08-14T07:30:00+07:00', identityType: 'CCCD', identityNumber: an, fullName: 'Nguyễn Văn An', dateOfBirth: '18/01/1987', gender: true, phoneNumber: '0901234567', provinceCode: '79', districtCode: '760', wardCode: '26734', symptoms: [], contactToPlace: false, closeToRiskingPeople: false, closeToSicking: false, closeToCountry: false };
    expect(fromPlatform(m, good).ok).toBe(true);
    const s = await importDeclarationRecords(
      [
        { line: 1, record: good },
        { line: 2, record: { ...good, declarationId: `${run}-MV2`, vehicleType: 'TRUC_THANG' } },
        { line: 3, record: { ...good, declarationId: `${run}-MV3`, petName: 'Mèo' } },
      ],
      { platform: 'movement', now: NOW },
    );
    expect(s).toMatchObject({ read: 3, imported: 1, rejected: 2, statuses: { accepted: 1 } });
    expect(s.rejects.map((r) => [r.line, r.field])).toEqual([
      [2, 'vehicleType'],
      [3, 'petName'],
    ]);
    expect(s.rejects[0]!.reason).toContain("'TRUC_THANG'");
    expect(s.rejects[0]!.reason).toContain("platform 'movement'");
  });
});
