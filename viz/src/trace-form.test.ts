import { ApiError } from './api';
import type { Lang } from './i18n';
import { errorMessage } from './messages';
import { samplePages, sampleTrace } from './testing/sample';
import { settle, testPage } from './testing/page';
import { parseTraceForm, runTrace, SENSITIVITY_TOLERANCES, type TraceFormValues } from './trace-form';
import type { TraceList } from './types';

const filled: TraceFormValues = {
  f0: ' 079090005444 ',
  from: '2021-08-01T00:00',
  to: '2021-08-03T00:00',
  until: '',
  depth: '2',
  tolerance: '15',
  mode: 'time-respecting',
  requestRef: '123/SYT-NVY',
  purpose: 'ca F0 quận 5',
  withSensitivity: false,
};

/** The message for a refused form, in English. */
function refusal(v: Partial<TraceFormValues>, lang: Lang = 'en'): string {
  const r = parseTraceForm({ ...filled, ...v });
  if (typeof r !== 'function') throw new Error(`accepted: ${JSON.stringify(r)}`);
  return r(lang);
}

describe('reading the trace form', () => {
  it('turns the fields into the request: trimmed, times in Ho Chi Minh City, tolerance in seconds', () => {
    expect(parseTraceForm(filled)).toEqual({
      f0: '079090005444',
      from: '2021-08-01T00:00:00+07:00',
      to: '2021-08-03T00:00:00+07:00',
      depth: 2,
      tolerance: 900,
      mode: 'time-respecting',
      requestRef: '123/SYT-NVY',
      purpose: 'ca F0 quận 5',
    });
  });

  it('adds the horizon and the naive mode when asked', () => {
    expect(parseTraceForm({ ...filled, until: '2021-08-05T12:30', mode: 'naive', tolerance: '0.5' })).toMatchObject({ until: '2021-08-05T12:30:00+07:00', mode: 'naive', tolerance: 30 });
  });

  it('asks for the sensitivity tolerances other than the trace’s own', () => {
    expect(parseTraceForm({ ...filled, withSensitivity: true })).toMatchObject({ sensitivity: SENSITIVITY_TOLERANCES.filter((s) => s !== 900) });
    expect(parseTraceForm({ ...filled, withSensitivity: true, tolerance: '7' })).toMatchObject({ sensitivity: SENSITIVITY_TOLERANCES });
  });

  it('refuses a missing F0 or period, and a period that ends before it starts', () => {
    expect(refusal({ f0: '  ' })).toBe("Enter the case's person key.");
    expect(refusal({ from: '' })).toBe('Enter the infectious period (date and time).');
    expect(refusal({ to: '2021-02-30T00:00' })).toBe('Enter the infectious period (date and time).');
    expect(refusal({ until: 'tomorrow' })).toBe('Enter the infectious period (date and time).');
    expect(refusal({ from: '2021-08-03T00:01' })).toBe('The start must be before the end.');
    expect(parseTraceForm({ ...filled, from: filled.to })).toMatchObject({ from: '2021-08-03T00:00:00+07:00' });
  });

  it('refuses a depth outside 1…5 or not whole, and a tolerance outside 0…1440 minutes', () => {
    for (const depth of ['0', '6', '2.5', '', 'two']) expect(refusal({ depth })).toMatch(/^Depth/);
    for (const depth of ['1', '5']) expect(parseTraceForm({ ...filled, depth })).toMatchObject({ depth: Number(depth) });
    for (const tolerance of ['-1', '1441', 'x']) expect(refusal({ tolerance })).toMatch(/^Tolerance/);
    expect(parseTraceForm({ ...filled, tolerance: '1440' })).toMatchObject({ tolerance: 86_400 });
  });

  it('asks for a request reference and a purpose of at least 3 characters, in the language of the page', () => {
    expect(refusal({ requestRef: ' 12 ' })).toBe('Enter the request reference and the purpose (at least 3 characters).');
    expect(refusal({ purpose: 'ab' }, 'vi')).toBe('Nhập số văn bản yêu cầu và mục đích (ít nhất 3 ký tự).');
  });
});

describe('running a trace', () => {
  const req = parseTraceForm(filled);
  if (typeof req === 'function') throw new Error('the sample form is refused');
  const pages = samplePages(2);

  it('sends the request, loads every page of the result, shows it and says how many people', async () => {
    const page = testPage({
      createTrace: () => Promise.resolve(pages[0]!),
      tracePage: (_id, n) => Promise.resolve(pages[n - 1]!),
      timeline: () => Promise.reject(new Error('none')),
      stations: () => Promise.resolve([]),
      hotspots: () => Promise.reject(new Error('none')),
      recentTraces: () => Promise.resolve({ traces: [] } as TraceList),
    });
    const running = runTrace(page, req);
    expect(page.shown('trace-status')).toBe('Tracing…');
    await running;
    expect(page.store.state.trace?.people).toHaveLength(4);
    expect(page.shown('trace-status')).toBe('Done: 4 people, 12 ms.');
    expect(page.targets['trace-status'].className).toBe('status');
    await settle();
    expect(page.calls.filter((c) => !/^(timeline|stations|hotspots)/.test(c))).toEqual([`createTrace(…)`, `tracePage(${pages[0]!.id}, 2, 1000)`, 'recentTraces(10)']);
  });

  it('says why a trace failed, as an error, and keeps the trace shown before', async () => {
    const page = testPage({ createTrace: () => Promise.reject(new ApiError(503, 'busy', 'busy', [], 7)) });
    const before = sampleTrace();
    page.store.update('trace', (s) => (s.trace = before));
    await runTrace(page, req);
    expect(page.shown('trace-status')).toBe(errorMessage('en', new ApiError(503, 'busy', 'busy', [], 7)));
    expect(page.shown('trace-status')).toMatch(/7/);
    expect(page.targets['trace-status'].className).toBe('status error');
    expect(page.store.state.trace).toBe(before);
    expect(page.calls).toEqual(['createTrace(…)']);
  });
});
