/**
 * Reads of movement data that a jurisdiction limits: an officer's passages at a station, and
 * whether a tracer may trace a case. The scope is a parameter of their Cypher
 * (engine/db/scoped-passages.ts): a station outside it matches nothing, whatever the caller
 * checked before.
 */
export { caseInScope, passagesAtStation, type StationPassagesQuery } from '../db/scoped-passages';
