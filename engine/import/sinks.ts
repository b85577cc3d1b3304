import type { CaseInput } from '../cases/input';
import { writeCases, type CaseWrite } from '../db/cases';
import { derivedPassageId, writePassages, type PassageWrite, type WriteOutcome } from '../db/passages';
import { upsertPeople, type RegistryRecord } from '../db/people';
import { upsertStations } from '../db/stations';
import { pseudonym, seal } from '../identity';
import type { Station } from '../types';
import { caseValidator, passageValidator, personValidator, stationValidator, type PassageRow, type RowValidator } from './rows';

/**
 * What each kind of file does with its valid rows: one call per batch, one outcome per row in
 * order. Repeats inside a batch are judged here (the storage functions see distinct keys);
 * repeats across batches by the database, since batches commit one after another.
 */

export type RowOutcome = 'imported' | 'updated' | 'duplicate' | { readonly field: string; readonly reason: string };

export interface PendingRow<T> {
  readonly line: number;
  readonly value: T;
}

export interface Sink<T> {
  readonly validate: RowValidator<T>;
  /**
   * Called in file order; with `concurrency` > 1 a call may start before the previous ones
   * finished, and the sink must give the outcomes a one-at-a-time import would give.
   */
  write(rows: readonly PendingRow<T>[]): Promise<RowOutcome[]>;
  /** Batches it may write at once (default 1). */
  readonly concurrency?: number;
  /** Notes for the summary once every batch is written (the import's `warnings`). */
  warnings?(): string[];
}

export interface SinkContext {
  readonly dayFirst: boolean;
  /** Id of this import run (kept across a resume). */
  readonly runId: string;
}

export function stationSink(): Sink<Station> {
  // Stations files are small (a city has thousands): the whole file's ids fit in memory, so a
  // station repeated with other values anywhere in the file is caught.
  const seen = new Map<string, { line: number; digest: string }>();
  return {
    validate: stationValidator(),
    async write(rows) {
      const out: RowOutcome[] = new Array<RowOutcome>(rows.length);
      const fresh: Station[] = [];
      const freshIdx: number[] = [];
      rows.forEach((r, i) => {
        const digest = JSON.stringify(r.value);
        const prev = seen.get(r.value.id);
        if (prev) {
          out[i] = prev.digest === digest ? 'duplicate' : { field: 'station_id', reason: `station_id '${clip(r.value.id)}' repeats line ${prev.line} with other values` };
          return;
        }
        seen.set(r.value.id, { line: r.line, digest });
        fresh.push(r.value);
        freshIdx.push(i);
      });
      const res = await upsertStations(fresh);
      freshIdx.forEach((i, k) => (out[i] = res.get(fresh[k]!.id) ?? 'imported'));
      return out;
    },
  };
}

export function personSink(c: SinkContext): Sink<RegistryRecord> {
  return {
    validate: personValidator(c),
    async write(rows) {
      const out: RowOutcome[] = new Array<RowOutcome>(rows.length);
      const first = new Map<string, { line: number; digest: string; idx: number }>();
      const fresh: RegistryRecord[] = [];
      rows.forEach((r, i) => {
        const pid = pseudonym(r.value.personId);
        const digest = JSON.stringify(r.value);
        const prev = first.get(pid);
        if (prev) {
          out[i] = prev.digest === digest ? 'duplicate' : { field: 'person_id', reason: `person_id repeats line ${prev.line} with other data` };
          return;
        }
        first.set(pid, { line: r.line, digest, idx: i });
        fresh.push(r.value);
      });
      const res = await upsertPeople(fresh, { runId: c.runId });
      for (const [pid, f] of first) {
        const o = res.get(pid) ?? 'imported';
        out[f.idx] = o === 'conflict' ? { field: 'person_id', reason: 'person_id repeats an earlier row of this file with other data' } : o;
      }
      return out;
    },
  };
}

export interface PassageSinkContext extends SinkContext {
  readonly zones: ReadonlyMap<string, string>;
  /** Known stations outside the import's jurisdiction (rows there are rejected). */
  readonly outside?: ReadonlySet<string>;
  /** When the import runs (epoch ms), for the range of instants (PassageContext.now). */
  readonly now: number;
}

const PID_CACHE = 10_000;
/**
 * Passage batches written at once. Measured (docs/benchmarks.md, "What was tried"): with one, Neo4j waits for
 * the importer and the importer for Neo4j, neither busy all the time; two keep both cores working.
 */
export const PASSAGE_WRITERS = 2;

export function passageSink(c: PassageSinkContext): Sink<PassageRow> {
  // A person passes many checkpoints: remember recent pseudonyms instead of an HMAC per row.
  // Bounded, so memory stays flat on any file.
  const pids = new Map<string, string>();
  const pidOf = (raw: string): string => {
    let pid = pids.get(raw);
    if (pid === undefined) {
      if (pids.size >= PID_CACHE) pids.clear();
      pid = pseudonym(raw);
      pids.set(raw, pid);
    }
    return pid;
  };
  // Batches in flight: their passage ids, and when they are done.
  const inFlight = new Set<{ ids: ReadonlyMap<string, unknown>; done: Promise<unknown> }>();
  return {
    validate: passageValidator(c),
    concurrency: PASSAGE_WRITERS,
    async write(rows) {
      const out: RowOutcome[] = new Array<RowOutcome>(rows.length);
      const first = new Map<string, { line: number; idx: number; w: PassageWrite }>();
      const writes: PassageWrite[] = [];
      rows.forEach((r, i) => {
        const v = r.value;
        const personId = pidOf(v.rawPersonId);
        const id = v.passageId ?? derivedPassageId(personId, v.stationId, v.at, v.leftAt);
        const w: PassageWrite = {
          id,
          personId,
          // Sealed only if the person turns out to be new to the graph.
          personRef: () => seal(v.rawPersonId),
          stationId: v.stationId,
          at: v.at,
          leftAt: v.leftAt,
          source: v.source,
        };
        const prev = first.get(id);
        if (prev) {
          const same = prev.w.personId === personId && prev.w.stationId === w.stationId && prev.w.at === w.at && prev.w.leftAt === w.leftAt;
          out[i] = same ? 'duplicate' : { field: 'passage_id', reason: `passage_id '${clip(id)}' repeats line ${prev.line} with other content` };
          return;
        }
        first.set(id, { line: r.line, idx: i, w });
        writes.push(w);
      });
      // A passage id also in a batch still in flight: wait for it, so the earlier row is stored
      // first and this one is a duplicate or a conflict exactly as in a one-at-a-time import.
      const earlier = [...inFlight].filter((f) => writes.some((w) => f.ids.has(w.id)));
      const done = (async () => {
        if (earlier.length > 0) await Promise.allSettled(earlier.map((f) => f.done));
        return writePassages(writes);
      })();
      const entry = { ids: first, done };
      inFlight.add(entry);
      let res: Map<string, WriteOutcome>;
      try {
        res = await done;
      } finally {
        inFlight.delete(entry);
      }
      for (const [id, f] of first) {
        const o = res.get(id) ?? 'imported';
        out[f.idx] = o === 'conflict' ? { field: 'passage_id', reason: `passage_id '${clip(id)}' is already stored with other content` } : o;
      }
      return out;
    },
  };
}

export interface CaseSinkContext extends SinkContext {
  /** When the import runs (epoch ms), for the range of instants (PassageContext.now). */
  readonly now: number;
}

/** Case ids listed in a summary's note; the count says how many more. */
const NOTE_IDS = 10;

/**
 * Cases (cases.csv). A row for a case id already stored: the same data is a duplicate; other
 * onset, confirmation or period for the same person updates the case (counted in `updated` and
 * noted in the warnings with its id: laboratories send corrections, and the latest word is the
 * one to trace by); another person is a conflict, rejected on person_id, and the stored case
 * stays (a case id reused for someone else is a mistake to look at, not a correction). Within one
 * import run, a second row of a case with other data is a conflict too. The status is never
 * changed by an import (it has its own audited route). A person the graph does not know is
 * accepted and made an unregistered Person, like a passage's.
 */
export function caseSink(c: CaseSinkContext): Sink<CaseInput> {
  const updated: string[] = [];
  let updates = 0;
  let unregistered = 0;
  let presymptomatic = 0;
  return {
    validate: caseValidator(c),
    async write(rows) {
      const out: RowOutcome[] = new Array<RowOutcome>(rows.length);
      const first = new Map<string, { line: number; idx: number; v: CaseInput }>();
      const writes: CaseWrite[] = [];
      rows.forEach((r, i) => {
        const v = r.value;
        const prev = first.get(v.caseId);
        if (prev) {
          const same =
            prev.v.rawPersonId === v.rawPersonId && prev.v.confirmedAt === v.confirmedAt && prev.v.onsetAt === v.onsetAt && prev.v.infectiousFrom === v.infectiousFrom && prev.v.infectiousTo === v.infectiousTo;
          out[i] = same ? 'duplicate' : { field: 'case_id', reason: `case_id '${clip(v.caseId)}' repeats line ${prev.line} with other data` };
          return;
        }
        first.set(v.caseId, { line: r.line, idx: i, v });
        writes.push({
          id: v.caseId,
          personId: pseudonym(v.rawPersonId),
          personRef: () => seal(v.rawPersonId),
          confirmedAt: v.confirmedAt,
          ...(v.onsetAt !== undefined ? { onsetAt: v.onsetAt } : {}),
          ...(v.infectiousFrom !== undefined ? { infectiousFrom: v.infectiousFrom } : {}),
          ...(v.infectiousTo !== undefined ? { infectiousTo: v.infectiousTo } : {}),
        });
      });
      const { results } = await writeCases(writes, { source: 'import', by: `import:${c.runId}`, now: c.now, runId: c.runId });
      for (const [id, f] of first) {
        const r = results.get(id);
        const o = r?.outcome ?? 'imported';
        if ((o === 'imported' || o === 'updated') && r?.registered === false) unregistered++;
        if ((o === 'imported' || o === 'updated') && f.v.warnings.length > 0) presymptomatic++;
        if (o === 'updated') {
          updates++;
          if (updated.length < NOTE_IDS) updated.push(id);
        }
        out[f.idx] =
          o === 'other_person'
            ? { field: 'person_id', reason: `case_id '${clip(id)}' is already stored for another person (the stored case stays)` }
            : o === 'repeated'
              ? { field: 'case_id', reason: `case_id '${clip(id)}' repeats an earlier row of this file with other data` }
              : o === 'outside'
                ? { field: 'person_id', reason: 'the person does not live in your jurisdiction' }
                : o;
      }
      return out;
    },
    warnings() {
      const w: string[] = [];
      if (updates > 0) {
        const more = updates > updated.length ? ` and ${updates - updated.length} more` : '';
        w.push(`${updates} case${updates > 1 ? 's' : ''} already stored ${updates > 1 ? 'were' : 'was'} updated with this file's dates (status kept): ${updated.map((id) => `'${clip(id)}'`).join(', ')}${more}`);
      }
      if (unregistered > 0) {
        w.push(`${unregistered} case${unregistered > 1 ? 's are' : ' is'} of people not in the population registry: kept as unregistered (only national tracers see them; traced as unregistered)`);
      }
      if (presymptomatic > 0) {
        w.push(`${presymptomatic} case${presymptomatic > 1 ? 's have' : ' has'} onset after confirmation (presymptomatic when tested): without infectious_from, the period starts 2 days before onset`);
      }
      return w;
    },
  };
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
