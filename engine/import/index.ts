export { bulkFiles, prepareBulk, BULK_FILES, type BulkKindSummary, type BulkOptions, type BulkPlan } from './bulk';
export { runImport, checkImportFile, DEFAULT_BATCH_SIZE, DEFAULT_BATCH_SIZES, SUMMARY_REJECTS, type ImportOptions, type ImportProgress, type ImportResult } from './pipeline';
export { COLUMNS, IMPORT_KINDS, parseMapSpec, type ImportKind } from './header';
export { builtInProfiles, loadProfile, type ImportProfile } from './profiles';
export { forgetCheckpoint, importStateDir } from './checkpoint';
export { neutralize } from './report';
// A cases file read by the import's rules without storing it (engine/cases holds the case itself).
export { MAX_CASES_FILE, readCasesFile, type CasesFile, type CasesFileOptions } from './cases-file';
