export * from './decide';
export * from './geo';
export * from './isolation';
export * from './queue';
export * from './service';
// Stored scans, for the tracers' list and tools (engine/db/scans.ts).
export { getScan, listFlaggedScans, writeScans, type FlaggedScanQuery, type StoredScan } from '../db/scans';
