import { createHmac, hash } from 'node:crypto';
import { secretKey } from '../secrets';
import type { ShapedTrace } from '../trace/assemble';
import type { TraceResult } from '../types';

/**
 * Who a stored trace names, without unsealing its result (megabytes for a large trace, read on
 * every timeline): `members` holds a keyed digest of (trace, person) for F0 and every person
 * kept, so the list says nothing to a reader of the database, not even across traces.
 *
 * Version 2 (`membersV: 2`): a key per trace, HMAC(TRUYVET_DATA_KEY, trace id), then SHA-256 of
 * that key and the person, cut to 132 bits. An HMAC per person (version 1, still read) cost
 * ~2 µs against ~0.5: a quarter of storing a 10,000-person trace. Cut short, the digest gives
 * no length extension; without the trace's key, it says nothing of the person.
 */

function memberKey(traceId: string): string {
  return createHmac('sha256', secretKey('TRUYVET_DATA_KEY')).update(`trace-member-v2\u0000${traceId}`).digest('hex');
}

function memberDigestV2(key: string, pid: string): string {
  return hash('sha256', `${key}\u0000${pid}`, 'base64url').slice(0, 22);
}

function memberDigestV1(traceId: string, pid: string): string {
  return createHmac('sha256', secretKey('TRUYVET_DATA_KEY')).update(`trace-member\u0000${traceId}\u0000${pid}`).digest('base64url').slice(0, 22);
}

/** The version-2 digests of these people in this trace (what a record stores). */
export function memberDigests(traceId: string, pids: Iterable<string>): string[] {
  const key = memberKey(traceId);
  return Array.from(pids, (pid) => memberDigestV2(key, pid));
}

/** One person's digest in both versions, to look for in a stored list. */
export function memberDigest(traceId: string, pid: string): { v1: string; v2: string } {
  return { v1: memberDigestV1(traceId, pid), v2: memberDigestV2(memberKey(traceId), pid) };
}

export function isShaped(r: TraceResult | ShapedTrace): r is ShapedTrace {
  return 'head' in r;
}

/** Every person a stored trace names: F0 and the people it found. */
export function peopleOf(result: TraceResult | ShapedTrace): Set<string> {
  return new Set([isShaped(result) ? result.head.f0 : result.f0, ...result.people.map((p) => p.id)]);
}
