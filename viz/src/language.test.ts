import { t } from './i18n';
import { setLang } from './language';
import { testPage } from './testing/page';

describe('switching the language', () => {
  it('changes the state once, and everything said before reads in the new language at the next render', () => {
    const page = testPage({}, 'vi');
    const changes: string[] = [];
    // The page renders after every change (main.ts); the lines are part of that render.
    page.store.subscribe((c) => {
      changes.push(c);
      page.lines.paintAll();
    });
    page.lines.say('trace-status', (l) => t(l, 'form.done', { people: 3, seconds: 2, ms: 12 }));
    expect(page.shown('trace-status')).toBe('Xong: 3 người; đã chờ 2 giây (máy chủ truy vết 12 ms).');
    setLang(page.store, 'en');
    expect(changes).toEqual(['lang']);
    expect(page.store.state.lang).toBe('en');
    expect(page.shown('trace-status')).toBe('Done: 3 people; you waited 2 s (the engine took 12 ms).');
  });

  it('keeps the trace and the selection', () => {
    const page = testPage({}, 'vi');
    page.store.update('selection', (s) => (s.selection = { station: 'ST1' }));
    setLang(page.store, 'en');
    setLang(page.store, 'vi');
    expect(page.store.state.selection).toEqual({ station: 'ST1' });
  });
});
