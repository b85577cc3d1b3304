import { readIdentities } from '../db/people';
import { pseudonym, seal } from '../identity';
import { issueQrToken, newQrCodeId } from '../qr/token';
import { isoUtc } from '../time';
import type { UnifiedDeclaration } from './form';
import type { FieldIssue } from './messages';
import { checkAgainstRegistry, issuesQr, type DeclarationStatus } from './registry-check';
import { storeDeclarations, type DeclarationRow, type DeclarationSummary } from './storage';

/**
 * A declaration's way in: registry check → QR code when not rejected → stored (rejected ones
 * too). Used by the API (POST /api/declarations, one at a time) and the importer (batches).
 */

export interface DeclarationReceipt {
  readonly declarationId: string;
  /** Pseudonymous person key. */
  readonly personId: string;
  readonly status: DeclarationStatus;
  /** Why it was rejected (bilingual): kept for the reviewer; the public API never answers them. */
  readonly reasons: FieldIssue[];
  readonly warnings: FieldIssue[];
  /** The QR code's text and validity; null when rejected. */
  readonly qr: { readonly token: string; readonly issuedAt: string; readonly validUntil: string } | null;
  /** True when the same declaration had been stored before: the first receipt is returned. */
  readonly duplicate: boolean;
}

export interface SubmitOptions {
  /** Epoch ms: when the server received the declarations. */
  readonly now: number;
  /**
   * When the code is issued: `now` for a live submission (the default), or `declaredAt` for an
   * import of historical records, whose codes were issued when they were declared.
   */
  readonly issueAt?: 'now' | 'declaredAt';
}

/**
 * The declaration's id: from the platform's own record id when it has one, otherwise from the
 * whole declaration, so the same submission twice (a double tap, a re-import) is one
 * declaration. Keyed like person pseudonyms, so the id reveals nothing of the content.
 */
export function declarationId(d: UnifiedDeclaration): string {
  const basis = d.sourceRef !== undefined ? `declaration:${d.platform}:${d.sourceRef}` : `declaration:${canonicalJson(d)}`;
  return `d${pseudonym(basis).slice(1)}`;
}

function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
}

/** One declaration (already validated with validateDeclaration). */
export async function submitDeclaration(d: UnifiedDeclaration, options: SubmitOptions): Promise<DeclarationReceipt> {
  const [r] = await submitDeclarations([d], options);
  return r!;
}

/** A batch: one registry read, one signing pass, one write transaction. Receipts in input order. */
export async function submitDeclarations(ds: readonly UnifiedDeclaration[], options: SubmitOptions): Promise<DeclarationReceipt[]> {
  if (ds.length === 0) return [];
  const pids = ds.map((d) => pseudonym(d.document.number));
  const registry = await readIdentities([...new Set(pids)]);
  const rows: DeclarationRow[] = [];
  for (let i = 0; i < ds.length; i++) {
    const d = ds[i]!;
    const pid = pids[i]!;
    const check = checkAgainstRegistry(d, registry.get(pid));
    const id = declarationId(d);
    const declaredAt = Date.parse(d.declaredAt);
    let qr: DeclarationRow['qr'] = null;
    if (issuesQr(check.status)) {
      // A random code id, resolved on the server at a scan: the code names no one (engine/qr/token.ts).
      const issued = await issueQrToken({ codeId: newQrCodeId(), issuedAt: options.issueAt === 'declaredAt' ? declaredAt : options.now });
      qr = { token: issued.token, codeId: issued.claims.codeId, issuedAt: issued.claims.issuedAt, validUntil: issued.claims.validUntil };
    }
    rows.push({
      id,
      personId: pid,
      personRef: seal(d.document.number),
      status: check.status,
      platform: d.platform,
      declaredAt,
      receivedAt: options.now,
      reasons: check.reasons,
      warnings: check.warnings,
      qr,
      declaration: d,
    });
  }
  const stored = await storeDeclarations(rows);
  return rows.map((row) => {
    const s = stored.get(row.id);
    return s === undefined ? receipt(summaryOf(row), false) : receipt(s.stored, !s.created);
  });
}

function summaryOf(row: DeclarationRow): DeclarationSummary {
  return {
    id: row.id,
    personId: row.personId,
    status: row.status,
    platform: row.platform,
    declaredAt: row.declaredAt,
    receivedAt: row.receivedAt,
    reasons: [...row.reasons],
    warnings: [...row.warnings],
    qr: row.qr === null ? null : { ...row.qr, revokedAt: null, revokedBy: null },
    province: row.declaration.address.province,
    district: row.declaration.address.district ?? '',
    commune: row.declaration.address.commune ?? '',
  };
}

function receipt(s: DeclarationSummary, duplicate: boolean): DeclarationReceipt {
  return {
    declarationId: s.id,
    personId: s.personId,
    status: s.status,
    reasons: s.reasons,
    warnings: s.warnings,
    qr: s.qr === null ? null : { token: s.qr.token, issuedAt: isoUtc(s.qr.issuedAt), validUntil: isoUtc(s.qr.validUntil) },
    duplicate,
  };
}
