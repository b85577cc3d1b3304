import type { Command } from 'commander';
import { action, EXIT } from '../run';
import { csvImportOptions, importCsv, type CsvImportFlags } from './import';

/**
 * `truyvet cases …`: the case registry. `cases import FILE` is the import of a cases.csv
 * (`case_id,person_id,confirmed_at,onset_at,infectious_from,infectious_to`) with the rules of
 * every import (docs/import.md, "Cases"): rejects with line, field and reason, idempotent,
 * resumable, `--json`, `--report`, `--profile lab-vn` for a laboratory's Vietnamese export.
 */
export function register(program: Command): void {
  const cases = program.command('cases').description('confirmed cases (F0s) for outbreak traces');
  csvImportOptions(
    cases
      .command('import')
      .description('import a cases.csv: case_id, person_id, confirmed_at, and optionally onset_at, infectious_from, infectious_to (audited)')
      .argument('<file>', 'CSV file: UTF-8 (BOM tolerated), header row, RFC 4180 quoting'),
  ).action(
    action(async (file: string, flags: CsvImportFlags) => {
      await importCsv('cases', file, flags);
      return EXIT.ok;
    }),
  );
}
