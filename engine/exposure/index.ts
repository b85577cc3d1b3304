/**
 * Venue exposure (issue 22.6): the read (venue.ts), the stored, paged results (store.ts) and the
 * approval step (approval.ts).
 */
export { admitExposure, exposureCandidates, venueExposure, type ExposedPerson, type ExposureCandidate, type ExposureOptions, type ExposureRequest, type ExposureResult } from './venue';
export { EXPOSURE_ID_RE, listExposureRecords, newExposureId, readExposurePage, storeExposure, type ExposurePage, type ExposurePageRead, type ExposureRecordMeta, type NewExposure } from './store';
export { listPendingExposures, readExposureRequest, rejectPendingExposure, requestExposure, storeApprovedExposure, type ExposureRequestRead } from './approval';
export { openExposureFollowUps } from './followups';
