import { readIdentities } from '../db/people';
import type { PassageWrite } from '../db/passages';
import { inScanTransaction, scopeParams, type NeighbourScan, type ScanContext, type StoredScan } from '../db/scans';
import { compareBirthDates } from '../declarations/registry-check';
import { nationalQrName } from '../declarations/names';
import { AccountChanged, forbidden, invalidInput, isTruyvetError, notFound, TruyvetError } from '../errors';
import { normalizeRawKey, pseudonym, seal } from '../identity';
import { qrClockSkewSeconds, scanMaxSpeedKmh } from '../config';
import { looksLikeNationalQr, parseNationalQr, type NationalQrParse } from '../qr/national';
import { looksLikeSignedQr, verifyQrToken, type QrVerifyResult } from '../qr/token';
import { isoUtc } from '../time';
import type { Jurisdiction } from '../types';
import { ALERT_FLAGS, decide, DEFAULT_SCAN_MAX_OFFLINE_MS, REASON_MESSAGES, scanTimeWindow, type CodeKind, type NationalCheck, type ScanFlag, type ScanReason } from './decide';
import { travelCheck } from './geo';

/**
 * A checkpoint scan, end to end: read the code (truyvet's signed code, or the national personal
 * code), look up what the graph knows (station and jurisdiction, an earlier scan with the same
 * id, isolation, a newer code, the person's neighbouring scans), decide (decide.ts), store the
 * Scan and, when the person is identified, a passage (source `qr`). Works on batches, so a
 * server can group concurrent requests into one transaction (ScanQueue).
 */

export interface ScanInput {
  /** The text the device read from the QR code. */
  readonly qrText: string;
  /** Made by the device; the same id again returns the first decision. */
  readonly scanId: string;
  readonly stationId: string;
  /** The officer's account id: a replay from another account is refused. */
  readonly officerId: string;
  /** The officer's jurisdiction; null only for roles the API lets scan anywhere. */
  readonly jurisdiction: Jurisdiction | null;
  /**
   * The officer's account as the caller authorized the request (possibly from a recent read):
   * the batch's transaction refuses the scan with AccountChanged unless the stored account is
   * still enabled with this token version, role and jurisdiction. Absent: the caller read the
   * account itself for this request.
   */
  readonly accountAsOf?: { readonly tokenVersion: number; readonly role: string };
  /** Server time, epoch ms. */
  readonly now: number;
  /** When the device scanned (an offline queue sends later); default `now`. */
  readonly scannedAt?: number;
  /**
   * How old a scan may be when it arrives (TRUYVET_SCAN_MAX_OFFLINE, read once by the server's
   * settings); default DEFAULT_SCAN_MAX_OFFLINE_MS. Older, or more than 5 minutes ahead of `now`:
   * a stop, recorded nowhere (decide.ts scanTimeWindow).
   */
  readonly maxOfflineMs?: number;
}

export interface ScanDecision {
  readonly scanId: string;
  readonly stationId: string;
  readonly decision: 'pass' | 'stop';
  readonly reason: ScanReason;
  readonly message_vi: string;
  readonly message_en: string;
  readonly flags: ScanFlag[];
  readonly codeKind: CodeKind;
  /**
   * Pseudonymous person key and the declaration, only when the code identified someone (the
   * scan became a passage): a code that did not verify names nobody, so an officer cannot learn
   * whose document number or code it was.
   */
  readonly personId: string | null;
  readonly declarationId: string | null;
  readonly validUntil: string | null;
  readonly scannedAt: string;
  readonly decidedAt: string;
  /** The passage written for this scan, when the person was identified. */
  readonly passageId: string | null;
  readonly trust: 'signed' | 'national' | null;
  /** With `copied_code`: the other scan, and the speed it would have taken. */
  readonly copiedOf: string | null;
  readonly impossibleSpeedKmh: number | null;
  /** True when this scan id had been decided before and this is that first decision. */
  readonly replay: boolean;
  /** True when this request stored the scan (false for a replay, and for a scan outside the time window). */
  readonly recorded: boolean;
}

export type ScanOutcome = { ok: true; decision: ScanDecision } | { ok: false; error: TruyvetError };

const SCAN_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,63}$/;

/** One scan; throws TruyvetError (invalid_input, not_found, forbidden, conflict, unavailable). */
export async function decideScan(input: ScanInput): Promise<ScanDecision> {
  const [r] = await decideScans([input]);
  if (!r!.ok) throw r!.error;
  return r!.decision;
}

interface Pending {
  readonly i: number;
  readonly input: ScanInput;
  readonly at: number;
  readonly kind: CodeKind;
  readonly verification?: QrVerifyResult;
  readonly national?: NationalQrParse;
  nationalCheck?: NationalCheck;
  /** The person a national code names; for a signed code the context query resolves its code id. */
  readonly pid: string | null;
  /** A verified signed code's opaque id. */
  readonly codeId: string | null;
  readonly rawKey: string | null;
}

/** A batch of scans (from different officers too); outcomes in input order, one failure never sinks the others. */
export async function decideScans(inputs: readonly ScanInput[]): Promise<ScanOutcome[]> {
  const out: ScanOutcome[] = new Array<ScanOutcome>(inputs.length);
  const reading: Promise<Pending>[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    const problem = checkInput(input);
    if (problem !== undefined) {
      out[i] = { ok: false, error: problem };
      continue;
    }
    reading.push(readCode(i, input));
  }
  // Signature checks run on libuv's thread pool: started together, they use every core.
  const pending = await Promise.all(reading);
  if (pending.length === 0) return out;

  const nationalPids = pending.filter((p) => p.kind === 'national' && p.pid !== null).map((p) => p.pid!);
  const registry = await readIdentities([...new Set(nationalPids)]);
  for (const p of pending) {
    if (p.kind !== 'national' || p.national === undefined || !p.national.ok) continue;
    const reg = registry.get(p.pid!);
    const q = p.national.value;
    p.nationalCheck =
      reg === undefined
        ? 'absent'
        : normalizeRawKey(reg.personId) === q.documentNumber && nationalQrName(reg.fullName) === nationalQrName(q.fullName) && compareBirthDates(q.birthDate, reg.birthDate) === 'same'
          ? 'match'
          : 'mismatch';
  }

  const contextRows = pending.map((p) => ({
    i: p.i,
    scanId: p.input.scanId,
    stationId: p.input.stationId,
    ...scopeParams(p.input.jurisdiction),
    officer: p.input.officerId,
    asOf: p.input.accountAsOf === undefined ? null : { tv: p.input.accountAsOf.tokenVersion, role: p.input.accountAsOf.role },
    pid: p.kind === 'national' ? p.pid : null,
    code: p.codeId,
    iat: p.verification?.ok === true ? p.verification.claims.issuedAt : null,
    at: p.at,
  }));
  const skewMs = qrClockSkewSeconds() * 1000;
  const maxKmh = scanMaxSpeedKmh();

  // One transaction per batch (one disk flush): it reads the context, and the scans decided on
  // it commit with their passages. On this machine a transaction costs Neo4j 1.5–4 ms of CPU
  // whatever it does, which small batches (few checkpoints busy) feel most. Work inside is
  // recomputed on a retry, so it only returns what it decided.
  const decided = await withConflictRetry(() =>
    inScanTransaction(async (tx) => {
      const { answers, toWrite, replays, firstById } = decideBatch(pending, await tx.readContext(contextRows), skewMs, maxKmh);
      if (toWrite.length === 0 && replays.length === 0) return answers;
      const stored = await tx.writeScans(
        toWrite.map((w) => {
          const passage = passageOf(w.scan, w.p.rawKey) === undefined ? undefined : { ref: w.p.rawKey === null ? null : seal(w.p.rawKey) };
          return { ...scopeParams(w.p.input.jurisdiction), scan: w.scan, ...(passage ? { passage } : {}) };
        }),
      );
      const passages: PassageWrite[] = [];
      const replayed = [...replays];
      for (const w of toWrite) {
        const s = stored.get(w.scan.id);
        if (s === undefined) {
          answers.push([w.p.i, { ok: false, error: forbidden(`station '${w.p.input.stationId}' is outside your jurisdiction`) }]);
          continue;
        }
        if (!s.created) {
          replayed.push({ p: w.p, scan: s.scan });
          continue;
        }
        // Its passage was written with it.
        answers.push([w.p.i, { ok: true, decision: toDecision(s.scan, false) }]);
      }
      const passageIds = new Set<string>();
      for (const r of replayed) {
        const first = firstById.get(r.scan.id);
        const scan = stored.get(r.scan.id)?.scan ?? first?.scan ?? r.scan;
        if (scan.officerId !== r.p.input.officerId) {
          answers.push([r.p.i, { ok: false, error: new TruyvetError('conflict', `scan id '${r.p.input.scanId}' was already used by another account`) }]);
          continue;
        }
        answers.push([r.p.i, { ok: true, decision: toDecision(scan, true) }]);
        // The first attempt may have stored the scan and failed before its passage: writing the
        // passage again is idempotent (a duplicate), so a replay repairs it.
        const pw = passageOf(scan, r.p.rawKey);
        if (pw !== undefined && !passageIds.has(pw.id)) {
          passageIds.add(pw.id);
          passages.push(pw);
        }
      }
      if (passages.length > 0) await tx.writePassages(passages);
      return answers;
    }),
  );
  for (const [i, o] of decided) out[i] = o;
  return out;
}

type Decided = { p: Pending; scan: StoredScan };

/**
 * The decisions of a batch on what its transaction read: refusals (unknown station, outside the
 * jurisdiction), the scans to write (the first of each id) and the replays of ids already
 * stored or repeated in the batch. Pure, so a retried transaction decides again from scratch.
 */
function decideBatch(
  pending: readonly Pending[],
  ctx: ReadonlyMap<number, ScanContext>,
  skewMs: number,
  maxKmh: number,
): { answers: [number, ScanOutcome][]; toWrite: Decided[]; replays: Decided[]; firstById: Map<string, Decided> } {
  const answers: [number, ScanOutcome][] = [];
  const writes: Decided[] = [];
  const replays: Decided[] = [];
  const batchSeen = new Map<string, NeighbourScan[]>();
  for (const p of pending) {
    const c = ctx.get(p.i);
    // First: a stale authorization must not turn into a 403 or 404 that a fresh one would not give.
    if (c !== undefined && !c.accountHolds) {
      answers.push([p.i, { ok: false, error: new AccountChanged() }]);
      continue;
    }
    if (c === undefined || !c.stationExists) {
      answers.push([p.i, { ok: false, error: notFound(`unknown station '${p.input.stationId}'`) }]);
      continue;
    }
    if (!c.inScope || c.station === null) {
      answers.push([p.i, { ok: false, error: forbidden(`station '${p.input.stationId}' is outside your jurisdiction`) }]);
      continue;
    }
    if (c.old !== null) {
      replays.push({ p, scan: c.old });
      continue;
    }
    // After the replay check: a scan stored when it was recent keeps its first decision however late it comes again.
    const outside = scanTimeWindow(p.at, p.input.now, p.input.maxOfflineMs ?? DEFAULT_SCAN_MAX_OFFLINE_MS);
    if (outside !== null) {
      answers.push([p.i, { ok: true, decision: unrecordedStop(p, outside) }]);
      continue;
    }
    const code = p.kind === 'signed' ? c.code : null;
    const pid = p.kind === 'signed' ? (code?.pid ?? null) : p.pid;
    const here = { lat: c.station.lat, lon: c.station.lon, at: p.at };
    const neighbours = [c.prev, c.next, ...(pid === null ? [] : (batchSeen.get(pid) ?? []))].filter((n): n is NeighbourScan => n !== null && n.id !== p.input.scanId);
    let impossible: { scanId: string; kmh: number } | undefined;
    for (const n of neighbours) {
      const t = travelCheck(n, here, maxKmh);
      if (t.impossible && (impossible === undefined || t.kmh > impossible.kmh)) impossible = { scanId: n.id, kmh: t.kmh };
    }
    const d = decide({
      kind: p.kind,
      ...(p.verification === undefined ? {} : { verification: p.verification }),
      ...(p.codeId === null ? {} : { code: code === null ? null : { status: code.status, revokedAt: code.revokedAt } }),
      ...(p.national === undefined ? {} : { national: p.national }),
      ...(p.nationalCheck === undefined ? {} : { nationalCheck: p.nationalCheck }),
      at: p.at,
      skewMs,
      isolation: c.isolation,
      newerCodeExists: c.newerCodeExists,
      impossibleTravelWith: impossible,
    });
    const claims = p.verification?.ok === true ? p.verification.claims : undefined;
    // Only an identified person is kept with the scan: a claim that did not verify names nobody.
    const identified = d.trust !== null;
    const scan: StoredScan = {
      id: p.input.scanId,
      officerId: p.input.officerId,
      stationId: p.input.stationId,
      at: p.at,
      decidedAt: p.input.now,
      decision: d.decision,
      reason: d.reason,
      flags: d.flags,
      flagged: d.flags.some((f) => ALERT_FLAGS.has(f)),
      kind: p.kind,
      pid: identified ? pid : null,
      declarationId: identified ? (code?.declarationId ?? null) : null,
      validUntil: claims?.validUntil ?? null,
      lat: c.station.lat,
      lon: c.station.lon,
      passageId: d.trust === null ? null : passageIdOf(p.input.scanId),
      trust: d.trust,
      // Another scan of the person is theirs to know only when this code identified them.
      copiedOf: identified ? (impossible?.scanId ?? null) : null,
      kmh: !identified || impossible === undefined || !Number.isFinite(impossible.kmh) ? null : Math.round(impossible.kmh),
    };
    writes.push({ p, scan });
    if (identified && pid !== null) {
      const seen = batchSeen.get(pid) ?? [];
      seen.push({ id: scan.id, at: scan.at, lat: scan.lat, lon: scan.lon });
      batchSeen.set(pid, seen);
    }
  }

  // Two inputs of one batch with the same id: the first is written, the later ones replay it.
  const firstById = new Map<string, Decided>();
  const toWrite: Decided[] = [];
  for (const w of writes) {
    if (firstById.has(w.scan.id)) replays.push({ p: w.p, scan: w.scan });
    else {
      firstById.set(w.scan.id, w);
      toWrite.push(w);
    }
  }
  return { answers, toWrite, replays, firstById };
}

/** A concurrent writer of the same passage makes a constraint conflict: the batch is tried again (then it sees a duplicate). */
async function withConflictRetry<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (e) {
      if (!(isTruyvetError(e) && e.code === 'conflict') || attempt >= attempts) throw e;
    }
  }
}

function checkInput(input: ScanInput): TruyvetError | undefined {
  if (!SCAN_ID_RE.test(input.scanId)) return invalidInput(`scan id must be 8–64 letters, digits or . _ : - (got ${input.scanId.length} characters)`, [{ field: 'scanId', reason: 'bad format' }]);
  if (input.qrText.length === 0 || input.qrText.length > 2000) return invalidInput('the QR text must be 1–2000 characters', [{ field: 'qrText', reason: 'bad length' }]);
  const at = input.scannedAt ?? input.now;
  // Too old or ahead of the clock is a decision (decideBatch), not a bad request.
  if (!Number.isSafeInteger(at)) return invalidInput('scannedAt is not an instant', [{ field: 'scannedAt', reason: 'not an instant' }]);
  return undefined;
}

async function readCode(i: number, input: ScanInput): Promise<Pending> {
  const at = input.scannedAt ?? input.now;
  const text = input.qrText.trim();
  if (looksLikeSignedQr(text)) {
    const v = await verifyQrToken(text);
    return { i, input, at, kind: 'signed', verification: v, pid: null, codeId: v.ok ? v.claims.codeId : null, rawKey: null };
  }
  if (looksLikeNationalQr(text)) {
    const n = parseNationalQr(text);
    const number = n.ok ? n.value.documentNumber : null;
    return { i, input, at, kind: 'national', national: n, pid: number === null ? null : pseudonym(number), codeId: null, rawKey: number };
  }
  return { i, input, at, kind: 'unreadable', pid: null, codeId: null, rawKey: null };
}

export function passageIdOf(scanId: string): string {
  return `qr-${scanId}`;
}

function passageOf(s: StoredScan, rawKey: string | null): PassageWrite | undefined {
  if (s.passageId === null || s.pid === null || (s.trust !== 'signed' && s.trust !== 'national')) return undefined;
  return {
    id: s.passageId,
    personId: s.pid,
    // A signed code carries no raw key; a person it names was created with one at declaration.
    // Sealed only if the person is new to the graph (writePassages calls it then).
    personRef: () => seal(rawKey ?? ''),
    stationId: s.stationId,
    at: s.at,
    leftAt: s.at,
    source: 'qr',
    trust: s.trust,
  };
}

export function toDecision(s: StoredScan, replay: boolean): ScanDecision {
  const reason = s.reason as ScanReason;
  const m = REASON_MESSAGES[reason] ?? REASON_MESSAGES.unreadable;
  const trust = s.trust === 'signed' || s.trust === 'national' ? s.trust : null;
  return {
    scanId: s.id,
    stationId: s.stationId,
    decision: s.decision,
    reason,
    message_vi: m.vi,
    message_en: m.en,
    flags: s.flags as ScanFlag[],
    codeKind: s.kind as CodeKind,
    // Scans stored before a code had to verify to name anyone may hold an unverified claim.
    personId: trust === null ? null : s.pid,
    declarationId: trust === null ? null : s.declarationId,
    validUntil: s.validUntil === null ? null : isoUtc(s.validUntil),
    scannedAt: isoUtc(s.at),
    decidedAt: isoUtc(s.decidedAt),
    passageId: s.passageId,
    trust,
    copiedOf: trust === null ? null : s.copiedOf,
    impossibleSpeedKmh: trust === null ? null : s.kmh,
    replay,
    recorded: !replay,
  };
}

/** The answer to a scan outside the time window: a stop naming nobody, stored nowhere (so no replay either). */
function unrecordedStop(p: Pending, reason: 'too_old' | 'future'): ScanDecision {
  const m = REASON_MESSAGES[reason];
  return {
    scanId: p.input.scanId,
    stationId: p.input.stationId,
    decision: 'stop',
    reason,
    message_vi: m.vi,
    message_en: m.en,
    flags: [reason],
    codeKind: p.kind,
    personId: null,
    declarationId: null,
    validUntil: null,
    scannedAt: isoUtc(p.at),
    decidedAt: isoUtc(p.input.now),
    passageId: null,
    trust: null,
    copiedOf: null,
    impossibleSpeedKmh: null,
    replay: false,
    recorded: false,
  };
}
