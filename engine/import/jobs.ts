/**
 * Import jobs started through the API, kept in the graph so a job outlives the server process
 * that ran it (engine/db/import-jobs.ts stores them; api/imports.ts runs and resumes them).
 */
export {
  claimImportJob,
  getImportJob,
  KEEP_IMPORT_JOBS,
  pruneImportJobs,
  saveImportJob,
  unfinishedImportJobs,
  type ImportJobProgress,
  type ImportJobRecord,
  type ImportJobState,
} from '../db/import-jobs';
