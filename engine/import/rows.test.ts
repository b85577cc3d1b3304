import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { z } from 'zod';
import { DEFAULT_TZ, parseInstant } from '../time';
import { csvParseBatches, readCsv } from './csv';
import { planColumns } from './header';
import { validateItem } from './pipeline';
import { instant, MAX_DWELL_MS, MAX_ID_LENGTH, passageValidator } from './rows';

/**
 * The passage validator's fast paths (plain ASCII fields kept as they are, the row's shape checked
 * by hand, instants of the common shape read by character codes) against the rules they stand
 * for: zod's schema and parseInstant, as the validator was written before them. Same value, same
 * field, same reason, for any row.
 */

const NOW = Date.UTC(2021, 7, 15, 12);

// The validator as it was: prepare() on every field, zod for the shape, parseInstant for instants.
const CONTROL_RE = /[\u0000-\u001f\u007f]/; // eslint-disable-line no-control-regex
const required = (name: string, max: number) => z.string().min(1, `${name} is empty`).max(max, `${name} is longer than ${max} characters`);
const optional = (name: string, max: number) => z.string().max(max, `${name} is longer than ${max} characters`);
const schema = z.object({
  passage_id: optional('passage_id', MAX_ID_LENGTH),
  person_id: required('person_id', MAX_ID_LENGTH),
  station_id: required('station_id', MAX_ID_LENGTH),
  at: required('at', 64),
  left_at: optional('left_at', 64),
  source: optional('source', MAX_ID_LENGTH),
});
const COLUMNS = ['passage_id', 'person_id', 'station_id', 'at', 'left_at', 'source'] as const;
type Row = Record<(typeof COLUMNS)[number], string>;

function reference(zones: ReadonlyMap<string, string>, fields: Row): unknown {
  const values: Record<string, string> = {};
  for (const name of COLUMNS) {
    const raw = fields[name];
    if (raw.includes('\uFFFD')) return { ok: false, field: name, reason: `${name} is not valid UTF-8 (is the file saved as UTF-8?)` };
    const v = raw.normalize('NFC').trim();
    if (CONTROL_RE.test(v)) return { ok: false, field: name, reason: `${name} contains a control character or line break` };
    values[name] = v;
  }
  const r = schema.safeParse(values);
  if (!r.success) return { ok: false, field: String(r.error.issues[0]?.path[0]), reason: r.error.issues[0]?.message };
  const v = r.data;
  const tz = zones.get(v.station_id);
  if (tz === undefined) return { ok: false, field: 'station_id', reason: `unknown station '${v.station_id.length > 40 ? `${v.station_id.slice(0, 40)}…` : v.station_id}' (import its stations file first)` };
  const at = parseInstant(v.at, tz || DEFAULT_TZ, NOW);
  if (!at.ok) return { ok: false, field: 'at', reason: `at: ${at.reason}` };
  let leftAt = at.ms;
  if (v.left_at !== '') {
    const l = parseInstant(v.left_at, tz || DEFAULT_TZ, NOW);
    if (!l.ok) return { ok: false, field: 'left_at', reason: `left_at: ${l.reason}` };
    if (l.ms < at.ms) return { ok: false, field: 'left_at', reason: 'left_at is before at' };
    if (l.ms - at.ms > MAX_DWELL_MS) return { ok: false, field: 'left_at', reason: 'left_at is more than 24 hours after at' };
    leftAt = l.ms;
  }
  return { ok: true, value: { passageId: v.passage_id === '' ? undefined : v.passage_id, rawPersonId: v.person_id, stationId: v.station_id, at: at.ms, leftAt, source: v.source } };
}

const two = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((n) => String(n).padStart(2, '0'));
/** Instants of the fast path's shape and its near misses: bad days, hours, offsets, separators, ranges. */
const instantText = fc
  .tuple(
    fc.constantFrom('2021', '2020', '2000', '1999', '2100', '1900', '0021', '2024', '20x1'),
    two(0, 13),
    two(0, 32),
    fc.constantFrom('T', ' ', 't', '_'),
    two(0, 25),
    two(0, 61),
    two(0, 61),
    fc.constantFrom('+07:00', '-05:30', 'Z', 'z', '+14:59', '+15:00', '-00:00', '+0700', '+07', '', '.250+07:00', '+07:60', '+7:00', ' '),
  )
  .map(([y, mo, d, t, h, mi, s, off]) => `${y}-${mo}-${d}${t}${h}:${mi}:${s}${off}`);
const anyText = fc.oneof(instantText, fc.string({ maxLength: 30 }), fc.constantFrom('', ' 2021-08-02T07:30:00+07:00', '2021-08-02T07:30:00+07:00 '));

describe('instant', () => {
  it('gives what parseInstant gives, for texts of the fast shape and around it, in any zone', () => {
    fc.assert(
      fc.property(instantText, fc.constantFrom('Asia/Ho_Chi_Minh', 'Europe/Paris', 'UTC', 'Nowhere/City'), fc.option(fc.constant(NOW), { nil: undefined }), (text, tz, now) => {
        expect(instant(text, tz, now)).toEqual(parseInstant(text, tz, now));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('passageValidator', () => {
  const zones = new Map([
    ['S1', 'Asia/Ho_Chi_Minh'],
    ['ST 2', ''],
    ['Chốt', 'Europe/Paris'],
  ]);
  const validate = passageValidator({ dayFirst: false, zones, now: NOW });
  const text = (max: number) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z0-9-]{0,12}$/) },
      { weight: 1, arbitrary: fc.string({ maxLength: max + 3 }) },
      { weight: 1, arbitrary: fc.constantFrom('', ' ', ' x', 'x ', '\tx', 'a\u0000b', 'a\nb', '\uFFFD', 'Chốt', 'Cho\u0302t', 'x'.repeat(max), 'x'.repeat(max + 1)) },
    );
  const row = fc.record<Row>({
    passage_id: text(MAX_ID_LENGTH),
    person_id: text(MAX_ID_LENGTH),
    station_id: fc.oneof(fc.constantFrom('S1', 'ST 2', ' S1', 'Chốt', 'Cho\u0302t', 'S9', ''), text(MAX_ID_LENGTH)),
    at: anyText,
    left_at: fc.oneof(fc.constant(''), anyText),
    source: text(MAX_ID_LENGTH),
  });

  it('gives the value, or the field and reason, that zod and parseInstant gave', () => {
    fc.assert(
      fc.property(row, (r) => {
        expect(validate(r)).toEqual(reference(zones, r));
      }),
      { numRuns: 20_000 },
    );
  });
});

/**
 * The whole fast path of a passages file, bytes to outcomes: readCsv (plain lines split by hand)
 * and validateItem with the hand-written validator, against csv-parse alone and the zod /
 * parseInstant reference. Every record accepted with the same value or rejected on the same
 * line, field and reason, on files with quoted fields (commas, quotes, line breaks inside),
 * a BOM, CRLF or LF, empty fields, short and long rows and instants out of range.
 */
describe('a passages file through the fast path', () => {
  const zones = new Map([
    ['S1', 'Asia/Ho_Chi_Minh'],
    ['ST 2', ''],
    ['Chốt', 'Europe/Paris'],
  ]);
  const validate = passageValidator({ dayFirst: false, zones, now: NOW });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'truyvet-rows-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  let files = 0;

  type Outcome = { line: number; ok: true; value: unknown } | { line: number; ok: false; field: string; reason: string };

  async function fast(file: string): Promise<Outcome[]> {
    const out: Outcome[] = [];
    let plan: ReturnType<typeof planColumns> | undefined;
    for await (const item of readCsv(file)) {
      if (plan === undefined && item.kind === 'record') {
        plan = planColumns('passages', item.fields, new Map());
        continue;
      }
      if (plan === undefined) continue;
      const r = validateItem(item, plan.index, plan.width, validate);
      out.push(r.ok ? { line: item.line, ok: true, value: r.value } : { line: r.reject.line, ok: false, field: r.reject.field, reason: r.reject.reason });
    }
    return out;
  }

  /** csv-parse alone, then the row checks as they were written before the fast paths. */
  async function slow(file: string): Promise<Outcome[]> {
    const out: Outcome[] = [];
    let header: string[] | undefined;
    for await (const items of csvParseBatches(file, { bom: true })) {
      for (const item of items) {
        if (header === undefined && item.kind === 'record') {
          header = item.fields.map((f) => f.trim().toLowerCase());
          continue;
        }
        if (header === undefined) continue;
        if (item.kind === 'broken') out.push({ line: item.line, ok: false, field: 'row', reason: item.reason });
        else if (item.fields.length !== header.length) out.push({ line: item.line, ok: false, field: 'row', reason: `expected ${header.length} fields like the header, found ${item.fields.length}` });
        else {
          const rec = Object.fromEntries(COLUMNS.map((c) => [c, item.fields[header!.indexOf(c)] ?? ''])) as Row;
          const r = reference(zones, rec) as { ok: true; value: unknown } | { ok: false; field: string; reason: string };
          out.push(r.ok ? { line: item.line, ok: true, value: r.value } : { line: item.line, ok: false, field: r.field, reason: r.reason });
        }
      }
    }
    return out;
  }

  /** A field as a CSV writer may put it: bare when it can be, or quoted (quotes doubled). */
  const cell = (value: string, quote: boolean): string => (quote || /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const field = fc.oneof(
    { weight: 5, arbitrary: fc.stringMatching(/^[A-Za-z0-9-]{0,10}$/) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'a,b', 'say "hi"', 'two\nlines', 'cr\r\nlf', 'Chốt', '\uFEFFx', 'x'.repeat(MAX_ID_LENGTH + 1)) },
  );
  const station = fc.constantFrom('S1', 'ST 2', 'Chốt', 'S9', '', ' S1');
  // In range, out of range (before 2000, more than a day after the import's clock), malformed.
  const when = fc.oneof(
    { weight: 4, arbitrary: instantText },
    { weight: 2, arbitrary: fc.constantFrom('2021-08-15T06:49:11+07:00', '2021-08-16T18:00:00+07:00', '1999-12-31T23:59:59Z', '2000-01-01T00:00:00Z', '2021-08-01 06:49', '') },
  );
  const record = fc.record({
    passage_id: field,
    person_id: field,
    station_id: station,
    at: when,
    left_at: fc.oneof(fc.constant(''), when),
    source: field,
  });
  const row = fc.tuple(record, fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), fc.constantFrom(0, 0, 0, 0, -1, 1)).map(([r, quoted, extra]) => {
    const cells = COLUMNS.map((c, i) => cell(r[c], quoted[i]!));
    if (extra < 0) cells.pop();
    if (extra > 0) cells.push('extra');
    return cells.join(',');
  });
  const fileBytes = fc
    .tuple(fc.boolean(), fc.constantFrom('\n', '\r\n'), fc.array(fc.oneof({ weight: 12, arbitrary: row }, { weight: 1, arbitrary: fc.constantFrom('', '"unclosed,x', 'a"b,c') }), { maxLength: 25 }), fc.boolean())
    .map(([bom, nl, rows, lastBreak]) => Buffer.from(`${bom ? '\uFEFF' : ''}${COLUMNS.join(',')}${nl}${rows.join(nl)}${lastBreak ? nl : ''}`, 'utf8'));

  it('accepts and rejects every record as csv-parse with zod and parseInstant did, on the same line, field and reason', async () => {
    await fc.assert(
      fc.asyncProperty(fileBytes, async (bytes) => {
        const f = path.join(dir, `p${files++}.csv`);
        fs.writeFileSync(f, bytes);
        expect(await fast(f)).toEqual(await slow(f));
      }),
      { numRuns: 1_500 },
    );
  });

  it('holds on a file that has them all: BOM, CRLF, quoted fields, empty fields, instants out of range', async () => {
    const f = path.join(dir, 'all.csv');
    const lines = [
      `\uFEFF${COLUMNS.join(',')}`,
      'Q1,0790,S1,2021-08-01T06:49:11+07:00,,qr',
      'Q2,"0790","S1","2021-08-01T06:49:11+07:00","2021-08-01T07:49:11+07:00",qr',
      ',0790,S1,2021-08-01T06:49:11+07:00,,',
      'Q3,,S1,2021-08-01T06:49:11+07:00,,qr',
      'Q4,0790,S1,1999-12-31T23:59:59+07:00,,qr',
      'Q5,0790,S1,2021-08-20T06:49:11+07:00,,qr',
      'Q6,0790,S1,2021-08-01T06:49:11+07:00,2021-08-03T06:49:11+07:00,qr',
      'Q7,"07,90","S1",2021-08-01T06:49:11+07:00,,"q""r"',
      'Q8,0790,S1,2021-08-01T06:49:11+07:00,,"two\r\nlines"',
      'Q9,0790,S1,2021-08-01T06:49:11+07:00,qr',
    ];
    fs.writeFileSync(f, `${lines.join('\r\n')}\r\n`);
    const got = await fast(f);
    expect(got).toEqual(await slow(f));
    expect(got.map((o) => (o.ok ? [o.line, 'ok'] : [o.line, o.field]))).toEqual([
      [2, 'ok'],
      [3, 'ok'],
      [4, 'ok'],
      [5, 'person_id'],
      [6, 'at'],
      [7, 'at'],
      [8, 'left_at'],
      [9, 'ok'],
      [10, 'source'],
      [12, 'row'],
    ]);
  });
});
