import { t, type Lang } from './i18n';

/**
 * Registry and source codes as a tracer reads them: the registry's sex (`F`, `M`) and the
 * platforms a passage came from (`qr`, `bluezone`, `ncovi`, `vhd`, `movement`). A code the view
 * does not know is shown as it is. Pure.
 */

export const SEXES: Readonly<Record<string, string>> = { F: 'sex.female', M: 'sex.male', female: 'sex.female', male: 'sex.male', O: 'sex.other', other: 'sex.other' };

export const SOURCES = ['qr', 'bluezone', 'ncovi', 'vhd', 'movement'] as const;

export function sexLabel(lang: Lang, sex: string | undefined): string {
  if (sex === undefined || sex === '') return '';
  const key = SEXES[sex] ?? SEXES[sex.toUpperCase()];
  return key ? t(lang, key) : sex;
}

export function sourceLabel(lang: Lang, source: string | undefined): string {
  if (source === undefined || source === '') return '';
  return (SOURCES as readonly string[]).includes(source) ? t(lang, `source.${source}`) : source;
}
