import { DENSE_LINKS } from './graph';
import { firstContactsOnly, graphNotes, shownText, toggleGraphLinks } from './graph-panel';
import { t } from './i18n';
import { Store } from './store';
import { contacts, sampleTrace } from './testing/sample';

const dense = sampleTrace({ contacts: Array.from({ length: DENSE_LINKS + 1 }, () => contacts[0]!) });

describe('the graph card', () => {
  it('draws only first contacts by itself when the links are dense, unless told otherwise', () => {
    expect(firstContactsOnly({ graphLinks: 'auto', trace: sampleTrace() })).toBe(false);
    expect(firstContactsOnly({ graphLinks: 'auto', trace: dense })).toBe(true);
    expect(firstContactsOnly({ graphLinks: 'all', trace: dense })).toBe(false);
    expect(firstContactsOnly({ graphLinks: 'first', trace: sampleTrace() })).toBe(true);
    expect(firstContactsOnly({ graphLinks: 'auto', trace: undefined })).toBe(false);
  });

  it('its links button turns to the other of what is drawn now', () => {
    const store = new Store();
    store.state.trace = dense;
    toggleGraphLinks(store);
    expect(store.state.graphLinks).toBe('all');
    toggleGraphLinks(store);
    expect(store.state.graphLinks).toBe('first');
    store.state.trace = sampleTrace();
    store.state.graphLinks = 'auto';
    toggleGraphLinks(store);
    expect(store.state.graphLinks).toBe('first');
  });

  it('says per generation how many people are shown one by one, and how many are in groups', () => {
    expect(shownText({ generation: 2, total: 1673, shown: 40, grouped: 1633, groups: 35 }, 'en')).toBe('F2: 40 of 1673 shown one by one, 1633 in 35 groups');
    expect(shownText({ generation: 1, total: 12, shown: 12, grouped: 0, groups: 0 }, 'en')).toBe('F1: all 12 shown');
    expect(shownText({ generation: 2, total: 1673, shown: 40, grouped: 1633, groups: 35 }, 'vi')).toBe('F2: vẽ riêng 40/1673 người, 1633 người gộp trong 35 nhóm');
  });

  it('notes the contacts not drawn in first-contact mode, or nothing', () => {
    expect(graphNotes(undefined, 'en')).toBe('');
    expect(graphNotes({ laterLinks: 0 }, 'en')).toBe('');
    expect(graphNotes({ laterLinks: 2 }, 'en')).toBe(t('en', 'graph.firstOnlyNote', { n: 2 }));
  });
});
