/**
 * Follow-up (issue 22 point 5, issue 25 point 4; docs/outbreaks.md "Follow-up"): status.ts holds
 * the status machine and the quarantine date, service.ts opens follow-ups from a source
 * (`openFollowUps`, CONTRACT-22), lists them for a jurisdiction and changes their status.
 * Outbreak runs open theirs when they are stored (engine/outbreak-store/followups.ts).
 */
export * from './candidates';
export * from './status';
export * from './service';
export * from './input';
export * from './export';
export * from './stats';
