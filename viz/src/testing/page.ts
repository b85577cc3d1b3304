import type { Lang } from '../i18n';
import { type Line, type LineTarget, Lines } from '../lines';
import type { Page, PageApi } from '../page';
import { Store } from '../store';

/**
 * A Page for the unit tests: a real store and real message lines written into plain objects, and
 * a stand-in API client that answers only the calls a test gives it (any other call fails the test).
 * It records the calls made, in order.
 */

export interface TestPage extends Page {
  readonly calls: string[];
  readonly targets: Record<Line, LineTarget>;
  /** What a line shows now. */
  shown(line: Line): string;
}

export function testPage(answers: Partial<PageApi> = {}, lang: Lang = 'en'): TestPage {
  const calls: string[] = [];
  const store = new Store();
  store.state.lang = lang;
  const targets: Record<Line, LineTarget> = {
    'trace-status': { textContent: '', className: '' },
    'trace-progress': { textContent: '', className: '' },
    'login-error': { textContent: '', className: '' },
  };
  const lines = new Lines(
    () => store.state.lang,
    (line) => targets[line],
  );
  const api = new Proxy({} as PageApi, {
    get(_, name: string) {
      return (...args: unknown[]) => {
        calls.push(`${name}(${args.map((a) => (typeof a === 'string' || typeof a === 'number' ? String(a) : '…')).join(', ')})`);
        const answer = (answers as Record<string, ((...a: unknown[]) => unknown) | undefined>)[name];
        if (!answer) throw new Error(`the test did not expect api.${name}`);
        return answer(...args);
      };
    },
  });
  return { api, store, lines, calls, targets, shown: (line) => targets[line].textContent ?? '' };
}

/** Lets pending promise callbacks run. */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
