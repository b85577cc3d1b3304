import type { Command } from 'commander';
import { rawKeys } from '../../engine/db';
import { invalidInput, isTruyvetError, notFound } from '../../engine/errors';
import { normalizeRawKey, pseudonym } from '../../engine/identity';
import { DEFAULT_TZ, parseDurationSeconds, parseInstant } from '../../engine/time';
import { DEFAULT_MAX_CONTACTS, DEFAULT_TRACE_MAX_DAYS, tracePeriodProblem, traceWithSensitivity, type TraceWithSensitivity } from '../../engine/trace';
import { traceMaxDays } from '../../engine/config';
import { DEFAULT_DEPTH, type TraceResult } from '../../engine/types';
import { auditedRead, lawfulRequest } from '../lawful-access';
import { action } from '../run';

/**
 * `truyvet trace`: F0 is the person key as written in passages.csv; it is pseudonymised here, and
 * every id in the answer is mapped back to the raw key, so the output speaks the CSV's language.
 * Instants without an offset are read in Asia/Ho_Chi_Minh. Like the API's, a trace here needs the
 * health authority's request number and a purpose, and is audited (cli/lawful-access.ts).
 */
export function register(program: Command): void {
  program
    .command('trace')
    .description('trace F1, F2, … of a case (F0) with the evidence of every contact')
    .requiredOption('--f0 <id>', 'the case: person id as in passages.csv')
    .requiredOption('--from <iso>', 'start of the infectious period (ISO 8601; no offset = Ho Chi Minh City time)')
    .requiredOption('--to <iso>', 'end of the infectious period (e.g. isolation)')
    .requiredOption('--request-ref <ref>', "the health authority's request number (audited)")
    .requiredOption('--purpose <text>', 'why this trace is run (audited)')
    .option('--until <iso>', 'horizon: no contact after it counts, at any generation (default: --to)')
    .option('--depth <n>', 'generations to trace, 1 to 6', String(DEFAULT_DEPTH))
    .option('--tolerance <list>', 'co-location tolerance, e.g. 15m; a list (5m,15m,30m,60m) adds a sensitivity panel; the trace uses the first', '15m')
    .option('--naive', 'ignore the time order from F2 on (compare with the time-respecting default)')
    .option('--max-contacts <n>', 'stop with an error past this many contact edges (the result is held in memory)', String(DEFAULT_MAX_CONTACTS))
    .option('--json', 'print the TraceResult as JSON')
    .action(
      action(async (o: { f0: string; from: string; to: string; requestRef: string; purpose: string; until?: string; depth: string; tolerance: string; naive?: boolean; maxContacts: string; json?: boolean }) => {
        const req = lawfulRequest(o);
        const raw = normalizeRawKey(o.f0);
        if (raw === '') throw invalidInput('--f0 must not be empty', [{ field: '--f0', reason: 'empty' }]);
        const tolerances = parseTolerances(o.tolerance);
        const until = o.until === undefined ? undefined : flagInstant('--until', o.until);
        const params = {
          f0: pseudonym(raw),
          from: flagInstant('--from', o.from),
          to: flagInstant('--to', o.to),
          depth: wholeFlag('--depth', o.depth),
          mode: o.naive === true ? ('naive' as const) : ('time-respecting' as const),
          ...(until === undefined ? {} : { until }),
        };
        checkPeriod(params);
        const maxContacts = wholeFlag('--max-contacts', o.maxContacts);
        const run = async (): Promise<TraceWithSensitivity> => {
          try {
            // The raw keys are looked up before the audit, which counts them as identities shown.
            return await withRawIds(await traceWithSensitivity(params, tolerances, { maxContacts }), raw);
          } catch (e) {
            if (isTruyvetError(e) && e.code === 'not_found') throw notFound(`unknown person '${raw}': no passage or registry row has this id`);
            throw e;
          }
        };
        // What the API audits for a trace: request, purpose, counts; never who was found.
        const result = await auditedRead('trace.create', req, run, (r) => ({
          count: r.people.length,
          details: { depth: r.params.depth, mode: r.params.mode, identities: r.people.length + 1, truncated: false, ...generations(r) },
        }));
        const out = tolerances.length > 1 ? result : withoutSensitivity(result);
        if (o.json === true) console.log(JSON.stringify(out));
        else printTrace(result, tolerances.length > 1);
      }),
    );
}

/** Refuses a period longer than TRUYVET_TRACE_MAX_DAYS (engine/trace/params.ts), naming the flag. */
export function checkPeriod(p: { from: number; to: number; until?: number | undefined }): void {
  const problem = tracePeriodProblem(p, traceMaxDays(DEFAULT_TRACE_MAX_DAYS));
  if (problem) throw invalidInput(`--${problem.field}: ${problem.reason} (TRUYVET_TRACE_MAX_DAYS)`, [{ field: `--${problem.field}`, reason: problem.reason }]);
}

/**
 * An ISO flag as epoch ms; no offset = Asia/Ho_Chi_Minh; a bare date = its local midnight. From
 * 2000-01-01 to a day after now (time.instantRangeProblem); the command line is an edge of the
 * system, so it reads the clock here.
 */
export function flagInstant(flag: string, text: string, now: number = Date.now()): number {
  const t = text.trim();
  const r = parseInstant(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00` : t, DEFAULT_TZ, now);
  if (!r.ok) throw invalidInput(`${flag}: ${r.reason}`, [{ field: flag, reason: r.reason }]);
  return r.ms;
}

export function wholeFlag(flag: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw invalidInput(`${flag} must be a whole number, not '${text}'`, [{ field: flag, reason: 'not a whole number' }]);
  return Number(text);
}

function parseTolerances(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  return parts.map((p) => {
    const s = p === '' ? undefined : parseDurationSeconds(p);
    if (s === undefined) throw invalidInput(`--tolerance: '${p}' is not a duration like 15m, 90s or 1h`, [{ field: '--tolerance', reason: 'not a duration' }]);
    return s;
  });
}

function withoutSensitivity(r: TraceWithSensitivity): TraceResult {
  const { sensitivity: _unused, ...rest } = r;
  return rest;
}

/** Every pseudonym in the result replaced by its raw key (kept as is if the graph has none). */
async function withRawIds(r: TraceWithSensitivity, rawF0: string): Promise<TraceWithSensitivity> {
  const pids = new Set<string>([r.f0]);
  for (const p of r.people) {
    pids.add(p.id);
    for (const v of p.via) pids.add(v);
  }
  const keys = await rawKeys([...pids]);
  keys.set(r.f0, rawF0);
  const k = (pid: string): string => keys.get(pid) ?? pid;
  return {
    ...r,
    f0: k(r.f0),
    people: r.people.map((p) => ({ ...p, id: k(p.id), via: p.via.map(k).sort() })),
    contacts: r.contacts.map((c) => ({ ...c, source: k(c.source), target: k(c.target) })),
  };
}

const localFormat = new Intl.DateTimeFormat('sv-SE', {
  timeZone: DEFAULT_TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** An ISO instant as wall-clock time in Ho Chi Minh City: `2021-08-02 10:10:00`. */
export function localTime(iso: string): string {
  return localFormat.format(new Date(iso));
}

function printTrace(r: TraceWithSensitivity, withPanel: boolean): void {
  // The station of the contact that set the exposure time (contacts are sorted by time).
  const stationOf = new Map<string, string>();
  for (const c of r.contacts) if (!stationOf.has(c.target)) stationOf.set(c.target, c.stationId);
  const rows = r.people.map((p) => [`F${p.generation}`, p.id, localTime(p.exposureAt), stationOf.get(p.id) ?? '', p.score.toFixed(3)]);
  printTable(['gen', 'person', `exposure (${DEFAULT_TZ})`, 'station', 'score'], rows);
  const perGen = Object.entries(r.sensitivity[0]?.counts ?? {})
    .map(([g, n]) => `F${g} ${n}`)
    .join(', ');
  console.log(
    `F0 ${r.f0}: ${r.stats.people} people (${perGen}), ${r.stats.contacts} contacts, ${r.params.mode}, ` +
      `tolerance ${r.params.toleranceSeconds / 60} min, ${localTime(r.params.from)} → ${localTime(r.params.to)}` +
      `${r.params.until !== undefined && r.params.until !== r.params.to ? ` (until ${localTime(r.params.until)})` : ''}, ${r.stats.milliseconds} ms`,
  );
  if (withPanel) {
    console.log('');
    const gens = Object.keys(r.sensitivity[0]?.counts ?? {});
    printTable(
      ['tolerance', ...gens.map((g) => `F${g}`)],
      r.sensitivity.map((s) => [`${s.toleranceSeconds / 60} min`, ...gens.map((g) => String(s.counts[g] ?? 0))]),
    );
  }
}

export function printTable(head: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}

/** People found per generation, `{f1: n, f2: n, …}`, as the API's audit counts them. */
function generations(r: TraceResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of r.people) out[`f${p.generation}`] = (out[`f${p.generation}`] ?? 0) + 1;
  return out;
}
