import type { RegistryRecord } from '../db/people';
import { normalizeRawKey } from '../identity';
import { issue, type FieldIssue } from './messages';
import { compareNames } from './names';

/**
 * The check of a declaration against the imported population registry (DESIGN.md: in August
 * 2021, 1,229 of 96,347 declarations were rejected for not matching it). Compared: the document
 * number, the name (see names.ts) and the birth date. Messages never repeat the registry's
 * values: a mismatch must not teach a stranger someone's real name or birth date.
 */

export const DECLARATION_STATUSES = ['accepted', 'accepted_with_warnings', 'rejected', 'unverified'] as const;
export type DeclarationStatus = (typeof DECLARATION_STATUSES)[number];

export interface RegistryCheck {
  readonly status: DeclarationStatus;
  /** Why it was rejected; empty unless rejected. */
  readonly reasons: FieldIssue[];
  /** What was accepted with doubts, or why it is unverified. */
  readonly warnings: FieldIssue[];
}

export interface DeclaredIdentity {
  readonly document: { readonly number: string };
  readonly fullName: string;
  /** YYYY-MM-DD or YYYY. */
  readonly birthDate: string;
}

/** `registered` is the registry row of pseudonym(document number), or undefined when there is none. */
export function checkAgainstRegistry(d: DeclaredIdentity, registered: Pick<RegistryRecord, 'personId' | 'fullName' | 'birthDate'> | undefined): RegistryCheck {
  if (registered === undefined) return { status: 'unverified', reasons: [], warnings: [issue('document.number', 'not_in_registry')] };
  const reasons: FieldIssue[] = [];
  const warnings: FieldIssue[] = [];
  // The lookup went through the keyed hash of the number; comparing the numbers themselves
  // guards against a registry keyed differently (e.g. by an old CMND) answering for a CCCD.
  if (normalizeRawKey(registered.personId) !== normalizeRawKey(d.document.number)) reasons.push(issue('document.number', 'registry_document_mismatch'));
  const name = compareNames(d.fullName, registered.fullName);
  if (name === 'different') reasons.push(issue('fullName', 'registry_name_mismatch'));
  else if (name === 'missing_diacritics') warnings.push(issue('fullName', 'name_missing_diacritics'));
  const birth = compareBirthDates(d.birthDate, registered.birthDate);
  if (birth === 'different') reasons.push(issue('birthDate', 'registry_birth_date_mismatch'));
  else if (birth === 'year_only') warnings.push(issue('birthDate', 'birth_year_only'));
  if (reasons.length > 0) return { status: 'rejected', reasons, warnings };
  return { status: warnings.length > 0 ? 'accepted_with_warnings' : 'accepted', reasons, warnings };
}

/** Dates as YYYY-MM-DD or YYYY; when either side is only a year, only years are compared. */
export function compareBirthDates(declared: string, registered: string): 'same' | 'year_only' | 'different' {
  const a = declared.trim();
  const b = registered.trim();
  if (a.length === 10 && b.length === 10) return a === b ? 'same' : 'different';
  return a.slice(0, 4) === b.slice(0, 4) && /^\d{4}/.test(a) ? 'year_only' : 'different';
}

/** True when the declaration earns a QR code: everything but a rejection. */
export function issuesQr(status: DeclarationStatus): boolean {
  return status !== 'rejected';
}
