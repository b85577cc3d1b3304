import {
  readDeclaration,
  readDeclarationForm,
  readDeclarations,
  writeDeclarations,
  type DeclarationQuery as StoredDeclarationQuery,
  type IssuedQrRow,
  type StoredDeclaration,
  type StoreOutcomeOf,
} from '../db/declarations';
import type { UnifiedDeclaration } from './form';
import type { FieldIssue } from './messages';
import type { DeclarationStatus } from './registry-check';

export { latestQrOfPerson, revokedQrCodes, revokeQr, type IssuedQrRow, type QrRevoker, type RevokeQrOutcome, type RevokeQrRequest, type StoredQr } from '../db/declarations';

/**
 * Declarations as the rest of the engine sees them: engine/db/declarations.ts stores them (the
 * Cypher, the sealed form, the QR code's fields), typed here with the declarations' own status,
 * check issues and unified form.
 */

export interface DeclarationRow {
  readonly id: string;
  readonly personId: string;
  /** Sealed raw person key (the document number) for a Person first seen here. */
  readonly personRef: string;
  readonly status: DeclarationStatus;
  readonly platform: string;
  readonly declaredAt: number;
  readonly receivedAt: number;
  readonly reasons: readonly FieldIssue[];
  readonly warnings: readonly FieldIssue[];
  readonly qr: IssuedQrRow | null;
  readonly declaration: UnifiedDeclaration;
}

/** A stored declaration without its sealed content. */
export type DeclarationSummary = StoredDeclaration<DeclarationStatus, FieldIssue>;

export type StoreOutcome = StoreOutcomeOf<DeclarationStatus, FieldIssue>;

export type DeclarationQuery = StoredDeclarationQuery<DeclarationStatus>;

/** Writes declarations (one transaction); an id already stored keeps its first content. */
export async function storeDeclarations(rows: readonly DeclarationRow[]): Promise<Map<string, StoreOutcome>> {
  return writeDeclarations(
    rows.map(({ declaration, ...r }) => ({
      ...r,
      content: declaration,
      home: { province: declaration.address.province, district: declaration.address.district ?? '', commune: declaration.address.commune ?? '' },
    })),
  );
}

/** One declaration's summary, or undefined. */
export async function getDeclaration(id: string): Promise<DeclarationSummary | undefined> {
  return readDeclaration(id);
}

/** The unified form as declared (unsealed). For roles allowed to see personal data; the caller decides. */
export async function readDeclarationContent(id: string): Promise<UnifiedDeclaration | undefined> {
  return readDeclarationForm(id);
}

/** Declarations newest first, e.g. the rejected ones for review. */
export async function listDeclarations(q: DeclarationQuery = {}): Promise<DeclarationSummary[]> {
  return readDeclarations(q);
}
