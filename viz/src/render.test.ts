import { t } from './i18n';
import { timelineNotice } from './render';

describe('the timeline’s note', () => {
  it('says how to read it, and how many people have no lane when some have none', () => {
    expect(timelineNotice('en', 0)).toBe(t('en', 'timeline.notice'));
    expect(timelineNotice('en', 7)).toBe(`${t('en', 'timeline.notice')} ${t('en', 'timeline.hidden', { n: 7 })}`);
    expect(timelineNotice('en', 7)).toMatch(/7/);
  });
});
