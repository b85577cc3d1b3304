import { formatJurisdiction, isRole, jurisdictionProblem, parseJurisdiction } from './roles';
import { hashPassword, passwordProblem, verifyPassword, generatePassword } from './passwords';

describe('roles and jurisdictions', () => {
  it('knows the five roles', () => {
    expect(['admin', 'tracer', 'officer', 'importer', 'auditor'].every(isRole)).toBe(true);
    expect(isRole('root')).toBe(false);
  });

  it('reads and writes jurisdiction paths, 2021 and 2025 shapes', () => {
    expect(parseJurisdiction('79/760/26734')).toEqual({ province: '79', district: '760', commune: '26734' });
    expect(parseJurisdiction('79//26734')).toEqual({ province: '79', commune: '26734' });
    expect(parseJurisdiction('*')).toBeUndefined();
    expect(formatJurisdiction({ province: '79', commune: '26734' })).toBe('79//26734');
    expect(formatJurisdiction(undefined)).toBe('*');
    expect(() => parseJurisdiction('79/HCM')).toThrow(/administrative code/);
    expect(jurisdictionProblem({ province: "79' OR 1=1" })).toMatch(/not an administrative code/);
  });
});

describe('passwords', () => {
  it('verifies the right password and refuses a wrong one, with a salt per hash', async () => {
    const a = await hashPassword('correct horse 42', 10);
    const b = await hashPassword('correct horse 42', 10);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$10\$8\$1\$/);
    expect(await verifyPassword('correct horse 42', a)).toBe(true);
    expect(await verifyPassword('correct horse 43', a)).toBe(false);
    expect(await verifyPassword('anything', '')).toBe(false);
    expect(await verifyPassword('anything', 'scrypt$99$8$1$x$y')).toBe(false);
  });

  it('refuses short and single-kind passwords, accepts generated ones', () => {
    expect(passwordProblem('short1')).toMatch(/12/);
    expect(passwordProblem('onlylettersherepls')).toMatch(/mix/);
    expect(passwordProblem('123456789012345')).toMatch(/mix/);
    expect(passwordProblem(generatePassword())).toBeUndefined();
  });
});
