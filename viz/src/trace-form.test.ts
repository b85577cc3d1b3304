import { ApiError } from './api';
import type { Lang } from './i18n';
import { errorMessage } from './messages';
import { samplePages, sampleTrace } from './testing/sample';
import { settle, testPage } from './testing/page';
import { newProgressId, parseTraceForm, progressText, PROGRESS_POLL_MS, runTrace, SENSITIVITY_TOLERANCES, type TraceFormValues } from './trace-form';
import type { TraceList, TracePage } from './types';

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
    let clock = 1_000;
    const running = runTrace(page, req, undefined, () => (clock += 1_600));
    expect(page.shown('trace-status')).toBe('Tracing…');
    await running;
    expect(page.store.state.trace?.people).toHaveLength(4);
    // What the tracer waited (submit to result on screen, on this clock 3.2 s), not only the engine's 12 ms.
    expect(page.shown('trace-status')).toBe('Done: 4 people; you waited 3 s (the engine took 12 ms).');
    expect(page.shown('trace-progress')).toBe('');
    expect(page.targets['trace-status'].className).toBe('status');
    await settle();
    expect(page.calls.filter((c) => !/^(timeline|stations|hotspots)/.test(c))).toEqual([`createTrace(…)`, `tracePage(${pages[0]!.id}, 2, 1000)`, 'recentTraces(10)']);
  });

  it('says why a trace failed, as an error, and clears the result shown before (it answered another request)', async () => {
    const page = testPage({ createTrace: () => Promise.reject(new ApiError(503, 'busy', 'busy', [], 7)) });
    page.store.update('trace', (s) => {
      s.trace = sampleTrace();
      s.selection = { person: s.trace.people[0]!.id };
    });
    await runTrace(page, req);
    expect(page.shown('trace-status')).toBe(errorMessage('en', new ApiError(503, 'busy', 'busy', [], 7)));
    expect(page.shown('trace-status')).toMatch(/7/);
    expect(page.targets['trace-status'].className).toBe('status error');
    expect(page.store.state.trace).toBeUndefined();
    expect(page.store.state.selection).toEqual({});
    expect(page.calls).toEqual(['createTrace(…)']);
  });

  it('says an unknown F0 in Vietnamese, not in the server’s English', async () => {
    const page = testPage({ createTrace: () => Promise.reject(new ApiError(404, 'not_found', "unknown F0 'pd56': no such person in the graph")) }, 'vi');
    page.store.update('trace', (s) => (s.trace = sampleTrace()));
    await runTrace(page, req);
    expect(page.shown('trace-status')).toBe('Không có người nào mang mã định danh F0 này trong dữ liệu: hãy kiểm tra lại mã.');
    expect(page.store.state.trace).toBeUndefined();
  });

  it('sends a progress id, shows the progress the server reports while it runs, and forgets it at the end', async () => {
    jest.useFakeTimers();
    try {
      let answer: (p: TracePage) => void = () => undefined;
      const sent: unknown[] = [];
      const page = testPage({
        createTrace: (body) => {
          sent.push(body);
          return new Promise<TracePage>((r) => (answer = r));
        },
        traceProgress: (id) => Promise.resolve({ progressId: id, phase: 'tracing', generation: 2, people: 469, contacts: 1200, pass: 1, passes: 1, toleranceSeconds: 900, elapsedMs: 5000 }),
        tracePage: (_id, n) => Promise.resolve(pages[n - 1]!),
        timeline: () => Promise.reject(new Error('none')),
        stations: () => Promise.resolve([]),
        hotspots: () => Promise.reject(new Error('none')),
        recentTraces: () => Promise.resolve({ traces: [] } as TraceList),
      });
      const ui = { running: jest.fn(), shown: jest.fn() };
      let clock = 0;
      const running = runTrace(page, req, ui, () => clock);
      const id = (sent[0] as { progressId: string }).progressId;
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(ui.running).toHaveBeenLastCalledWith(id);
      clock = 12_400;
      await jest.advanceTimersByTimeAsync(PROGRESS_POLL_MS);
      expect(page.calls).toContain(`traceProgress(${id})`);
      expect(page.shown('trace-progress')).toBe('Searching F2… 469 people found so far · 12 s');
      answer(pages[0]!);
      await jest.advanceTimersByTimeAsync(10);
      await running;
      expect(page.shown('trace-progress')).toBe('');
      expect(ui.running).toHaveBeenLastCalledWith(undefined);
      expect(ui.shown).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps the result shown before when the tracer cancelled, and says so without an error', async () => {
    const page = testPage({ createTrace: () => Promise.reject(new ApiError(499, 'cancelled', 'the trace was cancelled by its tracer')) });
    const before = sampleTrace();
    page.store.update('trace', (s) => (s.trace = before));
    await runTrace(page, req);
    expect(page.shown('trace-status')).toBe('The trace was cancelled; nothing was stored.');
    expect(page.targets['trace-status'].className).toBe('status');
    expect(page.store.state.trace).toBe(before);
  });
});

describe('the progress of a running trace', () => {
  it('says what the server does and how long the tracer has waited', () => {
    const p = { progressId: 'x', phase: 'tracing', generation: 2, people: 12345, contacts: 9, pass: 1, passes: 1, toleranceSeconds: 900, elapsedMs: 0 } as const;
    expect(progressText(undefined, 400)('en')).toBe('Request sent · 0 s');
    expect(progressText({ ...p, phase: 'queued' }, 3_600)('vi')).toBe('Đang chờ đến lượt (máy chủ đang chạy các truy vết khác) · 4 giây');
    expect(progressText(p, 38_000)('vi')).toBe('Đang tìm F2… đã thấy 12.345 người · 38 giây');
    expect(progressText({ ...p, pass: 3, passes: 4, toleranceSeconds: 1800 }, 1_000)('en')).toBe('Searching F2… 12,345 people found so far · 1 s (sensitivity: pass 3/4, tolerance 30 min)');
    expect(progressText({ ...p, phase: 'storing' }, 1_000)('en')).toBe('Search done, storing the result · 1 s');
  });

  it('makes version-4 UUIDs from random bytes', () => {
    expect(newProgressId((b) => b.fill(0xff))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    expect(newProgressId()).not.toBe(newProgressId());
  });
});
