import path from 'node:path';
import { invalidInput } from '../errors';
import { pseudonym } from '../identity';
import { readCsv } from './csv';
import { planColumns, renames } from './header';
import { readHeader, statFile, validateItem } from './pipeline';
import type { ImportProfile } from './profiles';
import { caseValidator } from './rows';
import type { ImportReject, OutbreakCase } from '../types';
import type { CaseInput } from '../cases/input';

/**
 * A cases file read without storing it (`truyvet outbreak trace --cases FILE`): the import's
 * machinery (header planning, `--profile`/`--map`, the row validator of cases.csv, its reject
 * reasons), so a file the import accepts is read here the same way. Repeats: the same case twice
 * is kept once; a case id again with other data is a reject at its later line.
 */

export interface CasesFileOptions {
  /** When the file is read (epoch ms): instants more than a day after it are rejects. */
  readonly now: number;
  readonly profile?: ImportProfile;
  /** `--map`: source column → truyvet column. */
  readonly map?: Readonly<Record<string, string>>;
  /** Most cases accepted (default 100,000): a larger file is refused, not read into memory. */
  readonly maxCases?: number;
}

export interface CasesFile {
  /** Sorted by case id; person ids pseudonymised, ready for outbreakTrace. */
  readonly cases: OutbreakCase[];
  /** Every reject, in line order (the header is line 1). */
  readonly rejects: ImportReject[];
  /** Ignored columns, and notes such as onset after confirmation. */
  readonly warnings: string[];
  /** Records after the header: cases + repeats + rejects. */
  readonly read: number;
}

export const MAX_CASES_FILE = 100_000;

export async function readCasesFile(file: string, o: CasesFileOptions): Promise<CasesFile> {
  const abs = path.resolve(file);
  statFile(file, abs);
  const header = await readHeader(file, abs);
  const plan = planColumns('cases', header.fields, renames('cases', o.profile, o.map ?? {}));
  const validate = caseValidator({ dayFirst: o.profile?.dayFirst ?? false, now: o.now });
  const max = o.maxCases ?? MAX_CASES_FILE;
  const first = new Map<string, { line: number; v: CaseInput }>();
  const rejects: ImportReject[] = [];
  let read = 0;
  let presymptomatic = 0;
  let skipHeader = true;
  for await (const item of readCsv(abs)) {
    if (skipHeader) {
      skipHeader = false;
      if (item.kind === 'record') continue;
    }
    read++;
    const r = validateItem(item, plan.index, plan.width, validate);
    if (!r.ok) {
      rejects.push({ line: r.reject.line, field: r.reject.field, reason: r.reject.reason });
      continue;
    }
    const v = r.value;
    const prev = first.get(v.caseId);
    if (prev) {
      const same = prev.v.rawPersonId === v.rawPersonId && prev.v.confirmedAt === v.confirmedAt && prev.v.onsetAt === v.onsetAt && prev.v.infectiousFrom === v.infectiousFrom && prev.v.infectiousTo === v.infectiousTo;
      if (!same) rejects.push({ line: item.line, field: 'case_id', reason: `case_id '${v.caseId.slice(0, 40)}' repeats line ${prev.line} with other data` });
      continue;
    }
    if (first.size >= max) throw invalidInput(`${file} holds more than ${max} cases: trace them from the registry (import them, then select by confirmation time)`);
    first.set(v.caseId, { line: item.line, v });
    if (v.warnings.length > 0) presymptomatic++;
  }
  const warnings = [...plan.warnings];
  if (presymptomatic > 0) warnings.push(`${presymptomatic} case${presymptomatic > 1 ? 's have' : ' has'} onset after confirmation (presymptomatic when tested): without infectious_from, the period starts 2 days before onset`);
  const cases = [...first.values()]
    .map(({ v }) => ({
      caseId: v.caseId,
      personId: pseudonym(v.rawPersonId),
      confirmedAt: v.confirmedAt,
      ...(v.onsetAt !== undefined ? { onsetAt: v.onsetAt } : {}),
      ...(v.infectiousFrom !== undefined ? { infectiousFrom: v.infectiousFrom } : {}),
      ...(v.infectiousTo !== undefined ? { infectiousTo: v.infectiousTo } : {}),
    }))
    .sort((a, b) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0));
  return { cases, rejects, warnings, read };
}
