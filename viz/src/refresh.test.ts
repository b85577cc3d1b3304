import { decide, REFRESH_LEAD_MS, refreshAt, RETRY_MS, tokenTimes, wasActive } from './refresh';

describe('when the view refreshes its token', () => {
  const sent = 1_000_000;
  const token = tokenTimes(sent, 900);
  const MIN = 60_000;

  it('counts the lifetime from when the request was sent (never later than the server)', () => {
    expect(token).toEqual({ since: sent, expiresAt: sent + 900_000 });
  });

  it('is due two minutes before the expiry, or halfway through a short token', () => {
    expect(refreshAt(token)).toBe(sent + 13 * MIN);
    expect(REFRESH_LEAD_MS).toBe(2 * MIN);
    expect(refreshAt(tokenTimes(sent, 60))).toBe(sent + 30_000);
  });

  it('waits before it is due, even for an active tracer', () => {
    expect(decide({ token, lastActivity: sent + MIN }, sent + 13 * MIN - 1)).toBe('wait');
  });

  it('refreshes once due when the tracer has been active since the token came', () => {
    expect(decide({ token, lastActivity: sent + MIN }, sent + 13 * MIN)).toBe('refresh');
    // Activity during the lead time counts as well: the refresh then goes at once.
    expect(decide({ token, lastActivity: sent + 14 * MIN }, sent + 14 * MIN)).toBe('refresh');
  });

  it('lets the token of an idle page run out (an unattended screen asks to log in again)', () => {
    expect(decide({ token }, sent + 13 * MIN)).toBe('wait');
    expect(decide({ token }, sent + 15 * MIN)).toBe('expired');
    // Activity from before the token (the login's own click) does not count.
    expect(wasActive({ token, lastActivity: sent - 1 })).toBe(false);
    expect(wasActive({ token, lastActivity: sent })).toBe(false);
    expect(decide({ token, lastActivity: sent - 1 }, sent + 14 * MIN)).toBe('wait');
  });

  it('says expired at the expiry whatever else is going on', () => {
    expect(decide({ token, lastActivity: sent + 14 * MIN, inFlight: true }, sent + 15 * MIN)).toBe('expired');
  });

  it('does not start a second refresh while one is on its way', () => {
    expect(decide({ token, lastActivity: sent + MIN, inFlight: true }, sent + 14 * MIN)).toBe('wait');
  });

  it('tries again after a failed refresh only once RETRY_MS has passed', () => {
    const failedAt = sent + 13 * MIN;
    const s = { token, lastActivity: sent + MIN, lastFailure: failedAt };
    expect(decide(s, failedAt + RETRY_MS - 1)).toBe('wait');
    expect(decide(s, failedAt + RETRY_MS)).toBe('refresh');
  });
});
