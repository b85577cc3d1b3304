import { t } from './i18n';
import { type Line, type LineTarget, Lines } from './lines';

describe('the message lines', () => {
  let lang: 'vi' | 'en';
  let writes: number;
  const targets: Record<Line, LineTarget> = {} as Record<Line, LineTarget>;
  const target = (): LineTarget => {
    let text: string | null = '';
    return {
      get textContent() {
        return text;
      },
      set textContent(v) {
        writes++;
        text = v;
      },
      className: '',
    };
  };
  let lines: Lines;

  beforeEach(() => {
    lang = 'vi';
    writes = 0;
    targets['trace-status'] = target();
    targets['trace-progress'] = target();
    targets['login-error'] = target();
    lines = new Lines(
      () => lang,
      (line) => targets[line],
    );
  });

  it('say a message in the language of the page when written', () => {
    lines.say('trace-status', (l) => t(l, 'form.running'));
    expect(targets['trace-status'].textContent).toBe('Đang truy vết…');
    expect(targets['trace-status'].className).toBe('status');
  });

  it('write what was said again in the new language when the language switches', () => {
    lines.say('login-error', (l) => t(l, 'auth.expired'));
    lang = 'en';
    lines.paintAll();
    expect(targets['login-error'].textContent).toBe('Your session has expired. Please log in again.');
    expect(lines.text('login-error', 'vi')).toBe('Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.');
  });

  it('mark an error on the status line, and clear a line to nothing', () => {
    lines.say('trace-status', () => 'bad', true);
    expect(targets['trace-status'].className).toBe('status error');
    expect(lines.isError('trace-status')).toBe(true);
    lines.say('trace-status', undefined);
    expect(targets['trace-status'].textContent).toBe('');
    expect(targets['trace-status'].className).toBe('status');
  });

  it('leave a live region untouched when its text does not change (a screen reader would read it again)', () => {
    lines.say('login-error', () => 'same');
    expect(writes).toBe(1);
    lines.paintAll();
    lines.say('login-error', () => 'same');
    expect(writes).toBe(1);
    lines.say('login-error', () => 'other');
    expect(writes).toBe(2);
  });
});
