import { settingsFromEnv } from './settings';

describe("the session's maximum from the environment", () => {
  const saved = { max: process.env['TRUYVET_SESSION_MAX_HOURS'], token: process.env['TRUYVET_TOKEN_MINUTES'] };
  const set = (name: string, v: string | undefined) => (v === undefined ? delete process.env[name] : (process.env[name] = v));
  afterEach(() => {
    set('TRUYVET_SESSION_MAX_HOURS', saved.max);
    set('TRUYVET_TOKEN_MINUTES', saved.token);
  });

  it('is 12 hours by default, and whole hours when set', () => {
    set('TRUYVET_SESSION_MAX_HOURS', undefined);
    expect(settingsFromEnv().sessionMaxSeconds).toBe(12 * 3600);
    set('TRUYVET_SESSION_MAX_HOURS', '2');
    expect(settingsFromEnv().sessionMaxSeconds).toBe(2 * 3600);
  });

  it('refuses a value that is not a whole number of hours, and one shorter than a token', () => {
    set('TRUYVET_SESSION_MAX_HOURS', '1.5');
    expect(() => settingsFromEnv()).toThrow('TRUYVET_SESSION_MAX_HOURS=1.5 must be a whole number from 1 to 720');
    set('TRUYVET_SESSION_MAX_HOURS', '1');
    set('TRUYVET_TOKEN_MINUTES', '90');
    expect(() => settingsFromEnv()).toThrow('TRUYVET_SESSION_MAX_HOURS=1 is shorter than TRUYVET_TOKEN_MINUTES=90');
  });
});
