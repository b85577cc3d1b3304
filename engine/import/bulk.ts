import fs from 'node:fs';
import path from 'node:path';
import type { CaseInput } from '../cases/input';
import { derivedPassageId } from '../db/passages';
import type { RegistryRecord } from '../db/people';
import { invalidInput, notFound } from '../errors';
import { pseudonym, seal } from '../identity';
import type { ImportReject, Station } from '../types';
import { spanClass } from '../windows';
import { readCsv } from './csv';
import { planColumns, type ImportKind } from './header';
import { readHeader, statFile, SUMMARY_REJECTS, validateItem } from './pipeline';
import { RejectReport, type ReportRow } from './report';
import { caseValidator, passageValidator, personValidator, stationValidator, type PassageRow, type RowValidator } from './rows';

/**
 * The bulk first load (`truyvet import --bulk DIR`): reads a city's files with the online
 * import's parsers and rules, and writes what the online import would store as the CSV files of
 * Neo4j's offline importer (`neo4j-admin database import full`). Same validation, same rejects
 * (line, field, reason), same pseudonyms and sealed keys, same derived properties (passage ids,
 * duration class, unregistered people); only the writing differs. Repeats are judged over the
 * whole file, as the online import judges them against the database: a row repeating an earlier
 * one is a duplicate, with other content a reject naming the earlier line.
 *
 * No driver here: the caller checks that the database is empty, stops the server, runs the
 * offline importer on these files and builds the schema (cli/commands/import.ts).
 */

export const BULK_FILES: Readonly<Record<ImportKind, string>> = { stations: 'stations.csv', people: 'people.csv', passages: 'passages.csv', cases: 'cases.csv' };
const ORDER: readonly ImportKind[] = ['stations', 'people', 'passages', 'cases'];

export interface BulkKindSummary {
  readonly kind: ImportKind;
  readonly file: string;
  readonly read: number;
  readonly imported: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly rejects: ImportReject[];
  readonly report: string | null;
}

export interface BulkPlan {
  /** `--nodes` / `--relationships` arguments of neo4j-admin, files in `outDir`. */
  readonly nodes: readonly { label: string; file: string }[];
  readonly relationships: readonly { type: string; file: string }[];
  readonly kinds: readonly BulkKindSummary[];
  /** Rows the offline importer will write: nodes and relationships. */
  readonly nodeCount: number;
  readonly relationshipCount: number;
  readonly warnings: string[];
}

export interface BulkOptions {
  readonly dir: string;
  /** Where the importer's CSV files go (created; the caller removes it). */
  readonly outDir: string;
  readonly runId: string;
  /** When the import runs (epoch ms): the range of instants, and the cases' stamps. */
  readonly now: number;
  readonly dayFirst?: boolean;
  /** Folder for `<kind>-rejects.csv`, one per file read (a header only when it had none); none when undefined. */
  readonly reportDir?: string;
  readonly onProgress?: (kind: ImportKind, rows: number) => void;
}

/** The files of a city folder the bulk load reads, in load order; at least one must exist. */
export function bulkFiles(dir: string): { kind: ImportKind; file: string }[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw notFound(`${dir}: no such folder`);
  }
  if (!st.isDirectory()) throw invalidInput(`${dir} is not a folder: --bulk takes a folder holding ${Object.values(BULK_FILES).join(', ')}`);
  const found = ORDER.map((kind) => ({ kind, file: path.join(dir, BULK_FILES[kind]) })).filter((f) => fs.existsSync(f.file));
  if (found.length === 0) throw invalidInput(`${dir} holds none of ${Object.values(BULK_FILES).join(', ')}`);
  if (found.some((f) => f.kind === 'passages') && !found.some((f) => f.kind === 'stations')) {
    throw invalidInput(`${dir} has passages.csv but no stations.csv: a passage's station must be in the same load`);
  }
  return found;
}

/** A CSV cell for neo4j-admin: quoted text (an empty string stays one), a bare number, or empty for no property. */
function text(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}
const numOrNone = (n: number | undefined): string => (n === undefined ? '' : String(n));

/** Appends lines to a file in large synchronous writes. */
class Out {
  private parts: string[] = [];
  private size = 0;
  rows = 0;
  private readonly fd: number;
  constructor(
    readonly file: string,
    header: string,
  ) {
    this.fd = fs.openSync(file, 'w', 0o600);
    this.line(header);
    this.rows = 0;
  }
  line(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    this.rows++;
    if (this.size > 1 << 20) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    fs.writeSync(this.fd, `${this.parts.join('\n')}\n`);
    this.parts = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

const clip = (s: string): string => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

export async function prepareBulk(o: BulkOptions): Promise<BulkPlan> {
  const files = bulkFiles(o.dir);
  fs.mkdirSync(o.outDir, { recursive: true, mode: 0o700 });
  const dayFirst = o.dayFirst ?? false;
  const kinds: BulkKindSummary[] = [];
  const warnings: string[] = [];
  const nodes: { label: string; file: string }[] = [];
  const relationships: { type: string; file: string }[] = [];
  const out = (name: string, header: string): Out => new Out(path.join(o.outDir, name), header);

  // People the graph will hold: pid → registered. Registry rows first, then those passages and
  // cases name (unregistered, with their sealed key, as the online import makes them).
  const people = out('people.csv', 'id:ID(Person),ref,registered:boolean');
  const known = new Set<string>();
  const zones = new Map<string, string>();
  const pidCache = new Map<string, string>();
  const pidOf = (raw: string): string => {
    let pid = pidCache.get(raw);
    if (pid === undefined) {
      if (pidCache.size >= 10_000) pidCache.clear();
      pid = pseudonym(raw);
      pidCache.set(raw, pid);
    }
    return pid;
  };
  const unregistered = (pid: string, raw: string): void => {
    if (known.has(pid)) return;
    known.add(pid);
    people.line(`${pid},${text(seal(raw))},false`);
  };
  let unregisteredCases = 0;
  let presymptomatic = 0;

  for (const { kind, file } of files) {
    statFile(file, file);
    const header = await readHeader(file, file);
    const plan = planColumns(kind, header.fields, new Map());
    warnings.push(...plan.warnings.map((w) => `${BULK_FILES[kind]}: ${w}`));
    const report = o.reportDir === undefined ? undefined : RejectReport.create(path.join(o.reportDir, `${kind}-rejects.csv`));
    const summary = { kind, file, read: 0, imported: 0, duplicates: 0, rejected: 0, rejects: [] as ImportReject[], report: report?.path ?? null };
    const pending: ReportRow[] = [];
    const reject = (r: ReportRow): void => {
      summary.rejected++;
      if (summary.rejects.length < SUMMARY_REJECTS) summary.rejects.push({ line: r.line, field: r.field, reason: r.reason });
      if (report) {
        pending.push(r);
        if (pending.length >= 1000) report.add(pending.splice(0));
      }
    };
    // What each kind does with a valid row: true = imported, false = duplicate, a reject otherwise.
    let take: (line: number, value: unknown) => boolean | { field: string; reason: string };
    let validate: RowValidator<unknown>;
    let close: () => void = () => undefined;
    switch (kind) {
      case 'stations': {
        const w = out('stations.csv', 'id,name,province,district,commune,lat:double,lon:double,tz,kind,createdAt:datetime');
        nodes.push({ label: 'Station', file: w.file });
        const seen = new Map<string, { line: number; digest: string }>();
        const createdAt = new Date(o.now).toISOString();
        validate = stationValidator();
        take = (line, value) => {
          const s = value as Station;
          const digest = JSON.stringify(s);
          const prev = seen.get(s.id);
          if (prev) return prev.digest === digest ? false : { field: 'station_id', reason: `station_id '${clip(s.id)}' repeats line ${prev.line} with other values` };
          seen.set(s.id, { line, digest });
          zones.set(s.id, s.tz);
          w.line([text(s.id), text(s.name), text(s.province), text(s.district), text(s.commune), s.lat, s.lon, text(s.tz), text(s.kind), createdAt].join(','));
          return true;
        };
        close = () => w.close();
        break;
      }
      case 'people': {
        const w = out('identities.csv', 'pid,data,digest,province,district,commune,importRun');
        nodes.push({ label: 'Identity', file: w.file });
        const seen = new Map<string, { line: number; digest: string }>();
        validate = personValidator({ dayFirst });
        take = (line, value) => {
          const r = value as RegistryRecord;
          const pid = pseudonym(r.personId);
          // The stored JSON and digest exactly as engine/db/people.ts writes them.
          const json = JSON.stringify({ personId: r.personId, fullName: r.fullName, birthDate: r.birthDate, sex: r.sex, phone: r.phone, province: r.province, district: r.district, commune: r.commune });
          const digest = pseudonym(`identity:${json}`);
          const prev = seen.get(pid);
          if (prev) return prev.digest === digest ? false : { field: 'person_id', reason: `person_id repeats line ${prev.line} with other data` };
          seen.set(pid, { line, digest });
          known.add(pid);
          people.line(`${pid},${text(seal(r.personId))},true`);
          w.line([pid, text(seal(json)), digest, text(r.province), text(r.district), text(r.commune), text(o.runId)].join(','));
          return true;
        };
        close = () => w.close();
        break;
      }
      case 'passages': {
        const w = out('passages.csv', 'id,pid,station,at:long,leftAt:long,span:long,source');
        nodes.push({ label: 'Passage', file: w.file });
        // Whole-file memory of ids: the database's uniqueness, checked before it is built.
        const seen = new Map<string, string>();
        validate = passageValidator({ dayFirst, zones, now: o.now });
        take = (line, value) => {
          const v = value as PassageRow;
          const pid = pidOf(v.rawPersonId);
          const id = v.passageId ?? derivedPassageId(pid, v.stationId, v.at, v.leftAt);
          const content = `${line}\u0000${pid}\u0000${v.stationId}\u0000${v.at}\u0000${v.leftAt}`;
          const prev = seen.get(id);
          if (prev !== undefined) {
            const cut = prev.indexOf('\u0000');
            return prev.slice(cut) === content.slice(content.indexOf('\u0000'))
              ? false
              : { field: 'passage_id', reason: `passage_id '${clip(id)}' repeats line ${prev.slice(0, cut)} with other content` };
          }
          seen.set(id, content);
          unregistered(pid, v.rawPersonId);
          w.line(`${text(id)},${pid},${text(v.stationId)},${v.at},${v.leftAt},${spanClass(v.at, v.leftAt)},${text(v.source)}`);
          return true;
        };
        close = () => {
          seen.clear();
          w.close();
        };
        break;
      }
      case 'cases': {
        const w = out('cases.csv', 'id:ID(Case),personId,confirmedAt:long,onsetAt:long,infectiousFrom:long,infectiousTo:long,createdAt:long,createdBy,source,status,statusChangedAt:long,statusChangedBy,updatedAt:long,updatedBy,importRun');
        const of = out('case-of.csv', ':START_ID(Case),:END_ID(Person)');
        nodes.push({ label: 'Case', file: w.file });
        relationships.push({ type: 'OF', file: of.file });
        const seen = new Map<string, { line: number; v: CaseInput }>();
        const by = `import:${o.runId}`;
        validate = caseValidator({ dayFirst, now: o.now });
        take = (line, value) => {
          const v = value as CaseInput;
          const prev = seen.get(v.caseId);
          if (prev) {
            const p = prev.v;
            const same = p.rawPersonId === v.rawPersonId && p.confirmedAt === v.confirmedAt && p.onsetAt === v.onsetAt && p.infectiousFrom === v.infectiousFrom && p.infectiousTo === v.infectiousTo;
            return same ? false : { field: 'case_id', reason: `case_id '${clip(v.caseId)}' repeats line ${prev.line} with other data` };
          }
          seen.set(v.caseId, { line, v });
          const pid = pseudonym(v.rawPersonId);
          if (!known.has(pid)) unregisteredCases++;
          unregistered(pid, v.rawPersonId);
          if (v.warnings.length > 0) presymptomatic++;
          w.line(
            [text(v.caseId), pid, v.confirmedAt, numOrNone(v.onsetAt), numOrNone(v.infectiousFrom), numOrNone(v.infectiousTo), o.now, text(by), 'import', 'confirmed', o.now, text(by), o.now, text(by), text(o.runId)].join(','),
          );
          of.line(`${text(v.caseId)},${pid}`);
          return true;
        };
        close = () => {
          w.close();
          of.close();
        };
        break;
      }
    }
    let skipHeader = true;
    for await (const item of readCsv(file)) {
      if (skipHeader) {
        skipHeader = false;
        if (item.kind === 'record') continue;
      }
      summary.read++;
      const v = validateItem(item, plan.index, plan.width, validate);
      if (!v.ok) {
        reject(v.reject);
      } else {
        const t = take(item.line, v.value);
        if (t === true) summary.imported++;
        else if (t === false) summary.duplicates++;
        else reject({ line: item.line, field: t.field, reason: t.reason, value: '' });
      }
      if ((summary.read & 0xffff) === 0) o.onProgress?.(kind, summary.read);
    }
    close();
    if (report) {
      report.add(pending);
      report.close();
    }
    kinds.push(summary);
  }
  people.close();
  nodes.unshift({ label: 'Person', file: people.file });
  if (unregisteredCases > 0) warnings.push(`${unregisteredCases} case${unregisteredCases > 1 ? 's are' : ' is'} of people not in the population registry: kept as unregistered (only national tracers see them; traced as unregistered)`);
  if (presymptomatic > 0) warnings.push(`${presymptomatic} case${presymptomatic > 1 ? 's have' : ' has'} onset after confirmation (presymptomatic when tested): without infectious_from, the period starts 2 days before onset`);
  const nodeCount = people.rows + kinds.reduce((n, k) => n + k.imported, 0);
  const relationshipCount = kinds.find((k) => k.kind === 'cases')?.imported ?? 0;
  return { nodes, relationships, kinds, nodeCount, relationshipCount, warnings };
}
