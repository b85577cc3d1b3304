import { isTruyvetError } from '../../engine/errors';
import { narrowScope } from '../../engine/privacy/jurisdiction';
import { listFlaggedScans } from '../../engine/scan';
import { isoUtc } from '../../engine/time';
import { handler } from '../context';
import { routes } from '../routes';

/**
 * A checkpoint scan goes through the app's scan queue (engine/scan/queue.ts), which decides
 * concurrent scans in batches. The jurisdiction is checked by the engine inside the same Cypher
 * that writes the scan, and so is the officer's account (enabled, token version, role and
 * jurisdiction as authorized), which lets the app authorize scans on the account's last read.
 * Scans are not audit events one by one: each is itself an append-only record (officer,
 * station, instant, decision) and a rush of them must not queue on the audit chain; a refusal
 * outside the jurisdiction is audited like every other.
 */
export const scansCreate = handler(routes.scansCreate, async ({ body, principal, app, audit }) => {
  try {
    const d = await app.scans.submit({
      qrText: body.qrText,
      scanId: body.scanId,
      stationId: body.stationId,
      officerId: principal.username,
      jurisdiction: principal.jurisdiction ?? null,
      // Checked again in the batch's transaction (the route's accountCheck: 'in-query').
      ...(principal.tokenVersion !== undefined ? { accountAsOf: { tokenVersion: principal.tokenVersion, role: principal.role } } : {}),
      now: app.now(),
      maxOfflineMs: app.settings.scanMaxOfflineMs,
      ...(body.scannedAt !== undefined ? { scannedAt: body.scannedAt } : {}),
    });
    return { status: d.recorded ? 201 : 200, body: d };
  } catch (e) {
    if (isTruyvetError(e) && e.code === 'forbidden') {
      await audit({ action: 'access.denied', outcome: 'denied', target: body.stationId, details: { route: 'scansCreate', reason: 'outside jurisdiction' } });
    }
    throw e;
  }
});

/** The tracers' list of alerts, scoped by the stations' jurisdiction in the query itself. */
export const scansFlagged = handler(routes.scansFlagged, async ({ query, principal, audit }) => {
  const { skip, limit, from, to, flag, ...filter } = query;
  const scope = narrowScope(principal.jurisdiction, filter);
  const scans = scope === 'empty' ? [] : await listFlaggedScans({ scope: scope ?? null, from, to, ...(flag !== undefined ? { flag } : {}), skip, limit });
  const people = new Set(scans.flatMap((s) => (s.pid === null ? [] : [s.pid])));
  await audit({ action: 'scans.flagged.read', outcome: 'ok', count: people.size, details: { scans: scans.length, flag: flag ?? null } });
  return {
    body: {
      from: isoUtc(from),
      to: isoUtc(to),
      scans: scans.map((s) => ({
        id: s.id,
        stationId: s.stationId,
        officer: s.officerId,
        at: isoUtc(s.at),
        decidedAt: isoUtc(s.decidedAt),
        decision: s.decision,
        reason: s.reason,
        flags: s.flags,
        codeKind: s.kind,
        personId: s.pid,
        declarationId: s.declarationId,
        validUntil: s.validUntil === null ? null : isoUtc(s.validUntil),
        trust: s.trust,
        copiedOf: s.copiedOf,
        impossibleSpeedKmh: s.kmh,
      })),
      skip,
      limit,
    },
  };
});
