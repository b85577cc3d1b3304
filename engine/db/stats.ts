import { scopeParams } from '../jurisdiction';
import type { Jurisdiction } from '../types';
import { int, num, str } from './convert';
import { readQuery } from './driver';

/**
 * Daily counts for an epidemic curve (issue 22 point 7), scoped in the query by the person's home:
 * cases (not discarded) by confirmation day, F1 follow-ups by exposure day. Days are calendar days
 * in Ho Chi Minh City (UTC+7, no daylight saving), `YYYY-MM-DD`.
 */

const HCM_OFFSET_MS = 7 * 3_600_000;
const DAY = (v: string) => `toString(date(datetime({epochMillis: ${v} + $offset})))`;

export interface DayCount {
  readonly day: string;
  readonly n: number;
}

export async function casesPerDay(scope: Jurisdiction | undefined, from: number, to: number): Promise<DayCount[]> {
  return readQuery(
    `MATCH (c:Case) WHERE c.confirmedAt >= $from AND c.confirmedAt < $to AND c.status <> 'discarded'
     OPTIONAL MATCH (i:Identity {pid: c.personId})
     WITH c, i WHERE $province IS NULL OR coalesce(i.province = $province AND ($district IS NULL OR i.district = $district) AND ($commune IS NULL OR i.commune = $commune), false)
     RETURN ${DAY('c.confirmedAt')} AS day, count(*) AS n ORDER BY day`,
    { from: int(from), to: int(to), offset: int(HCM_OFFSET_MS), ...scopeParams(scope) },
    (x) => ({ day: str(x['day']), n: num(x['n']) }),
  );
}

export async function f1FollowUpsPerDay(scope: Jurisdiction | undefined, from: number, to: number): Promise<DayCount[]> {
  return readQuery(
    `MATCH (f:FollowUp) WHERE f.generation = 1 AND f.exposureAt >= $from AND f.exposureAt < $to
       AND ($province IS NULL OR (f.province = $province AND ($district IS NULL OR f.district = $district) AND ($commune IS NULL OR f.commune = $commune)))
     RETURN ${DAY('f.exposureAt')} AS day, count(*) AS n ORDER BY day`,
    { from: int(from), to: int(to), offset: int(HCM_OFFSET_MS), ...scopeParams(scope) },
    (x) => ({ day: str(x['day']), n: num(x['n']) }),
  );
}
