import { casesPerDay, f1FollowUpsPerDay } from '../db/stats';
import type { Jurisdiction } from '../types';
import { followUpCounts } from './service';
import type { FollowUpStatus } from './status';

/**
 * Daily counts for an epidemic curve (issue 22 point 7), for the caller's jurisdiction (in the
 * queries): cases by confirmation day, F1s by exposure day (those made follow-ups: close F1s and
 * promoted ones), follow-ups by status now. Days in Ho Chi Minh City time; every day of the
 * window is listed, zeros included.
 */
export interface DailyStats {
  readonly days: { day: string; cases: number; f1s: number }[];
  readonly followUps: Record<FollowUpStatus, number>;
}

const DAY_MS = 86_400_000;
const HCM_OFFSET_MS = 7 * 3_600_000;

const dayOf = (ms: number): string => new Date(ms + HCM_OFFSET_MS).toISOString().slice(0, 10);

export async function dailyStats(q: { scope: Jurisdiction | undefined; from: number; to: number }): Promise<DailyStats> {
  const [cases, f1s, followUps] = await Promise.all([casesPerDay(q.scope, q.from, q.to), f1FollowUpsPerDay(q.scope, q.from, q.to), followUpCounts(q.scope)]);
  const c = new Map(cases.map((x) => [x.day, x.n]));
  const f = new Map(f1s.map((x) => [x.day, x.n]));
  const days: DailyStats['days'] = [];
  for (let d = dayOf(q.from), t = q.from; d <= dayOf(q.to - 1); t += DAY_MS, d = dayOf(t)) days.push({ day: d, cases: c.get(d) ?? 0, f1s: f.get(d) ?? 0 });
  return { days, followUps };
}
