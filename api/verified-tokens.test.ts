import { randomBytes } from 'node:crypto';
import { VerifiedTokens } from './auth';

describe('VerifiedTokens (the memo of checked local tokens)', () => {
  const key = randomBytes(32);
  const payload = (exp: number) => ({ sub: 'alice', exp, iat: exp - 900 });

  it('answers a token checked under the same key until the second of its exp', () => {
    const m = new VerifiedTokens();
    m.set('t1', key, payload(1000));
    expect(m.get('t1', key, 999_999)?.sub).toBe('alice');
    expect(m.get('t1', key, 1_000_000)).toBeUndefined();
    // An expired entry is dropped, not kept for later.
    expect(m.size).toBe(0);
  });

  it('misses for another key (a rotated secret re-checks every token)', () => {
    const m = new VerifiedTokens();
    m.set('t1', key, payload(2000));
    expect(m.get('t1', Buffer.from(key), 0)).toBeUndefined();
    expect(m.get('t1', key, 0)).toBeUndefined();
  });

  it('misses for a token never checked, and keeps nothing without exp', () => {
    const m = new VerifiedTokens();
    m.set('t1', key, { sub: 'alice' });
    expect(m.get('t1', key, 0)).toBeUndefined();
    expect(m.get('t2', key, 0)).toBeUndefined();
  });

  it('holds at most max entries, dropping the oldest', () => {
    const m = new VerifiedTokens(3);
    for (const t of ['a', 'b', 'c', 'd']) m.set(t, key, payload(5000));
    expect(m.size).toBe(3);
    expect(m.get('a', key, 0)).toBeUndefined();
    expect(m.get('d', key, 0)?.sub).toBe('alice');
  });
});
