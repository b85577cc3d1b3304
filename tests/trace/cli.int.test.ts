import os from 'node:os';
import { closeDriver } from '../../engine/db/driver';
import { writePassages } from '../../engine/db/passages';
import { upsertStations } from '../../engine/db/stations';
import { pseudonym } from '../../engine/identity';
import { instantMs } from '../../engine/time';
import { passage, station } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { runCli } from '../helpers/cli';

/**
 * `truyvet trace` and `truyvet hotspots` as a script would call them: raw person keys in and out,
 * instants with or without offsets, the JSON contract, exit codes; the request number and
 * purpose they require, and the audit events they write (to the run's own chain).
 */

const run = newRunId('tc');
const key = (n: string): string => `${run}-${n}`;
const S1 = `${run}-S1`;
const S2 = `${run}-S2`;
const S3 = `${run}-S3`;
const t = (hhmm: string): number => instantMs(`2021-08-02T${hhmm}`);

// What every lawful-access call carries.
const REQ = ['--request-ref', 'SYT-2021/123', '--purpose', 'contacts of a confirmed case'];

const truyvet = (args: string[]) => runCli(args, { env: { TRUYVET_AUDIT_CHAIN: run } });

beforeAll(async () => {
  await upsertStations([station(S1), station(S2, { name: 'Chợ Bình Tây' }), station(S3, { name: 'Phòng khám' })]);
  const rows: [string, string, number, number?][] = [
    ['A', S1, t('10:00'), t('10:30')],
    ['B', S1, t('10:20')], // F1 at 15 min tolerance (inside A's stay)
    ['C', S1, t('10:50')], // 20 min after A left: F1 only at 30 min or more
    ['B', S2, t('12:00')],
    ['D', S2, t('12:05')], // F2 through B (F1 at 30 min, through A)
    ['A', S2, t('12:30')],
    // Apart from A's trace: G stays an hour at S3; H 30 minutes beside G (close), K scans in (brief).
    ['G', S3, t('14:00'), t('15:00')],
    ['H', S3, t('14:10'), t('14:40')],
    ['K', S3, t('14:50')],
  ];
  await writePassages(rows.map(([p, s, at, leftAt], i) => passage(key(p), s, at, leftAt, { id: key(`x${i}`) })));
});
afterAll(async () => {
  await removeRun(run, { people: ['A', 'B', 'C', 'D', 'G', 'H', 'K'].map(key) });
  await closeDriver();
});

describe('truyvet trace', () => {
  it('prints the TraceResult with raw keys, reading instants without offset in Ho Chi Minh City time', async () => {
    const r = await truyvet(['trace', ...REQ, '--f0', key('A'), '--from', '2021-08-02T00:00', '--to', '2021-08-02T23:59:59', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toEqual({
      f0: key('A'),
      params: {
        from: '2021-08-01T17:00:00.000Z',
        to: '2021-08-02T16:59:59.000Z',
        until: '2021-08-02T16:59:59.000Z',
        depth: 2,
        toleranceSeconds: 900,
        mode: 'time-respecting',
        closeSeconds: 900,
        closeOnly: false,
      },
      people: [
        { id: key('B'), generation: 1, exposureAt: '2021-08-02T03:20:00.000Z', via: [key('A')], score: 0.393, class: 'brief' },
        { id: key('D'), generation: 2, exposureAt: '2021-08-02T05:05:00.000Z', via: [key('B')], score: 0.197, class: 'brief' },
      ],
      contacts: [
        { source: key('A'), target: key('B'), stationId: S1, at: '2021-08-02T03:20:00.000Z', overlapSeconds: 0, generation: 1, passages: [key('x0'), key('x1')], class: 'brief' },
        { source: key('B'), target: key('D'), stationId: S2, at: '2021-08-02T05:05:00.000Z', overlapSeconds: 0, generation: 2, passages: [key('x3'), key('x4')], class: 'brief' },
      ],
      stats: { people: 2, contacts: 2, closePeople: 0, milliseconds: expect.any(Number) as number },
    });
  });

  it('adds the sensitivity panel for a list of tolerances and traces with the first one', async () => {
    const r = await truyvet(['trace', ...REQ, '--f0', key('A'), '--from', '2021-08-02T00:00:00+07:00', '--to', '2021-08-02T16:59:59Z', '--tolerance', '30m,5m', '--depth', '2', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { params: { toleranceSeconds: number }; people: { id: string }[]; sensitivity: unknown };
    expect(out.params.toleranceSeconds).toBe(1800);
    expect(out.people.map((p) => p.id).sort()).toEqual([key('B'), key('C'), key('D')]);
    expect(out.sensitivity).toEqual([
      { toleranceSeconds: 1800, counts: { '1': 3, '2': 0 }, closeCounts: { '1': 0, '2': 0 } },
      { toleranceSeconds: 300, counts: { '1': 1, '2': 1 }, closeCounts: { '1': 0, '2': 0 } },
    ]);
  });

  it('--close-only keeps only people who were together at least 15 minutes, and the JSON says so', async () => {
    const full = await truyvet(['trace', ...REQ, '--f0', key('G'), '--from', '2021-08-02', '--to', '2021-08-02T23:59', '--json']);
    const close = await truyvet(['trace', ...REQ, '--f0', key('G'), '--from', '2021-08-02', '--to', '2021-08-02T23:59', '--close-only', '--json']);
    expect([full.code, close.code]).toEqual([0, 0]);
    type Out = { params: { closeOnly: boolean; closeSeconds: number }; people: { id: string; class: string }[]; contacts: { target: string; overlapSeconds: number; class: string }[]; stats: { closePeople: number } };
    const f = JSON.parse(full.stdout) as Out;
    const c = JSON.parse(close.stdout) as Out;
    expect(f.people.map((p) => [p.id, p.class])).toEqual([
      [key('H'), 'close'],
      [key('K'), 'brief'],
    ]);
    expect(f.stats.closePeople).toBe(1);
    expect(c.params).toMatchObject({ closeOnly: true, closeSeconds: 900 });
    expect(c.people.map((p) => [p.id, p.class])).toEqual([[key('H'), 'close']]);
    expect(c.contacts.map((x) => [x.target, x.overlapSeconds, x.class])).toEqual([[key('H'), 1800, 'close']]);
    expect(c.stats.closePeople).toBe(1);
  });

  it('shows the class of every person in the table, and the close count in the summary', async () => {
    const r = await truyvet(['trace', ...REQ, '--f0', key('G'), '--from', '2021-08-02', '--to', '2021-08-02T23:59']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^gen +person +class +exposure/);
    expect(lines.find((l) => l.includes(key('H')))).toMatch(/ close /);
    expect(lines.find((l) => l.includes(key('K')))).toMatch(/ brief /);
    expect(r.stdout).toMatch(/2 people \(F1 2, F2 0\), 1 close \(≥ 15 min together\)/);
    const only = await truyvet(['trace', ...REQ, '--f0', key('G'), '--from', '2021-08-02', '--to', '2021-08-02T23:59', '--close-only']);
    expect(only.stdout).toMatch(/1 people \(F1 1, F2 0\), close contacts only \(≥ 15 min\)/);
    expect(only.stdout).not.toContain(key('K'));
  });

  it('reads the close bar from TRUYVET_CLOSE_SECONDS', async () => {
    // 45 minutes: H's 30 minutes beside G are no longer close.
    const r = await runCli(['trace', ...REQ, '--f0', key('G'), '--from', '2021-08-02', '--to', '2021-08-02T23:59', '--json'], { env: { TRUYVET_AUDIT_CHAIN: run, TRUYVET_CLOSE_SECONDS: '2700' } });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { params: { closeSeconds: number }; people: { class: string }[] };
    expect(out.params.closeSeconds).toBe(2700);
    expect(out.people.map((p) => p.class)).toEqual(['brief', 'brief']);
  });

  it('prints a readable table with local exposure times and a summary line', async () => {
    const r = await truyvet(['trace', ...REQ, '--f0', key('A'), '--from', '2021-08-02', '--to', '2021-08-02T23:59', '--until', '2021-08-02T11:00', '--naive']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`F1   ${key('B')}  brief  2021-08-02 10:20:00`);
    expect(r.stdout).not.toContain(key('D'));
    expect(r.stdout).toMatch(/1 people \(F1 1, F2 0\), 0 close \(≥ 15 min together\), 1 contacts, naive/);
  });

  it('exits 4 for an unknown F0 and 2 for bad input, naming the problem', async () => {
    const unknown = await truyvet(['trace', ...REQ, '--f0', key('nobody'), '--from', '2021-08-02', '--to', '2021-08-03']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain(`unknown person '${key('nobody')}'`);
    const bad = await truyvet(['trace', ...REQ, '--f0', key('A'), '--from', '2021-08-03', '--to', '2021-08-02']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is after to');
  });
});

describe('the dates the command line accepts', () => {
  it.each([
    [['--from', '0021-08-02', '--to', '2021-08-03'], '--from', 'before 2000-01-01'],
    [['--from', '2021-08-02', '--to', '9999-08-03'], '--to', 'more than a day after now'],
    [['--from', '2021-08-01', '--to', '2021-08-22T00:00:01'], '--to', 'longer than 21 days'],
    [['--from', '2021-08-01', '--to', '2021-08-02', '--until', '2021-08-23'], '--until', 'more than 21 days after from'],
  ])('truyvet trace %j exits 2 naming %s', async (flags, flag, reason) => {
    const r = await truyvet(['trace', ...REQ, '--f0', key('A'), ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(flag);
    expect(r.stderr).toContain(reason);
    expect(r.stdout).toBe('');
  });

  it.each([
    [['--from', '0021-08-02', '--to', '2021-08-03'], 'before 2000-01-01'],
    [['--from', '2021-08-02', '--to', '9999-08-03'], 'more than a day after now'],
    [['--from', '2021-07-01', '--to', '2021-08-03'], 'longer than 21 days'],
  ])('truyvet hotspots %j exits 2 saying why', async (flags, reason) => {
    const r = await truyvet(['hotspots', ...REQ, ...flags, '--cases', key('B')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(reason);
  });

  it('accepts a period of exactly 21 days', async () => {
    const r = await truyvet(['trace', ...REQ, '--f0', key('A'), '--from', '2021-08-01', '--to', '2021-08-22', '--json']);
    expect(r.code).toBe(0);
  });
});

describe('truyvet hotspots', () => {
  it('ranks the cells where most cases passed, with raw keys and station names', async () => {
    const r = await truyvet(['hotspots', ...REQ, '--from', '2021-08-02T00:00', '--to', '2021-08-02T23:59', '--cases', `${key('D')},${key('B')}`, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { hotspots: Record<string, unknown>[]; cases: string[] };
    expect(out.cases).toEqual([key('D'), key('B')]);
    expect(out.hotspots[0]).toEqual({
      stationId: S2,
      stationName: 'Chợ Bình Tây',
      windowStart: '2021-08-02T05:00:00.000Z',
      windowEnd: '2021-08-02T05:15:00.000Z',
      cases: 2,
      passages: 2,
      people: [key('B'), key('D')].sort(),
    });
    expect(out.hotspots.slice(1).map((h) => [h['stationId'], h['windowStart'], h['cases']])).toEqual([[S1, '2021-08-02T03:15:00.000Z', 1]]);
  });

  it('--close-only counts only stays long enough for a close contact: a checkpoint scan never', async () => {
    const args = ['hotspots', ...REQ, '--from', '2021-08-02T00:00', '--to', '2021-08-02T23:59', '--cases', `${key('G')},${key('K')}`, '--json'];
    const full = JSON.parse((await truyvet(args)).stdout) as { closeOnly: boolean; hotspots: { people: string[] }[] };
    const close = JSON.parse((await truyvet([...args, '--close-only'])).stdout) as { closeOnly: boolean; hotspots: { people: string[]; cases: number }[] };
    expect(full.closeOnly).toBe(false);
    expect(new Set(full.hotspots.flatMap((h) => h.people))).toEqual(new Set([key('G'), key('K')]));
    expect(close.closeOnly).toBe(true);
    // G's hour at S3 touches four or five windows; K's scan is not counted at all.
    expect(close.hotspots.length).toBeGreaterThanOrEqual(4);
    expect(close.hotspots.every((h) => h.people.length === 1 && h.people[0] === key('G'))).toBe(true);
  });

  it('exits 4 naming a case the graph does not know', async () => {
    const r = await truyvet(['hotspots', ...REQ, '--from', '2021-08-02', '--to', '2021-08-03', '--cases', `${key('B')},${key('ghost')}`]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`'${key('ghost')}'`);
  });
});

interface Event {
  seq: number;
  actor: string;
  role: string;
  action: string;
  outcome: string;
  requestRef?: string;
  purpose?: string;
  count?: number;
  details?: Record<string, unknown>;
}

async function auditList(...filters: string[]): Promise<Event[]> {
  const r = await truyvet(['audit', 'list', '--chain', run, '--limit', '1000', ...filters]);
  expect(r.code).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Event);
}

describe('the command line is a lawful-access path', () => {
  const actor = `os:${os.userInfo().username}@${os.hostname()}`;
  const people = ['A', 'B', 'C', 'D'].flatMap((p) => [key(p), pseudonym(key(p))]);

  it.each([
    ['trace', ['--f0', key('A'), '--from', '2021-08-02', '--to', '2021-08-03']],
    ['hotspots', ['--cases', key('A'), '--from', '2021-08-02', '--to', '2021-08-03']],
  ])('truyvet %s without --request-ref or --purpose, or with a bad one, is a usage error (exit 2) and reads nothing', async (cmd, args) => {
    const before = (await auditList()).length;
    const noRef = await truyvet([cmd, ...args, '--purpose', 'contacts of a confirmed case']);
    expect(noRef.code).toBe(2);
    expect(noRef.stderr).toContain('--request-ref');
    const noPurpose = await truyvet([cmd, ...args, '--request-ref', 'SYT-2021/123']);
    expect(noPurpose.code).toBe(2);
    expect(noPurpose.stderr).toContain('--purpose');
    const badRef = await truyvet([cmd, ...args, '--request-ref', '?', '--purpose', 'contacts of a confirmed case']);
    expect(badRef.code).toBe(2);
    expect(badRef.stderr).toContain('--request-ref');
    const shortPurpose = await truyvet([cmd, ...args, '--request-ref', 'SYT-2021/123', '--purpose', ' x ']);
    expect(shortPurpose.code).toBe(2);
    expect(shortPurpose.stderr).toContain('--purpose');
    expect(noRef.stdout + noPurpose.stdout + badRef.stdout + shortPurpose.stdout).toBe('');
    expect(await auditList()).toHaveLength(before);
  });

  it('writes a trace to the audit chain as the OS user and host: request, purpose, counts, never who was found', async () => {
    const r = await truyvet(['trace', '--f0', key('A'), '--from', '2021-08-02T00:00', '--to', '2021-08-02T23:59:59', '--request-ref', 'SYT-2021/777', '--purpose', 'F0 confirmed 2 Aug', '--json']);
    expect(r.code).toBe(0);
    const events = await auditList('--action', 'trace.create', '--request-ref', 'SYT-2021/777');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor,
      role: 'cli',
      action: 'trace.create',
      outcome: 'ok',
      requestRef: 'SYT-2021/777',
      purpose: 'F0 confirmed 2 Aug',
      count: 2,
      details: { depth: 2, mode: 'time-respecting', closeOnly: false, identities: 3, f1: 1, f2: 1 },
    });
    const text = JSON.stringify(events[0]);
    for (const p of people) expect(text).not.toContain(p);
    // The auditor finds it by actor too.
    expect((await auditList('--actor', actor, '--request-ref', 'SYT-2021/777')).map((e) => e.seq)).toEqual([events[0]!.seq]);
  });

  it('writes a failed trace (unknown F0) to the audit chain with its reason', async () => {
    const r = await truyvet(['trace', '--f0', key('nobody'), '--from', '2021-08-02', '--to', '2021-08-03', '--request-ref', 'SYT-2021/778', '--purpose', 'F0 confirmed 2 Aug']);
    expect(r.code).toBe(4);
    const events = await auditList('--request-ref', 'SYT-2021/778');
    expect(events).toEqual([expect.objectContaining({ actor, role: 'cli', action: 'trace.create', outcome: 'failed', details: { reason: 'not_found' } })]);
  });

  it('writes hotspots to the audit chain: request, purpose, how many cases and cells', async () => {
    const r = await truyvet(['hotspots', '--from', '2021-08-02T00:00', '--to', '2021-08-02T23:59', '--cases', `${key('D')},${key('B')}`, '--request-ref', 'SYT-2021/779', '--purpose', 'where the cases met', '--json']);
    expect(r.code).toBe(0);
    const events = await auditList('--action', 'hotspots.read', '--request-ref', 'SYT-2021/779');
    expect(events).toEqual([
      expect.objectContaining({
        actor,
        role: 'cli',
        action: 'hotspots.read',
        outcome: 'ok',
        requestRef: 'SYT-2021/779',
        purpose: 'where the cases met',
        count: 2,
        details: { cells: 2, closeOnly: false },
      }),
    ]);
    for (const p of people) expect(JSON.stringify(events[0])).not.toContain(p);
  });

  it('truyvet audit list refuses an unknown action (exit 2)', async () => {
    const r = await truyvet(['audit', 'list', '--chain', run, '--action', 'drop.tables']);
    expect(r.code).toBe(2);
  });
});
