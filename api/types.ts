import type { z } from 'zod';
import type * as s from './schemas';

/**
 * The API's response and request types, inferred from the zod schemas, for clients such as the
 * view (viz/ imports these types only, never engine code). Request types are the JSON sent
 * (instants as ISO strings), responses the JSON received.
 */
export type TokenRequest = z.input<typeof s.TokenRequest>;
export type TokenResponse = z.output<typeof s.TokenResponse>;
export type Me = z.output<typeof s.Me>;
export type Station = z.output<typeof s.StationOut>;
export type StationList = z.output<typeof s.StationList>;
export type StationPassages = z.output<typeof s.StationPassages>;
export type TraceCreateRequest = z.input<typeof s.TraceCreate>;
export type TracePage = z.output<typeof s.TracePage>;
export type TraceMeta = z.output<typeof s.TraceMeta>;
export type TraceList = z.output<typeof s.TraceList>;
export type Identity = z.output<typeof s.FullIdentity>;
export type MaskedIdentity = z.output<typeof s.MaskedIdentity>;
export type Timeline = z.output<typeof s.Timeline>;
export type Hotspots = z.output<typeof s.Hotspots>;
export type ImportJob = z.output<typeof s.ImportJob>;
export type AuditList = z.output<typeof s.AuditList>;
export type AuditVerify = z.output<typeof s.AuditVerify>;
export type Problem = z.output<typeof s.Problem>;
export type DeclarationReceipt = z.output<typeof s.DeclarationReceiptOut>;
export type DeclarationList = z.output<typeof s.DeclarationList>;
export type ScanRequest = z.input<typeof s.ScanCreate>;
export type ScanDecision = z.output<typeof s.ScanDecisionOut>;
export type FlaggedScans = z.output<typeof s.FlaggedScans>;
export type IsolationRequest = z.input<typeof s.IsolationPut>;
export type Isolation = z.output<typeof s.IsolationOut>;
export type CasesRegistered = z.output<typeof s.CaseRegisteredOut>;
export type Case = z.output<typeof s.CaseOut>;
export type CaseList = z.output<typeof s.CaseList>;
export type CaseStatusChange = z.input<typeof s.CasePatch>;
export type CaseStatusChanged = z.output<typeof s.CaseStatusOut>;
