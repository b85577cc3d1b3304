import { randomInt } from 'node:crypto';
import { writeQuery } from '../../engine/db/driver';
import { pseudonym } from '../../engine/identity';
import { generateQrPrivateJwk, forgetQrKeys } from '../../engine/qr/keys';
import { removeRunData } from '../helpers/run-data';

/**
 * Test data for declarations and scans. Document numbers must be real-looking (a CCCD has a
 * province prefix and a birth-year digit), so they cannot carry the run id: each run draws its
 * own random serials and removes exactly those people, their declarations, scans and isolation.
 */

/** A valid CCCD for a birth year and sex, with a random 6-digit serial. */
export function randomCccd(year: number, sex: 'male' | 'female', province = '079'): string {
  const digit = (Math.floor(year / 100) - 19) * 2 + (sex === 'female' ? 1 : 0);
  return `${province}${digit}${String(year % 100).padStart(2, '0')}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
}

/** Each test process signs with its own throw-away key. */
export function useTestQrKey(): void {
  process.env['TRUYVET_QR_PRIVATE_JWK'] = JSON.stringify(generateQrPrivateJwk());
  forgetQrKeys();
}

export async function removeDeclarationData(run: string, rawNumbers: readonly string[]): Promise<void> {
  const pids = rawNumbers.map(pseudonym);
  await writeQuery('MATCH (s:Scan) WHERE s.stationId STARTS WITH $run DETACH DELETE s', { run }, () => undefined);
  await writeQuery(
    `UNWIND $pids AS pid
     OPTIONAL MATCH (d:Declaration {pid: pid})
     OPTIONAL MATCH (i:Isolation {pid: pid})
     OPTIONAL MATCH (s:Scan {pid: pid})
     DETACH DELETE d, i, s`,
    { pids },
    () => undefined,
  );
  await removeRunData(run, rawNumbers);
}
