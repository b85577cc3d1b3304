/**
 * Venue exposure (issue 22.6): the read (venue.ts) and the stored, paged results (store.ts).
 */
export { exposureCandidates, venueExposure, type ExposedPerson, type ExposureCandidate, type ExposureOptions, type ExposureRequest, type ExposureResult } from './venue';
export { EXPOSURE_ID_RE, newExposureId, readExposurePage, storeExposure, type ExposurePage, type ExposurePageRead, type ExposureRecordMeta, type NewExposure } from './store';
export { openExposureFollowUps } from './followups';
