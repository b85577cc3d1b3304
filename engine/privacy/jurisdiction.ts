/**
 * Jurisdiction scoping is pure and shared with storage, so it lives at engine/jurisdiction.ts
 * (engine/db may not import engine/privacy); privacy re-exports it as part of who may see what.
 */
export * from '../jurisdiction';
