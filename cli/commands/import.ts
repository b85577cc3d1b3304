import { Argument, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { migrate } from '../../engine/db';
import { invalidInput } from '../../engine/errors';
import {
  builtInProfiles,
  checkImportFile,
  DEFAULT_BATCH_SIZES,
  IMPORT_KINDS,
  importStateDir,
  loadProfile,
  parseMapSpec,
  runImport,
  type ImportKind,
  type ImportProgress,
  type ImportResult,
} from '../../engine/import';
import { auditCli } from '../lawful-access';
import { action, EXIT } from '../run';
import { bulkImport, describeBulk } from './bulk';
import { importDeclarations } from './declarations';

interface ImportFlags extends CsvImportFlags {
  platform?: string;
  issueAt?: string;
  bulk?: string;
}

export function register(program: Command): void {
  csvImportOptions(
    program
      .command('import')
      .description('stream a CSV file of stations, people, passages or cases into the graph (or a declarations file: see --platform), or load an empty graph from a folder (--bulk)')
      .addArgument(new Argument('[kind]', 'what the file holds').choices([...IMPORT_KINDS, 'declarations']))
      .argument('[file]', 'CSV file: UTF-8 (BOM tolerated), header row, RFC 4180 quoting'),
  )
    .option('--bulk <dir>', 'first load of an EMPTY database from DIR/stations.csv, people.csv, passages.csv, cases.csv (those present) with neo4j-admin; stops and restarts the local Neo4j (--report is then a folder)')
    .option('--platform <name>', "declarations only: the export's platform mapping (the generator's declarations.jsonl is generic-json)", 'generic-json')
    .option('--issue-at <when>', "declarations only: when QR codes are issued, 'declared' or 'now'", 'declared')
    .action(
      action(async (kind: ImportKind | 'declarations' | undefined, file: string | undefined, flags: ImportFlags) => {
        if (flags.bulk !== undefined) {
          if (kind !== undefined) throw invalidInput('--bulk takes a folder and no KIND FILE: truyvet import --bulk DIR');
          const r = await bulkImport(flags.bulk, flags);
          for (const w of r.warnings) console.error(`truyvet: warning: ${w}`);
          console.log(flags.json ? JSON.stringify(r) : describeBulk(r));
          return EXIT.ok;
        }
        if (kind === undefined || file === undefined) throw invalidInput("missing argument: truyvet import KIND FILE (or truyvet import --bulk DIR); see 'truyvet import --help'");
        if (kind === 'declarations') return importDeclarations(file, flags);
        await importCsv(kind, file, flags);
        return EXIT.ok;
      }),
    );
}

/** The CSV import's flags, shared by `truyvet import KIND` and `truyvet cases import`. */
export function csvImportOptions(command: Command): Command {
  return command
    .option('--json', 'print one JSON summary line on stdout, no progress bar')
    .option('--report <file>', 'write every rejected row to this CSV file (line, field, reason, value)')
    .option('--map <renames>', 'rename source columns: SRC=DEST,… e.g. "Số CCCD=person_id,Mã chốt=station_id"')
    .option('--profile <name>', `column names of another platform's export: ${builtInProfiles().map((p) => p.name).join(', ')}, or a profile .json file`)
    .option('--batch <rows>', `rows per write transaction (default ${DEFAULT_BATCH_SIZES.passages}; people and cases ${DEFAULT_BATCH_SIZES.people})`)
    .option('--no-resume', `start from the beginning even if an interrupted run left a checkpoint (in ${importStateDir()})`);
}

export interface CsvImportFlags {
  json?: boolean;
  report?: string;
  map?: string;
  profile?: string;
  batch?: string;
  resume: boolean;
}

/**
 * Imports one CSV file and prints its summary. A cases file is audited too (the operating-system
 * user, counts only): it says who is a confirmed case.
 */
export async function importCsv(kind: ImportKind, file: string, flags: CsvImportFlags): Promise<ImportResult> {
  const batchSize = flags.batch === undefined ? undefined : Number(flags.batch);
  if (batchSize !== undefined && !Number.isInteger(batchSize)) throw invalidInput(`--batch ${flags.batch ?? ''} is not a whole number`);
  const profile = flags.profile === undefined ? undefined : loadProfile(flags.profile);
  const map = flags.map === undefined ? {} : parseMapSpec(flags.map);
  checkImportFile(file);
  await migrate();
  const progress = flags.json || !process.stderr.isTTY ? undefined : progressBar();
  let result: ImportResult;
  try {
    result = await runImport({
      kind,
      file,
      map,
      clock: () => performance.now(),
      now: Date.now(),
      resume: flags.resume,
      ...(batchSize === undefined ? {} : { batchSize }),
      ...(profile === undefined ? {} : { profile }),
      ...(flags.report === undefined ? {} : { reportFile: flags.report }),
      ...(progress ? { onProgress: progress.update } : {}),
    });
  } finally {
    progress?.stop();
  }
  if (kind === 'cases') {
    const { read, imported, updated, duplicates, rejected } = result;
    await auditCli({ action: 'cases.import', outcome: 'ok', count: imported, details: { read, imported, updated, duplicates, rejected } });
  }
  for (const w of result.warnings) console.error(`truyvet: warning: ${w}`);
  if (flags.json) console.log(JSON.stringify(result));
  else console.log(describe(result));
  return result;
}

/** Rows, rate and ETA on stderr; the ETA comes from the bytes parsed out of the file's size. */
function progressBar(): { update: (p: ImportProgress) => void; stop: () => void } {
  const bar = new SingleBar({
    format: 'importing [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}',
    stream: process.stderr,
    hideCursor: true,
    etaBuffer: 50,
    fps: 5,
  });
  const t0 = performance.now();
  let started = false;
  return {
    update: (p) => {
      const rate = Math.round(p.parsed / Math.max(0.001, (performance.now() - t0) / 1000));
      if (!started) {
        bar.start(Math.max(1, p.totalBytes), 0, { rows: 0, rate: 0 });
        started = true;
      }
      bar.update(p.bytes, { rows: p.parsed.toLocaleString('en'), rate: rate.toLocaleString('en') });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function describe(r: ImportResult): string {
  const n = (x: number) => x.toLocaleString('en');
  const lines = [
    `${r.kind} from ${r.file}: ${r.seconds.toFixed(1)} s, ${n(r.rowsPerSecond)} rows/s${r.resumedAtLine !== null ? ` (resumed at line ${r.resumedAtLine})` : ''}`,
    `  read        ${n(r.read)}`,
    `  imported    ${n(r.imported)}${r.updated > 0 ? ` (${n(r.updated)} of them updated)` : ''}`,
    `  duplicates  ${n(r.duplicates)}`,
    `  rejected    ${n(r.rejected)}`,
  ];
  if (r.rejects.length > 0) {
    const shown = r.rejects.slice(0, 10);
    lines.push(`  first rejects:`);
    for (const x of shown) lines.push(`    line ${x.line}, ${x.field}: ${x.reason}`);
    if (r.rejected > shown.length) lines.push(`    … ${n(r.rejected - shown.length)} more${r.report ? '' : ' (--report FILE lists them all)'}`);
  }
  if (r.report) lines.push(`  rejects report: ${r.report}`);
  return lines.join('\n');
}
