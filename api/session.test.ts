import { refreshedTokenSeconds } from './session';

describe('the lifetime of a refreshed token', () => {
  const login = 1_700_000_000; // epoch seconds
  const at = (secondsAfterLogin: number) => (login + secondsAfterLogin) * 1000;
  const max = 12 * 3600;

  it('is the usual lifetime while the session has longer than that to run', () => {
    expect(refreshedTokenSeconds(login, at(14 * 60), 900, max)).toBe(900);
    expect(refreshedTokenSeconds(login, at(max - 900), 900, max)).toBe(900);
  });

  it('is cut so that the token ends with the session, never after it', () => {
    expect(refreshedTokenSeconds(login, at(max - 120), 900, max)).toBe(120);
    // Part of a second counts from the token's whole-second iat.
    expect(refreshedTokenSeconds(login, at(max - 120) + 999, 900, max)).toBe(120);
  });

  it('is refused once the session has reached its maximum', () => {
    expect(refreshedTokenSeconds(login, at(max - 1), 900, max)).toBe(1);
    expect(refreshedTokenSeconds(login, at(max), 900, max)).toBeUndefined();
    expect(refreshedTokenSeconds(login, at(max + 3600), 900, max)).toBeUndefined();
  });
});
