import { ApiError, type TraceRequest } from './api';
import { byId } from './dom';
import { t } from './i18n';
import type { Text } from './lines';
import { errorMessage } from './messages';
import type { Page } from './page';
import { loadRecent } from './recent';
import { fromLocalInput } from './time';
import { forgetTrace, openResult } from './trace-load';
import type { TraceProgress } from './types';

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
  /** Close contacts only (issue 25): sent as `closeOnly: true`. */
  readonly closeOnly?: boolean;
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
  return {
    f0,
    from,
    to,
    ...(until ? { until } : {}),
    depth,
    tolerance,
    mode,
    requestRef,
    purpose,
    ...(sensitivity.length > 0 ? { sensitivity } : {}),
    ...(v.closeOnly === true ? { closeOnly: true } : {}),
  };
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
    closeOnly: byId<HTMLInputElement>('close-only').checked,
  };
}

/** A random UUID (v4) for the trace's progress: crypto.randomUUID exists only on https or localhost, getRandomValues everywhere. */
export function newProgressId(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const b = random(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whole seconds the tracer has waited, from the submit. */
export function waitedSeconds(ms: number): number {
  return Math.max(0, Math.round(ms / 1000));
}

/** The progress line while a trace runs: its phase, the generation searched, the people so far, the time waited. */
export function progressText(p: TraceProgress | undefined, waitedMs: number): Text {
  const seconds = waitedSeconds(waitedMs);
  return (l) => {
    if (!p) return t(l, 'progress.sent', { seconds });
    if (p.phase === 'queued') return t(l, 'progress.queued', { seconds });
    if (p.phase === 'storing') return t(l, 'progress.storing', { seconds });
    const pass = p.passes > 1 && p.pass > 1 ? ' ' + t(l, 'progress.pass', { pass: p.pass, passes: p.passes, minutes: Math.round(p.toleranceSeconds / 60) }) : '';
    return t(l, 'progress.tracing', { generation: p.generation, people: p.people.toLocaleString(l === 'vi' ? 'vi-VN' : 'en-GB'), seconds }) + pass;
  };
}

/** What the page does around a running trace besides the message lines (the DOM; nothing in the unit tests). */
export interface RunUi {
  /** A trace starts (its progress id) or ends (undefined): the cancel button shows or hides. */
  readonly running: (progressId: string | undefined) => void;
  /** A result is on screen: bring it into view and put the focus on it. */
  readonly shown: () => void;
}

const NO_UI: RunUi = { running: () => undefined, shown: () => undefined };

/** How often the progress is asked for while a trace runs (ms). */
export const PROGRESS_POLL_MS = 700;

/**
 * Sends the trace, waits for every page of its result and shows it; the status line tells how it
 * goes, the progress line how far the server has come (asked every PROGRESS_POLL_MS), and at the
 * end how long the tracer waited in all, beside the engine's own time. A trace that fails clears
 * the result shown before (it answered another request); a cancelled one leaves it.
 */
export async function runTrace(page: Page, req: TraceRequest, ui: RunUi = NO_UI, now: () => number = Date.now): Promise<void> {
  const say = (text: Text, error = false) => page.lines.say('trace-status', text, error);
  const started = now();
  const progressId = newProgressId();
  let progress: TraceProgress | undefined;
  let ended = false;
  const showProgress = () => {
    if (!ended) page.lines.say('trace-progress', progressText(progress, now() - started));
  };
  say((l) => t(l, 'form.running'));
  showProgress();
  ui.running(progressId);
  const timer = setInterval(() => {
    page.api.traceProgress(progressId).then(
      (p) => {
        progress = p;
        showProgress();
      },
      // Not running yet, or over already (404), or the network: the next poll or the answer says more.
      () => showProgress(),
    );
  }, PROGRESS_POLL_MS);
  try {
    const first = await page.api.createTrace({ ...req, progressId });
    clearInterval(timer);
    if (!('page' in first)) {
      // TRUYVET_TRACE_APPROVAL=required: stored for an approver, nothing traced yet.
      say((l) => t(l, 'form.pending', { ref: first.requestRef, id: first.id }));
      return;
    }
    await openResult(page, first);
    const seconds = waitedSeconds(now() - started);
    say((l) => t(l, 'form.done', { people: first.page.totalPeople, seconds, ms: first.stats.milliseconds }));
    ui.shown();
    void loadRecent(page);
  } catch (err) {
    const cancelled = err instanceof ApiError && err.code === 'cancelled';
    // A failed trace leaves nothing of the one shown before: its numbers answered another request.
    if (!cancelled) page.store.update('trace', forgetTrace);
    say((l) => errorMessage(l, err, 'trace'), !cancelled);
  } finally {
    ended = true;
    clearInterval(timer);
    page.lines.say('trace-progress', undefined);
    ui.running(undefined);
  }
}

/** Asks the server to stop the running trace; its answer (499) ends runTrace. */
export async function cancelTrace(page: Page, progressId: string): Promise<void> {
  page.lines.say('trace-progress', (l) => t(l, 'progress.cancelling'));
  try {
    await page.api.cancelTrace(progressId);
  } catch (err) {
    // Too late (being stored) or over already: the trace's own answer follows.
    page.lines.say('trace-status', (l) => errorMessage(l, err, 'trace'), true);
  }
}

/** The DOM around a running trace: the cancel button, and the result scrolled to and focused. */
function domUi(): RunUi {
  return {
    running: (progressId) => {
      const cancel = byId<HTMLButtonElement>('cancel-trace');
      const wasFocused = document.activeElement === cancel;
      cancel.hidden = progressId === undefined;
      cancel.removeAttribute('aria-disabled');
      if (progressId === undefined) delete cancel.dataset['progress'];
      else cancel.dataset['progress'] = progressId;
      // The button goes away under the focus: back to the form's own button.
      if (wasFocused && progressId === undefined) byId('run-trace').focus();
    },
    shown: () => {
      const card = byId('summary-card');
      card.scrollIntoView({ block: 'start', behavior: 'auto' });
      byId('summary-title').focus({ preventScroll: true });
    },
  };
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
  const hadFocus = document.activeElement;
  button.disabled = true;
  // Enter in a field leaves the focus there; a click on the disabled button would drop it to <body>.
  if (hadFocus === button || hadFocus === document.body) byId('trace-status').focus({ preventScroll: true });
  try {
    await runTrace(page, req, domUi());
  } finally {
    button.disabled = false;
  }
}

export function wireTraceForm(page: Page): void {
  byId('trace-form').addEventListener('submit', (e) => void submit(page, e));
  const cancel = byId<HTMLButtonElement>('cancel-trace');
  cancel.addEventListener('click', () => {
    const id = cancel.dataset['progress'];
    // Not `disabled`: a disabled button drops the focus to <body>.
    if (id === undefined || cancel.getAttribute('aria-disabled') === 'true') return;
    cancel.setAttribute('aria-disabled', 'true');
    void cancelTrace(page, id);
  });
}
