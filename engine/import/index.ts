export { runImport, checkImportFile, DEFAULT_BATCH_SIZE, DEFAULT_BATCH_SIZES, SUMMARY_REJECTS, type ImportOptions, type ImportProgress, type ImportResult } from './pipeline';
export { COLUMNS, IMPORT_KINDS, parseMapSpec, type ImportKind } from './header';
export { builtInProfiles, loadProfile, type ImportProfile } from './profiles';
export { forgetCheckpoint, importStateDir } from './checkpoint';
export { neutralize } from './report';
