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

describe('the trace rules from the environment', () => {
  const saved = { days: process.env['TRUYVET_TRACE_MAX_DAYS'], approval: process.env['TRUYVET_TRACE_APPROVAL'] };
  const set = (name: string, v: string | undefined) => (v === undefined ? delete process.env[name] : (process.env[name] = v));
  afterEach(() => {
    set('TRUYVET_TRACE_MAX_DAYS', saved.days);
    set('TRUYVET_TRACE_APPROVAL', saved.approval);
  });

  it('allow 21 days and need no approval by default', () => {
    set('TRUYVET_TRACE_MAX_DAYS', undefined);
    set('TRUYVET_TRACE_APPROVAL', undefined);
    expect(settingsFromEnv()).toMatchObject({ traceMaxDays: 21, traceApproval: 'off' });
  });

  it('take another limit and the approval step when set, and refuse anything else', () => {
    set('TRUYVET_TRACE_MAX_DAYS', '14');
    set('TRUYVET_TRACE_APPROVAL', 'required');
    expect(settingsFromEnv()).toMatchObject({ traceMaxDays: 14, traceApproval: 'required' });
    set('TRUYVET_TRACE_APPROVAL', 'yes');
    expect(() => settingsFromEnv()).toThrow('TRUYVET_TRACE_APPROVAL=yes must be off or required');
    set('TRUYVET_TRACE_APPROVAL', undefined);
    set('TRUYVET_TRACE_MAX_DAYS', '0');
    expect(() => settingsFromEnv()).toThrow('TRUYVET_TRACE_MAX_DAYS=0');
  });
});

describe('the scan window and the per-document declaration limit from the environment', () => {
  const saved = { offline: process.env['TRUYVET_SCAN_MAX_OFFLINE'], perDoc: process.env['TRUYVET_DECLARATIONS_PER_DOCUMENT_HOUR'] };
  const set = (name: string, v: string | undefined) => (v === undefined ? delete process.env[name] : (process.env[name] = v));
  afterEach(() => {
    set('TRUYVET_SCAN_MAX_OFFLINE', saved.offline);
    set('TRUYVET_DECLARATIONS_PER_DOCUMENT_HOUR', saved.perDoc);
  });

  it('defaults to 72 hours and 5 declarations an hour, and reads durations and counts', () => {
    set('TRUYVET_SCAN_MAX_OFFLINE', undefined);
    set('TRUYVET_DECLARATIONS_PER_DOCUMENT_HOUR', undefined);
    expect(settingsFromEnv()).toMatchObject({ scanMaxOfflineMs: 72 * 3_600_000, declarationsPerDocumentHour: 5 });
    set('TRUYVET_SCAN_MAX_OFFLINE', '1d12h');
    set('TRUYVET_DECLARATIONS_PER_DOCUMENT_HOUR', '2');
    expect(settingsFromEnv()).toMatchObject({ scanMaxOfflineMs: 36 * 3_600_000, declarationsPerDocumentHour: 2 });
  });

  it('refuses what is not a duration or a count', () => {
    set('TRUYVET_SCAN_MAX_OFFLINE', 'soon');
    expect(() => settingsFromEnv()).toThrow('TRUYVET_SCAN_MAX_OFFLINE=soon must be a duration');
    set('TRUYVET_SCAN_MAX_OFFLINE', undefined);
    set('TRUYVET_DECLARATIONS_PER_DOCUMENT_HOUR', '0');
    expect(() => settingsFromEnv()).toThrow('TRUYVET_DECLARATIONS_PER_DOCUMENT_HOUR=0');
  });
});
