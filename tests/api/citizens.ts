import { randomCccd } from '../declarations/helpers';

/**
 * Citizens for the declaration and scan API tests. Document numbers are random valid CCCDs (the
 * form checks their province prefix and century/sex digit), so they cannot carry the run id:
 * each test keeps the numbers it used and removes exactly those (removeDeclarationData).
 */

export interface Citizen {
  readonly number: string;
  readonly fullName: string;
  readonly birthDate: string;
}

export function citizen(fullName: string, year: number, sex: 'male' | 'female' = 'male'): Citizen & { sex: 'male' | 'female' } {
  return { number: randomCccd(year, sex), fullName, birthDate: `${year}-05-06`, sex };
}

/** The registry row of a citizen (people.csv's shape). */
export function registryRow(c: Citizen & { sex: 'male' | 'female' }) {
  return { personId: c.number, fullName: c.fullName, birthDate: c.birthDate, sex: c.sex === 'male' ? 'M' : 'F', phone: '0901234567', province: '79', district: '760', commune: '26734' };
}

/** A unified declaration as a citizen's phone would send it (JSON). */
export function declarationJson(c: Citizen & { sex: 'male' | 'female' }, declaredAt: number, sourceRef: string, over: Record<string, unknown> = {}): Record<string, unknown> {
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
    declaredAt: new Date(declaredAt).toISOString(),
    ...over,
  };
}

export interface ReceiptBody {
  declarationId: string;
  status: string;
  qr: { token: string; issuedAt: string; validUntil: string; svg: string; png: string; revoke: string };
  duplicate: boolean;
}
