import os from 'node:os';
import { TRACE_REQUEST_REF_RE } from '../api/schemas';
import type { AuditEntry } from '../engine/audit/chain';
import { appendAudit } from '../engine/audit/store';
import { invalidInput, isTruyvetError } from '../engine/errors';

/**
 * The command line reads movement data as the API does, so it is a lawful-access path too
 * (issue 20): `truyvet trace` and `truyvet hotspots` need the health authority's request number
 * and a purpose, checked by the API's rules, and append to the audit chain what the API appends
 * for the same action (request, purpose, counts; never who was found), as the operating-system
 * user and host that ran them (role `cli`).
 */

export interface LawfulRequest {
  readonly requestRef: string;
  readonly purpose: string;
}

/** `--request-ref` and `--purpose`, by the rules of the API's trace request. */
export function lawfulRequest(o: { readonly requestRef: string; readonly purpose: string }): LawfulRequest {
  const requestRef = o.requestRef.trim();
  const purpose = o.purpose.trim();
  if (!TRACE_REQUEST_REF_RE.test(requestRef)) {
    throw invalidInput(`--request-ref '${o.requestRef}' is not a request number (3–80 letters, digits, . / _ : # -)`, [{ field: '--request-ref', reason: 'not a request number' }]);
  }
  if (purpose.length < 3 || purpose.length > 500) throw invalidInput('--purpose must be 3 to 500 characters', [{ field: '--purpose', reason: '3 to 500 characters' }]);
  return { requestRef, purpose };
}

/** Who ran the command, for the audit: `os:<user>@<host>`. */
export function cliActor(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (a container): keep 'unknown'
  }
  return `os:${user}@${os.hostname() || 'unknown'}`;
}

/** Appends one event as the CLI's operator. */
export async function auditCli(entry: Omit<AuditEntry, 'actor' | 'role'>): Promise<void> {
  await appendAudit({ ...entry, actor: cliActor(), role: 'cli' }, Date.now());
}

/**
 * Runs a lawful-access read and audits it: on success with what `ok` says of the result (the
 * caller prints only after the event is written: no audit, no data), on failure with its code.
 */
export async function auditedRead<T>(
  action: 'trace.create' | 'hotspots.read' | 'outbreak.create',
  req: LawfulRequest,
  read: () => Promise<T>,
  ok: (result: T) => Pick<AuditEntry, 'count' | 'details'>,
): Promise<T> {
  let result: T;
  try {
    result = await read();
  } catch (e) {
    await auditCli({ action, outcome: 'failed', ...req, details: { reason: isTruyvetError(e) ? e.code : 'error' } }).catch(() => undefined);
    throw e;
  }
  await auditCli({ action, outcome: 'ok', ...req, ...ok(result) });
  return result;
}
