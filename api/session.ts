/**
 * How long a session lasts. A login opens it with an access token and a refresh token;
 * POST /api/auth/refresh trades the refresh token for a new pair whose access token carries the
 * same login time (`auth_time`), so a tracer at work is not sent back to the login form every
 * token lifetime, yet no session outlives `sessionMaxSeconds` from its login: a stolen token
 * cannot be kept alive for ever (engine/accounts/refresh-tokens.ts rotates the refresh tokens and
 * ends the session when one is used twice). Pure: the caller passes the clock.
 */

/**
 * The lifetime (seconds) of a token refreshed at `now` (epoch ms) in a session that began at
 * `authTime` (epoch seconds): the usual lifetime, cut so that it ends with the session at the
 * latest; undefined once the session has reached its maximum.
 */
export function refreshedTokenSeconds(authTime: number, now: number, tokenSeconds: number, sessionMaxSeconds: number): number | undefined {
  // The new token's iat, as issueToken sets it: its exp is iat + the answer.
  const iat = Math.floor(now / 1000);
  const left = authTime + sessionMaxSeconds - iat;
  return left > 0 ? Math.min(tokenSeconds, left) : undefined;
}
