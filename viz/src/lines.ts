import type { Lang } from './i18n';

/**
 * The page's two message lines (the trace status and the login error). What they say is kept as
 * a function of the language and written again on every render, so that switching the language
 * translates what is on screen (it used to stay in the old one).
 */

export type Line = 'trace-status' | 'trace-progress' | 'login-error';
export const LINES: readonly Line[] = ['trace-status', 'trace-progress', 'login-error'];

/** A message in whichever language the page is in when it is written. */
export type Text = (lang: Lang) => string;

/** The element a line is written into (an HTMLElement in the page; a plain object in the tests). */
export interface LineTarget {
  textContent: string | null;
  className: string;
}

export class Lines {
  private readonly said = new Map<Line, { text: Text; error: boolean }>();

  constructor(
    private readonly lang: () => Lang,
    private readonly target: (line: Line) => LineTarget,
  ) {}

  /** Says `text` on the line (undefined clears it); `error` marks the status line as an error. */
  say(line: Line, text: Text | undefined, error = false): void {
    if (text === undefined) this.said.delete(line);
    else this.said.set(line, { text, error });
    this.paint(line);
  }

  /** What the line says in `lang` ('' when nothing). */
  text(line: Line, lang: Lang = this.lang()): string {
    return this.said.get(line)?.text(lang) ?? '';
  }

  isError(line: Line): boolean {
    return this.said.get(line)?.error ?? false;
  }

  paint(line: Line): void {
    const el = this.target(line);
    const text = this.text(line);
    // Written only when it changes: both lines are live regions, and a rewrite may be read out again.
    if (el.textContent !== text) el.textContent = text;
    if (line === 'trace-status') el.className = this.isError(line) ? 'status error' : 'status';
  }

  paintAll(): void {
    for (const line of LINES) this.paint(line);
  }
}
