import type { TraceRequest } from './api';
import { byId } from './dom';
import { t } from './i18n';
import type { Text } from './lines';
import { errorMessage } from './messages';
import type { Page } from './page';
import { loadRecent } from './recent';
import { fromLocalInput } from './time';
import { openResult } from './trace-load';

/** The trace form: its fields read and checked into a request, sent, and the result opened. */

/** The sensitivity panel's tolerances (seconds): the engine runs one more trace for each. */
export const SENSITIVITY_TOLERANCES = [300, 900, 1800, 3600];

/** The form's fields as typed (times as the datetime-local inputs give them, in Ho Chi Minh City time). */
export interface TraceFormValues {
  readonly f0: string;
  readonly from: string;
  readonly to: string;
  readonly until: string;
  readonly depth: string;
  /** Minutes. */
  readonly tolerance: string;
  readonly mode: string;
  readonly requestRef: string;
  readonly purpose: string;
  readonly withSensitivity: boolean;
}

/** The request the form asks for, or what is wrong with it (the first problem, top to bottom). */
export function parseTraceForm(v: TraceFormValues): TraceRequest | Text {
  const f0 = v.f0.trim();
  if (f0 === '') return (l) => t(l, 'form.needF0');
  const from = fromLocalInput(v.from.trim());
  const to = fromLocalInput(v.to.trim());
  if (!from || !to) return (l) => t(l, 'form.needPeriod');
  if (Date.parse(from) > Date.parse(to)) return (l) => t(l, 'form.periodOrder');
  const untilText = v.until.trim();
  const until = untilText === '' ? undefined : fromLocalInput(untilText);
  if (untilText !== '' && !until) return (l) => t(l, 'form.needPeriod');
  const depth = Number(v.depth.trim());
  const minutes = Number(v.tolerance.trim());
  if (!Number.isInteger(depth) || depth < 1 || depth > 5) return (l) => t(l, 'form.badDepth');
  if (!Number.isFinite(minutes) || minutes < 0 || minutes > 1440) return (l) => t(l, 'form.badTolerance');
  const requestRef = v.requestRef.trim();
  const purpose = v.purpose.trim();
  if (requestRef.length < 3 || purpose.length < 3) return (l) => t(l, 'form.needRef');
  const mode = v.mode === 'naive' ? 'naive' : 'time-respecting';
  const tolerance = Math.round(minutes * 60);
  const sensitivity = v.withSensitivity ? SENSITIVITY_TOLERANCES.filter((s) => s !== tolerance) : [];
  return { f0, from, to, ...(until ? { until } : {}), depth, tolerance, mode, requestRef, purpose, ...(sensitivity.length > 0 ? { sensitivity } : {}) };
}

function readTraceForm(): TraceFormValues {
  const value = (id: string) => byId<HTMLInputElement>(id).value;
  return {
    f0: value('f0'),
    from: value('from'),
    to: value('to'),
    until: value('until'),
    depth: value('depth'),
    tolerance: value('tolerance'),
    mode: byId<HTMLSelectElement>('mode').value,
    requestRef: value('requestRef'),
    purpose: value('purpose'),
    withSensitivity: byId<HTMLInputElement>('with-sensitivity').checked,
  };
}

/** Sends the trace, waits for every page of its result and shows it; the status line tells how it goes. */
export async function runTrace(page: Page, req: TraceRequest): Promise<void> {
  const say = (text: Text, error = false) => page.lines.say('trace-status', text, error);
  say((l) => t(l, 'form.running'));
  try {
    const first = await page.api.createTrace(req);
    if (!('page' in first)) {
      // TRUYVET_TRACE_APPROVAL=required: stored for an approver, nothing traced yet.
      say((l) => t(l, 'form.pending', { ref: first.requestRef, id: first.id }));
      return;
    }
    await openResult(page, first);
    say((l) => t(l, 'form.done', { people: first.page.totalPeople, ms: first.stats.milliseconds }));
    void loadRecent(page);
  } catch (err) {
    say((l) => errorMessage(l, err), true);
  }
}

async function submit(page: Page, e: Event): Promise<void> {
  e.preventDefault();
  const req = parseTraceForm(readTraceForm());
  if (typeof req === 'function') {
    page.lines.say('trace-status', req, true);
    return;
  }
  // One trace at a time from this page.
  const button = byId<HTMLButtonElement>('run-trace');
  button.disabled = true;
  try {
    await runTrace(page, req);
  } finally {
    button.disabled = false;
  }
}

export function wireTraceForm(page: Page): void {
  byId('trace-form').addEventListener('submit', (e) => void submit(page, e));
}
