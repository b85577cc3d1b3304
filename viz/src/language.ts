import { byId } from './dom';
import { applyI18n, LANGS, type Lang } from './i18n';
import type { Lines } from './lines';
import type { Store } from './store';

/**
 * Vietnamese or English: switching changes the state's language and the page renders again, the
 * static texts (data-i18n), the message lines and every view in the new language.
 */

export function setLang(store: Store, lang: Lang): void {
  store.update('lang', (s) => (s.lang = lang));
}

/** The static page's texts, its lang attribute, the message lines and the pressed language button. */
export function renderLanguage(lang: Lang, lines: Lines): void {
  applyI18n(document, lang);
  document.documentElement.lang = lang;
  lines.paintAll();
  for (const b of document.querySelectorAll<HTMLButtonElement>('.langs button')) b.setAttribute('aria-pressed', String(b.dataset['lang'] === lang));
}

/** The buttons #lang-vi and #lang-en. */
export function wireLanguage(store: Store): void {
  for (const lang of LANGS) byId(`lang-${lang}`).addEventListener('click', () => setLang(store, lang));
}
