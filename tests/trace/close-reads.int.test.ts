import neo4j from 'neo4j-driver';
import { CANDIDATES } from '../../engine/db/contacts';
import { closeDriver, getDriver } from '../../engine/db/driver';
import { writePassages } from '../../engine/db/passages';
import { upsertStations } from '../../engine/db/stations';
import { pseudonym } from '../../engine/identity';
import { instantMs } from '../../engine/time';
import { contactsFromFrontier, trace, type GenerationQuery } from '../../engine/trace';
import { passage, station } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';

/**
 * Issue 25.3: a close-only trace reads less, not only filters afterwards. A point scan has no
 * duration, so it can be part of no close contact: the close-only reads return none, and the
 * candidate read (the one that grows with a station's crowd) steps over them in the index.
 * Measured with PROFILE on twin scenes, one with 60 checkpoint scans around F0's stay and one
 * without: the index entries the candidate seeks touch, with and without the scans.
 */

const run = newRunId('cr');
const raw: string[] = [];
const t = (hhmm: string): number => instantMs(`2021-08-02T${hhmm}`);
const FROM = t('00:00');
const TO = t('23:59:59');

interface Twin {
  f0: string;
  /** Ids of the checkpoint scans by others around F0's stay (empty in the twin without them). */
  scans: Set<string>;
}

/**
 * F0 stays 10:00–12:00; B 10:30–11:00 beside it (close); with `scans`, 20 checkpoint scans in the
 * 15 minutes before the stay, 20 at 10:05–10:43 and 20 in its last 15 minutes (all contacts at τ = 15 min).
 */
async function twin(tag: string, scans: boolean): Promise<Twin> {
  const s = station(`${run}-${tag}-S`);
  await upsertStations([s]);
  const key = (n: string): string => {
    const k = `${run}-${tag}-${n}`;
    raw.push(k);
    return k;
  };
  const rows = [passage(key('A'), s.id, t('10:00'), t('12:00')), passage(key('B'), s.id, t('10:30'), t('11:00'))];
  const points = [];
  if (scans) {
    for (let i = 0; i < 20; i++) {
      const mm = String(i).padStart(2, '0');
      points.push(passage(key(`P${i}`), s.id, t(`09:${45 + (i % 15)}:${mm}`)));
      points.push(passage(key(`Q${i}`), s.id, t(`10:${String(5 + 2 * i).padStart(2, '0')}`)));
      points.push(passage(key(`R${i}`), s.id, t(`11:${String(46 + (i % 14)).padStart(2, '0')}:${mm}`)));
    }
  }
  await writePassages([...rows, ...points]);
  return { f0: pseudonym(key('A')), scans: new Set(points.map((p) => p.id)) };
}

interface Reads {
  /** Index entries the candidate statement's seeks produced (PROFILE rows of its *Seek operators). */
  candidateSeekRows: number;
  /** Passages both statements returned. */
  returned: string[];
}

interface PlanNode {
  readonly operatorType: string;
  readonly rows: number;
  readonly children: readonly PlanNode[];
}

const seekRows = (p: PlanNode): number => (/Seek/.test(p.operatorType) ? p.rows : 0) + p.children.reduce((s, c) => s + seekRows(c), 0);

/** Traces `f0` at depth 1 with every statement PROFILEd. */
async function reads(f0: string, closeOnly: boolean, closeSeconds = 900): Promise<Reads> {
  const out: Reads = { candidateSeekRows: 0, returned: [] };
  const runGeneration = (g: GenerationQuery) =>
    contactsFromFrontier(g, {}, async (cypher, params) => {
      const session = getDriver().session({ defaultAccessMode: neo4j.session.READ });
      try {
        const res = await session.run(`PROFILE ${cypher}`, params);
        const prof = res.summary.profile;
        if (cypher === CANDIDATES && prof !== false) out.candidateSeekRows += seekRows(prof);
        // Field 2 of the candidate records, field 1 of the frontier's: the passage ids.
        for (const r of res.records) out.returned.push(...(r.get(cypher === CANDIDATES ? 2 : 1) as string[]));
        return res.records;
      } finally {
        await session.close();
      }
    });
  const r = await trace({ f0, from: FROM, to: TO, depth: 1, closeOnly, closeSeconds }, { runGeneration });
  if (closeOnly) expect(r.people).toHaveLength(1); // B
  return out;
}

let crowded: Twin;
let quiet: Twin;

beforeAll(async () => {
  crowded = await twin('crowded', true);
  quiet = await twin('quiet', false);
});
afterAll(async () => {
  await removeRun(run, { people: raw });
  await closeDriver();
});

describe('the close-only read path (issue 25.3)', () => {
  it('returns no checkpoint scan from either statement, where the full trace returns all 60', async () => {
    const full = await reads(crowded.f0, false);
    expect(full.returned.filter((id) => crowded.scans.has(id))).toHaveLength(60);
    const close = await reads(crowded.f0, true);
    expect(close.returned.filter((id) => crowded.scans.has(id))).toEqual([]);
  });

  it('above 15 minutes, never seeks the duration class that holds the scans: the crowd costs the candidate read nothing', async () => {
    const [withScans, without] = [await reads(crowded.f0, true, 1200), await reads(quiet.f0, true, 1200)];
    expect(withScans.candidateSeekRows).toBe(without.candidateSeekRows);
    // The full trace steps over every scan in the index.
    const [fullWith, fullWithout] = [await reads(crowded.f0, false, 1200), await reads(quiet.f0, false, 1200)];
    expect(fullWith.candidateSeekRows - fullWithout.candidateSeekRows).toBe(60);
  });

  it('at the default 15 minutes, steps only over the scans in [stay start, stay end − 15 min] (that class also holds 15-minute stays)', async () => {
    const [withScans, without] = [await reads(crowded.f0, true), await reads(quiet.f0, true)];
    // The 20 scans at 10:05–10:43; not the 20 before the stay nor the 20 in its last 15 minutes.
    expect(withScans.candidateSeekRows - without.candidateSeekRows).toBe(20);
  });
});
