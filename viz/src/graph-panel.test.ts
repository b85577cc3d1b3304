import { DENSE_LINKS } from './graph';
import { firstContactsOnly, graphNotes, toggleGraphLinks } from './graph-panel';
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

  it('notes the people left out and the contacts not drawn, or nothing', () => {
    const trace = sampleTrace();
    expect(graphNotes(undefined, trace, 'en')).toBe('');
    expect(graphNotes({ hiddenPeople: 0, drawnPeople: 4, laterLinks: 0 }, trace, 'en')).toBe('');
    const both = graphNotes({ hiddenPeople: 1, drawnPeople: 3, laterLinks: 2 }, trace, 'en');
    expect(both).toBe(`${t('en', 'graph.hidden', { drawn: 3, total: 4, hidden: 1 })} ${t('en', 'graph.firstOnlyNote', { n: 2 })}`);
    expect(both).toMatch(/^Drawing 3 of 4 people; 1 are not drawn/);
    expect(graphNotes({ hiddenPeople: 0, drawnPeople: 4, laterLinks: 2 }, trace, 'en')).toBe(t('en', 'graph.firstOnlyNote', { n: 2 }));
  });
});
