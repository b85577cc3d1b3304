import { createHmac } from 'node:crypto';
import { MemoryStore, type Options, type Store } from 'express-rate-limit';
import { secretKey } from '../engine/secrets';
import { HttpError } from './errors';

/**
 * The per-document-number limit of citizens' declarations (TRUYVET_DECLARATIONS_PER_DOCUMENT_HOUR,
 * default 5 an hour), beside the per-address one: whoever tries birth dates for a citizen's
 * number to get a code issued tries one number many times, from as many addresses as they like.
 *
 * Counted in an express-rate-limit store, the one the per-address limits use: in this process,
 * or, with `serve --workers N`, in the primary's cluster memory store (api/cluster.ts), so the
 * workers share one count. The key is a keyed hash of the number (HMAC-SHA-256 under the
 * pseudonym key, domain-separated from pseudonyms, 128 bits): neither the number nor the
 * person's pseudonym ever sits in a process's memory or travels between processes.
 */

const DOMAIN = 'truyvet:declaration-limit:v1:';
const WINDOW_MS = 3_600_000;

export class DocumentLimit {
  private ready: Promise<void> | undefined;

  constructor(
    private readonly limit: number,
    private readonly store: Store = new MemoryStore(),
  ) {}

  /** Counts a declaration for this document number; 429 with Retry-After once the hour's count is spent. */
  async take(documentNumber: string): Promise<void> {
    this.ready ??= Promise.resolve(this.store.init?.({ windowMs: WINDOW_MS } as Options));
    await this.ready;
    const { totalHits, resetTime } = await this.store.increment(documentKey(documentNumber));
    if (totalHits <= this.limit) return;
    const seconds = resetTime === undefined ? WINDOW_MS / 1000 : Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000));
    throw new HttpError(429, 'rate_limited', 'too many declarations for this identity document; try again later', [], {}, seconds);
  }
}

export function documentKey(documentNumber: string): string {
  return createHmac('sha256', secretKey('TRUYVET_PSEUDONYM_KEY'))
    .update(DOMAIN + documentNumber, 'utf8')
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}
