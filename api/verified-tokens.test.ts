import { randomBytes } from 'node:crypto';
import type { Account } from '../engine/accounts/accounts';
import { RecentAccounts, VerifiedTokens } from './auth';

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

describe('RecentAccounts (last account reads, for routes that check the account again in their transaction)', () => {
  const account = (username: string, over: Partial<Account> = {}): Account => ({ username, role: 'officer', disabled: false, tokenVersion: 0, createdAt: 0, updatedAt: 0, ...over });

  it('answers the last read until it is older than maxAge, and forgets an account read as absent', () => {
    const r = new RecentAccounts(10, 60_000);
    r.set('a', account('a'), 1000);
    expect(r.get('a', 61_000)?.username).toBe('a');
    expect(r.get('a', 61_001)).toBeUndefined();
    r.set('b', account('b'), 0);
    r.set('b', undefined, 10);
    expect(r.get('b', 10)).toBeUndefined();
  });

  it('misses for a clock that went back, and keeps the newest read', () => {
    const r = new RecentAccounts();
    r.set('a', account('a', { tokenVersion: 1 }), 5000);
    r.set('a', account('a', { tokenVersion: 2 }), 6000);
    expect(r.get('a', 6000)?.tokenVersion).toBe(2);
    expect(r.get('a', 5999)).toBeUndefined();
  });

  it('holds at most max accounts, dropping the oldest', () => {
    const r = new RecentAccounts(2);
    for (const u of ['a', 'b', 'c']) r.set(u, account(u), 0);
    expect(r.get('a', 0)).toBeUndefined();
    expect(r.get('c', 0)?.username).toBe('c');
  });
});
