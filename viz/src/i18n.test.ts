import fs from 'node:fs';
import path from 'node:path';
import { STATION_KINDS } from '../../api/schemas';
import { ROLES } from '../../engine/accounts/roles';
import { PEOPLE_CSV_COLUMNS } from './csv';
import { applyI18n, en, t, vi } from './i18n';

/** Every file of the view's sources, recursively, without the tests. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

describe('i18n', () => {
  it('has the same keys in Vietnamese and English, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
    for (const [k, v] of [...Object.entries(vi), ...Object.entries(en)]) expect([k, v.trim().length > 0]).toEqual([k, true]);
  });

  it('uses the same {parameters} in both languages', () => {
    const params = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const k of Object.keys(vi) as (keyof typeof vi)[]) expect([k, params(en[k])]).toEqual([k, params(vi[k])]);
  });

  it('knows every key the sources and the page use', () => {
    const used = new Set<string>();
    for (const file of sources(__dirname)) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/\bt\((?:state\.)?lang, '([\w.]+)'/g)) used.add(m[1]!);
    }
    const html = fs.readFileSync(path.join(__dirname, '..', 'static', 'index.html'), 'utf8');
    for (const m of html.matchAll(/data-i18n(?:-[a-z]+)?="([\w.]+)"/g)) used.add(m[1]!);
    for (const k of PEOPLE_CSV_COLUMNS) used.add(k);
    for (const kind of STATION_KINDS) used.add(`kind.${kind}`);
    for (const role of ROLES) used.add(`role.${role}`);
    expect(used.size).toBeGreaterThan(80);
    const missing = [...used].filter((k) => !(k in vi) || !(k in en));
    expect(missing).toEqual([]);
  });

  it('fills {parameters} and keeps unknown ones visible', () => {
    expect(t('en', 'people.range', { first: 1, last: 50, total: 120, page: 1, pages: 3 })).toBe('1–50 of 120 people · page 1/3');
    expect(t('vi', 'map.exposures', { n: 3 })).toBe('3 tiếp xúc');
    expect(t('en', 'map.exposures')).toBe('{n} contacts');
  });

  it('falls back to the last part of an unknown data-made key', () => {
    expect(t('en', 'kind.garden')).toBe('garden');
  });

  it('applyI18n sets texts, placeholders and accessible names of the marked elements', () => {
    const el = (data: Record<string, string>) => ({ dataset: data, textContent: '', placeholder: '', title: '', attrs: {} as Record<string, string>, setAttribute(k: string, v: string) { this.attrs[k] = v; } });
    const text = el({ i18n: 'auth.submit' });
    const ph = el({ i18nPlaceholder: 'form.requestRefExample' });
    const aria = el({ i18nAria: 'graph.zoomIn' });
    const root = {
      querySelectorAll: (sel: string) => (sel === '[data-i18n]' ? [text] : sel === '[data-i18n-placeholder]' ? [ph] : [aria]),
    } as unknown as ParentNode;
    applyI18n(root, 'en');
    expect([text.textContent, ph.placeholder, aria.attrs['aria-label'], aria.title]).toEqual(['Log in', 'e.g. 123/SYT-NVY', 'Zoom in', 'Zoom in']);
  });
});

describe('the page', () => {
  it('gives every element a distinct id (the views find their hosts by id)', () => {
    const html = fs.readFileSync(path.join(__dirname, '..', 'static', 'index.html'), 'utf8');
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(30);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('loads only its own files: no script, style or font from another origin', () => {
    const html = fs.readFileSync(path.join(__dirname, '..', 'static', 'index.html'), 'utf8');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(fs.readFileSync(path.join(__dirname, '..', 'static', 'style.css'), 'utf8')).not.toMatch(/url\(|@import/);
  });
});
