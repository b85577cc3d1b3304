import { planColumns, renames } from '../import/header';
import { loadProfile } from '../import/profiles';
import { caseValidator } from '../import/rows';
import { infectiousPeriod } from '../outbreak/cases';
import { caseBatchSchema, caseInputSchema } from './input';

const NOW = Date.UTC(2021, 7, 15, 3, 0);
const H = 3_600_000;
const D = 24 * H;
const row = (over: Record<string, string> = {}) => ({
  case_id: 'BN1001',
  person_id: '079090001234',
  confirmed_at: '2021-08-05T10:00:00+07:00',
  onset_at: '',
  infectious_from: '',
  infectious_to: '',
  ...over,
});

describe('a cases.csv row', () => {
  const csv = caseValidator({ dayFirst: false, now: NOW });

  it('is read with its instants in UTC and nothing more than it says (the period is left to the outbreak engine)', () => {
    expect(csv(row())).toEqual({ ok: true, value: { caseId: 'BN1001', rawPersonId: '079090001234', confirmedAt: Date.UTC(2021, 7, 5, 3), warnings: [] } });
  });

  it('reads an instant without an offset in Ho Chi Minh City time, and a bare date as its midnight there', () => {
    const r = csv(row({ confirmed_at: '2021-08-05T10:00', onset_at: '2021-08-04', infectious_to: '2021-08-06 08:30:00' }));
    expect(r).toMatchObject({ ok: true, value: { confirmedAt: Date.UTC(2021, 7, 5, 3), onsetAt: Date.UTC(2021, 7, 3, 17), infectiousTo: Date.UTC(2021, 7, 6, 1, 30) } });
  });

  it('reads day-first dates with a day-first profile', () => {
    const lab = caseValidator({ dayFirst: true, now: NOW });
    expect(lab(row({ confirmed_at: '05/08/2021 10:00', onset_at: '03/08/2021' }))).toMatchObject({ ok: true, value: { confirmedAt: Date.UTC(2021, 7, 5, 3), onsetAt: Date.UTC(2021, 7, 2, 17) } });
  });

  it('gives the default infectious period through the outbreak engine: (onset ?? confirmation) − 2 days to confirmation', () => {
    const plain = csv(row());
    const withOnset = csv(row({ onset_at: '2021-08-04T08:00:00+07:00' }));
    if (!plain.ok || !withOnset.ok) throw new Error('rejected');
    const asCase = (v: typeof plain.value) => ({ ...v, personId: v.rawPersonId });
    expect(infectiousPeriod(asCase(plain.value))).toEqual({ from: Date.UTC(2021, 7, 5, 3) - 2 * D, to: Date.UTC(2021, 7, 5, 3) });
    expect(infectiousPeriod(asCase(withOnset.value))).toEqual({ from: Date.UTC(2021, 7, 4, 1) - 2 * D, to: Date.UTC(2021, 7, 5, 3) });
  });

  it.each([
    ['case_id', { case_id: '' }, 'case_id is empty'],
    ['case_id', { case_id: 'x'.repeat(65) }, 'case_id: longer than 64 characters'],
    ['case_id', { case_id: 'BN\u00071' }, 'case_id contains a control character or line break'],
    ['person_id', { person_id: '' }, 'person_id is empty'],
    ['person_id', { person_id: '1'.repeat(65) }, 'person_id: longer than 64 characters'],
    ['person_id', { person_id: '079\uFFFD' }, 'person_id is not valid UTF-8 (is the file saved as UTF-8?)'],
    ['confirmed_at', { confirmed_at: '' }, 'confirmed_at is empty'],
    ['confirmed_at', { confirmed_at: 'hôm qua' }, 'confirmed_at: not an ISO 8601 date-time (e.g. 2021-08-02T07:30:00+07:00)'],
    ['confirmed_at', { confirmed_at: '2021-02-30T10:00' }, 'confirmed_at: not an ISO 8601 date-time (e.g. 2021-08-02T07:30:00+07:00)'],
    ['onset_at', { onset_at: '2021-13-01' }, 'onset_at: not an ISO 8601 date-time (e.g. 2021-08-02T07:30:00+07:00)'],
    ['infectious_from', { infectious_from: '2021-08-03T25:00' }, 'infectious_from: not an ISO 8601 date-time (e.g. 2021-08-02T07:30:00+07:00)'],
    ['infectious_to', { infectious_to: '2021-08-06T10:00+15:00' }, 'infectious_to: not an ISO 8601 date-time (e.g. 2021-08-02T07:30:00+07:00)'],
  ])('is rejected on %s, with the reason (%o)', (field, over, reason) => {
    expect(csv(row(over))).toEqual({ ok: false, field, reason });
  });

  it.each([
    ['confirmed_at', { confirmed_at: '1999-12-31T23:59:59Z' }, 'before 2000-01-01'],
    ['confirmed_at', { confirmed_at: '0021-08-05T10:00' }, 'before 2000-01-01'],
    ['confirmed_at', { confirmed_at: '2021-08-16T10:00:01+07:00' }, 'more than a day after now'],
    ['onset_at', { onset_at: '2021-08-16T03:00:01Z' }, 'more than a day after now'],
    ['infectious_to', { infectious_to: '2021-08-17' }, 'more than a day after now'],
  ])('is rejected on %s when an instant lies outside [2000-01-01, now + 1 day] (%o)', (field, over, reason) => {
    expect(csv(row(over))).toMatchObject({ ok: false, field, reason: expect.stringContaining(reason) as unknown });
  });

  it('accepts an instant exactly a day after now', () => {
    expect(csv(row({ confirmed_at: new Date(NOW + D).toISOString(), infectious_to: new Date(NOW + D).toISOString() }))).toMatchObject({ ok: true });
  });

  it('rejects infectious_from after infectious_to, naming infectious_from', () => {
    expect(csv(row({ infectious_from: '2021-08-06T00:00+07:00', infectious_to: '2021-08-05T00:00+07:00' }))).toEqual({
      ok: false,
      field: 'infectious_from',
      reason: expect.stringMatching(/^infectious_from: the infectious period would start after it ends: infectious_from is after infectious_to/) as unknown,
    });
  });

  it('rejects an explicit end before the default start, naming infectious_to', () => {
    expect(csv(row({ infectious_to: '2021-08-01T00:00+07:00' }))).toMatchObject({ ok: false, field: 'infectious_to', reason: expect.stringContaining('confirmed_at − 2 days') as unknown });
  });

  it('rejects an explicit start after confirmation with no explicit end, naming infectious_from', () => {
    expect(csv(row({ infectious_from: '2021-08-06T00:00+07:00' }))).toMatchObject({ ok: false, field: 'infectious_from', reason: expect.stringContaining('after confirmed_at, the default end') as unknown });
  });

  it('accepts onset after confirmation with a warning (presymptomatic when tested), and rejects it on onset_at once the default period would be empty', () => {
    const presymptomatic = csv(row({ onset_at: '2021-08-06T10:00+07:00' }));
    expect(presymptomatic).toMatchObject({ ok: true, value: { onsetAt: Date.UTC(2021, 7, 6, 3), warnings: [expect.stringMatching(/^onset is after confirmation/)] } });
    expect(csv(row({ onset_at: '2021-08-08T10:00+07:00' }))).toMatchObject({ ok: false, field: 'onset_at', reason: expect.stringContaining('more than 2 days after confirmed_at') as unknown });
    // With the period given, onset does not bound it.
    expect(csv(row({ onset_at: '2021-08-08T10:00+07:00', infectious_from: '2021-08-03T00:00+07:00', infectious_to: '2021-08-05T10:00+07:00' }))).toMatchObject({ ok: true });
  });

  it('stores keys in NFC, trimmed', () => {
    expect(csv(row({ case_id: ' BN-Đà Nẵng-1 '.normalize('NFD') }))).toMatchObject({ ok: true, value: { caseId: 'BN-Đà Nẵng-1' } });
  });

  it('finds its columns under the lab-vn profile’s Vietnamese headers', () => {
    const lab = loadProfile('lab-vn');
    const header = ['STT', 'Mã ca bệnh', 'Họ tên', 'CCCD', 'Ngày có kết quả', 'Ngày khởi phát', 'Ngày cách ly'];
    const plan = planColumns('cases', header, renames('cases', lab, {}));
    expect(Object.fromEntries(plan.index)).toEqual({ case_id: 1, person_id: 3, confirmed_at: 4, onset_at: 5, infectious_to: 6 });
    expect(plan.warnings).toEqual(["ignored columns 'STT', 'Họ tên': not a cases column"]);
    const snake = planColumns('cases', ['ma_ca', 'so_cccd', 'ngay_xac_nhan', 'ngay_khoi_phat'], renames('cases', lab, {}));
    expect([...snake.index.keys()]).toEqual(['case_id', 'person_id', 'confirmed_at', 'onset_at']);
  });

  it('stops before any row when a required column is missing', () => {
    expect(() => planColumns('cases', ['case_id', 'person_id', 'onset_at'], new Map())).toThrow(/no confirmed_at column/);
  });
});

describe('a case as JSON (POST /api/cases), by the same parser', () => {
  const one = caseInputSchema(() => NOW);
  const batch = caseBatchSchema(() => NOW);
  const json = { caseId: 'BN1001', personId: '079090001234', confirmedAt: '2021-08-05T10:00:00+07:00' };
  const issues = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) => r.error?.issues.map((i) => [i.path.join('.'), i.message]);

  it('reads what the CSV row reads', () => {
    const csv = caseValidator({ dayFirst: false, now: NOW })(row({ onset_at: '2021-08-06T10:00+07:00' }));
    const api = one.safeParse({ ...json, onsetAt: '2021-08-06T10:00+07:00' });
    expect(api.success && csv.ok ? api.data : undefined).toEqual(csv.ok ? csv.value : 'rejected');
  });

  it('names the field of each problem', () => {
    expect(issues(one.safeParse({ ...json, caseId: '', confirmedAt: '2021-08-17' }))).toEqual([
      ['caseId', 'empty'],
      ['confirmedAt', expect.stringContaining('more than a day after now')],
    ]);
    expect(issues(one.safeParse({ ...json, infectiousFrom: '2021-08-06T00:00+07:00', infectiousTo: '2021-08-05T00:00+07:00' }))).toEqual([
      ['infectiousFrom', expect.stringContaining('infectiousFrom is after infectiousTo')],
    ]);
    expect(issues(one.safeParse({ ...json, status: 'died' }))).toEqual([['', 'Unrecognized key: "status"']]);
  });

  it('keeps a case given twice in a batch once, and refuses a case id given twice with other data at its second place', () => {
    const twice = batch.safeParse({ cases: [json, json] });
    expect(twice.success && twice.data.map((c) => c.caseId)).toEqual(['BN1001']);
    expect(issues(batch.safeParse({ cases: [json, { ...json, confirmedAt: '2021-08-05T11:00:00+07:00' }] }))).toEqual([['cases.1.caseId', 'repeats cases[0] with other data']]);
    expect(issues(batch.safeParse({ cases: [] }))).toEqual([['cases', expect.stringContaining('>=1')]]);
  });
});
