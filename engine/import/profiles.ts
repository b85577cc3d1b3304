import fs from 'node:fs';
import { z } from 'zod';
import { invalidInput } from '../errors';
import bluezoneEntry from './profiles/bluezone-entry.json';
import labVn from './profiles/lab-vn.json';
import tokhaiyte from './profiles/tokhaiyte.json';
import vn from './profiles/vn.json';

/**
 * Column profiles for other platforms' exports: a data file per platform that renames source
 * columns to truyvet's (DESIGN.md, "CSV files"), and says whether dates are written day first
 * (`02/08/2021 07:30`, as Vietnamese spreadsheets do). `--profile NAME` picks a built-in one,
 * `--profile FILE.json` reads one from disk.
 */
export interface ImportProfile {
  readonly name: string;
  readonly description: string;
  /** Source column → truyvet column. Matched like headers: case, spacing and Unicode form do not matter. */
  readonly columns: Readonly<Record<string, string>>;
  /** Dates and instants may be `DD/MM/YYYY[ HH:MM[:SS]]` as well as ISO 8601. */
  readonly dayFirst: boolean;
}

const profileSchema = z.object({
  name: z.string().min(1),
  description: z.string().default(''),
  columns: z.record(z.string().min(1), z.string().min(1)),
  dayFirst: z.boolean().default(false),
});

const BUILT_IN: readonly unknown[] = [vn, tokhaiyte, bluezoneEntry, labVn];

export function builtInProfiles(): ImportProfile[] {
  return BUILT_IN.map((p) => profileSchema.parse(p));
}

/** A built-in profile by name, or a profile file when `nameOrPath` ends in `.json`. */
export function loadProfile(nameOrPath: string): ImportProfile {
  if (nameOrPath.endsWith('.json')) {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(nameOrPath, 'utf8'));
    } catch (e) {
      throw invalidInput(`cannot read profile ${nameOrPath}: ${(e as Error).message}`);
    }
    const parsed = profileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalidInput(`profile ${nameOrPath} is not valid: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
    }
    return parsed.data;
  }
  const found = builtInProfiles().find((p) => p.name === nameOrPath);
  if (!found) {
    throw invalidInput(`unknown profile '${nameOrPath}'; built-in profiles: ${builtInProfiles().map((p) => p.name).join(', ')} (or give a .json file)`);
  }
  return found;
}
