import fc from 'fast-check';
import { z } from 'zod';
import { DEFAULT_TZ, parseInstant } from '../time';
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
