/**
 * QR settings from the environment (docs/operations.md, "Configuration"). Read on each call so tests and a
 * long-running server see the same rules; the values are cheap to read.
 */

const DEFAULT_VALID_DAYS = 3;
const DEFAULT_SKEW_SECONDS = 300;

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${raw} is not a positive number`);
  return n;
}

/** How long a QR code is valid after it is issued: TRUYVET_QR_VALID_DAYS (default 3, as in 2021). */
export function qrValidDays(): number {
  return positiveNumber('TRUYVET_QR_VALID_DAYS', DEFAULT_VALID_DAYS);
}

/** How far a device clock may run behind the server before a code looks issued in the future (seconds). */
export function qrClockSkewSeconds(): number {
  return positiveNumber('TRUYVET_QR_CLOCK_SKEW_SECONDS', DEFAULT_SKEW_SECONDS);
}
