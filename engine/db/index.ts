/**
 * Storage as api/ and cli/ see it: the one entry into engine/db for code outside engine/
 * (docs/architecture.md). The driver's lifecycle and the schema, and the typed reads and writes
 * of the concepts that have no engine module of their own (stations, a person's passages, raw
 * keys for privileged tools). Everything else goes through its engine module (engine/trace,
 * engine/scan, engine/accounts, …), which calls engine/db itself.
 */
export { closeDriver, pingDatabase } from './driver';
export { describeCollisions, describeIndexProgress, migrate, SCHEMA, type IndexProgress, type MigrationReport, type SchemaItem, type UsernameCollision } from './schema';
export { countStations, listStations, upsertStations, type StationOutcome, type StationQuery } from './stations';
export { passagesOfPerson } from './passages';
export { storedData, type StoredData } from './graph';
export { rawKeys } from './people';
