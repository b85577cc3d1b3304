import { randomInt } from 'node:crypto';
import { createAccount } from '../../engine/accounts/accounts';
import type { Role } from '../../engine/accounts/roles';
import { derivedPassageId, type PassageWrite } from '../../engine/db/passages';
import type { RegistryRecord } from '../../engine/db/people';
import { validateDeclaration, type UnifiedDeclaration } from '../../engine/declarations/form';
import { pseudonym, seal } from '../../engine/identity';
import { forgetQrKeys, generateQrPrivateJwk } from '../../engine/qr/keys';
import type { Jurisdiction, Station } from '../../engine/types';
import './cheap-hashes';

/**
 * The one set of test data builders: a station, a passage, a registry row, a citizen and the
 * declaration their phone sends, an account. Each gives a plain, valid value with defaults in
 * Ho Chi Minh City (79 / 760 / 26734); a test names only what its case is about. Ids carry the
 * run id where the data allows it (tests/helpers/cleanup.ts finds the data by it).
 */

// ---- Stations and passages -------------------------------------------------------------------

export const HCMC_TZ = 'Asia/Ho_Chi_Minh';

export function station(id: string, over: Partial<Station> = {}): Station {
  return { id, name: `Chốt ${id}`, province: '79', district: '760', commune: '26734', lat: 10.77, lon: 106.7, tz: HCMC_TZ, kind: 'checkpoint', ...over };
}

/** A stations file of `n` stations `{prefix}S1…Sn` in Ho Chi Minh City's zone (or the zone given for station i). */
export function stationsCsv(prefix: string, n: number, zones: Readonly<Record<number, string>> = {}): string {
  const rows = ['station_id,name,province,district,commune,lat,lon,tz,kind'];
  for (let i = 1; i <= n; i++) {
    const s = station(`${prefix}S${i}`, { name: `Chốt ${i}`, tz: zones[i] ?? HCMC_TZ });
    rows.push([s.id, s.name, s.province, s.district, s.commune, s.lat.toFixed(2), s.lon.toFixed(2), s.tz, s.kind].join(','));
  }
  return `${rows.join('\n')}\n`;
}

/** A passage of the person with this raw key, as an import writes it (its id derived from its content unless given). */
export function passage(rawKey: string, stationId: string, at: number, leftAt = at, over: Partial<PassageWrite> = {}): PassageWrite {
  const personId = pseudonym(rawKey);
  return { id: derivedPassageId(personId, stationId, at, leftAt), personId, personRef: seal(rawKey), stationId, at, leftAt, source: 'test', ...over };
}

// ---- People ----------------------------------------------------------------------------------

/** A registry row (people.csv's shape) for this raw person key. */
export function registryRow(personId: string, over: Partial<RegistryRecord> = {}): RegistryRecord {
  return { personId, fullName: 'Nguyễn Thị Ánh', birthDate: '1990-04-30', sex: 'F', phone: '0901234567', province: '79', district: '760', commune: '26734', ...over };
}

/**
 * Citizens for declarations and scans. Document numbers are random valid CCCDs (the form checks
 * their province prefix and century/sex digit), so they cannot carry the run id: each test keeps
 * the numbers it used and removes exactly those (removeRun's `people`).
 */
export interface Citizen {
  readonly number: string;
  readonly fullName: string;
  readonly birthDate: string;
  readonly sex: 'male' | 'female';
}

/** A valid CCCD for a birth year and sex, with a random 6-digit serial. */
export function randomCccd(year: number, sex: 'male' | 'female', province = '079'): string {
  const digit = (Math.floor(year / 100) - 19) * 2 + (sex === 'female' ? 1 : 0);
  return `${province}${digit}${String(year % 100).padStart(2, '0')}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
}

export function citizen(fullName: string, year: number, sex: 'male' | 'female' = 'male'): Citizen {
  return { number: randomCccd(year, sex), fullName, birthDate: `${year}-05-06`, sex };
}

/** The registry row of a citizen. */
export function citizenRow(c: Citizen): RegistryRecord {
  return registryRow(c.number, { fullName: c.fullName, birthDate: c.birthDate, sex: c.sex === 'male' ? 'M' : 'F' });
}

/** A unified declaration as a citizen's phone would send it (JSON); `declaredAt` as epoch ms or as written. */
export function declarationJson(c: Citizen, declaredAt: number | string, sourceRef: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    document: { type: 'CCCD', number: c.number },
    fullName: c.fullName,
    birthDate: c.birthDate,
    sex: c.sex,
    phone: '0901234567',
    address: { province: '79', district: '760', commune: '26734' },
    symptoms: [],
    exposure: { visitedAffectedArea: false, contactWithCase: false, contactWithSymptomatic: false, contactWithTraveller: false },
    platform: 'truyvet',
    sourceRef,
    declaredAt: typeof declaredAt === 'string' ? declaredAt : new Date(declaredAt).toISOString(),
    ...over,
  };
}

/** A declaration through the form's validation, as the engine takes it; throws on a form issue. */
export function validDeclaration(input: Record<string, unknown>): UnifiedDeclaration {
  const v = validateDeclaration(input);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.value;
}

export interface ReceiptBody {
  declarationId: string;
  status: string;
  qr: { token: string; issuedAt: string; validUntil: string; svg: string; png: string; revoke: string };
  duplicate: boolean;
}

/** Each test process signs QR codes with its own throw-away key. */
export function useTestQrKey(): void {
  process.env['TRUYVET_QR_PRIVATE_JWK'] = JSON.stringify(generateQrPrivateJwk());
  forgetQrKeys();
}

// ---- Accounts --------------------------------------------------------------------------------

export const PASSWORD = 'correct horse 42 battery';

/** The account `<run>-<name>` with PASSWORD. */
export async function makeAccount(run: string, name: string, role: Role, jurisdiction?: Jurisdiction): Promise<{ username: string; password: string }> {
  const username = `${run}-${name}`;
  await createAccount({ username, password: PASSWORD, role, jurisdiction }, Date.now());
  return { username, password: PASSWORD };
}

/** A province code of the run's own (digits, as the schema requires): nothing else lives there. */
export function runProvince(): string {
  return `9${String(Math.floor(Math.random() * 100_000)).padStart(5, '0')}`;
}
