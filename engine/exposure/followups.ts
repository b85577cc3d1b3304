import { quarantineDays } from '../config';
import { openFollowUps, type OpenedFollowUps } from '../followups';
import { exposureCandidates, type ExposureResult } from './venue';

/**
 * A venue exposure feeding follow-up (issue 22 point 6): its close visitors become follow-ups for
 * the commune they live in, as a run's close F1s do (issue 25 point 4: a brief visit is promoted
 * by a tracer, not followed up by default). Idempotent per exposure id.
 */
export function openExposureFollowUps(exposureId: string, found: ExposureResult, actor: string, now: number): Promise<OpenedFollowUps> {
  return openFollowUps({ source: 'exposure', sourceId: exposureId, candidates: exposureCandidates(found), quarantineDays: quarantineDays(), actor, now });
}
