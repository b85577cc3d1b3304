import { listAudit } from '../../engine/audit/store';
import { closeDriver } from '../../engine/db/driver';
import { writePassages } from '../../engine/db/passages';
import { upsertStations } from '../../engine/db/stations';
import { instantMs } from '../../engine/time';
import { passage, station } from '../helpers/builders';
import { runCli } from '../helpers/cli';
import { newRunId, removeRun } from '../helpers/cleanup';

/** `truyvet exposure` (issue 22.6): the API's venue exposure on the command line, audited. */

const run = newRunId('xc');
const key = (n: string): string => `${run}-${n}`;
const S = `${run}-MARKET`;
const t = (hhmm: string): number => instantMs(`2021-08-02T${hhmm}`);
const REQ = ['--request-ref', 'SYT-2021/0902', '--purpose', 'market outbreak, no known case'];
const truyvet = (args: string[]) => runCli(args, { env: { TRUYVET_AUDIT_CHAIN: run } });

beforeAll(async () => {
  await upsertStations([station(S)]);
  await writePassages([passage(key('G'), S, t('10:00'), t('10:40')), passage(key('K'), S, t('10:10'))]);
});
afterAll(async () => {
  await removeRun(run, { people: ['G', 'K'].map(key) });
  await closeDriver();
});

describe('truyvet exposure', () => {
  it('prints everyone at the station in the window with raw keys, classes and follow-up candidates, and audits it', async () => {
    const r = await truyvet(['exposure', ...REQ, '--station', S, '--from', '2021-08-02T09:00', '--to', '2021-08-02T12:00', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { people: { id: string; class: string; staySeconds: number }[]; candidates: unknown[]; stats: unknown };
    expect(out.people.map((p) => [p.id, p.class, p.staySeconds])).toEqual([
      [key('G'), 'close', 2400],
      [key('K'), 'brief', 0],
    ]);
    expect(out.candidates).toEqual([
      { personId: key('G'), generation: 1, exposureAt: t('10:00'), class: 'close' },
      { personId: key('K'), generation: 1, exposureAt: t('10:10'), class: 'brief' },
    ]);
    const [e] = await listAudit({ chain: run, action: 'exposure.create', limit: 10 });
    expect(e).toMatchObject({ outcome: 'ok', role: 'cli', requestRef: 'SYT-2021/0902', count: 2, details: { stationId: S, closePeople: 1 } });
  });

  it('refuses a window that ends before it starts (exit 2, naming the flag) and an unknown station (exit 4)', async () => {
    const bad = await truyvet(['exposure', ...REQ, '--station', S, '--from', '2021-08-02T12:00', '--to', '2021-08-02T09:00']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--from');
    const none = await truyvet(['exposure', ...REQ, '--station', `${run}-NOWHERE`, '--from', '2021-08-02T09:00', '--to', '2021-08-02T12:00']);
    expect(none.code).toBe(4);
  });
});
