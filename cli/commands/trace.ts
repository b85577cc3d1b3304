import type { Command } from 'commander';
import { z } from 'zod';
import { rawKeys } from '../../engine/db';
import { invalidInput, isTruyvetError, notFound, validationFailed } from '../../engine/errors';
import { normalizeRawKey, pseudonym } from '../../engine/identity';
import { instant } from '../../engine/input';
import { DEFAULT_TZ } from '../../engine/time';
import {
  DEFAULT_MAX_CONTACTS,
  DEFAULT_TRACE_MAX_DAYS,
  generationCounts,
  peoplePerGeneration,
  resultOf,
  traceRequestSchema,
  traceRequestShaped,
  type SensitivityRow,
  type TraceInputContext,
} from '../../engine/trace';
import { traceMaxDays } from '../../engine/config';
import { DEFAULT_DEPTH, MAX_TRACE_DEPTH, type TraceResult } from '../../engine/types';
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
    .option('--close-only', 'only close contacts (together at least TRUYVET_CLOSE_SECONDS, default 15 min) count, at every generation')
    .option('--max-contacts <n>', 'stop with an error past this many contact edges (the result is held in memory)', String(DEFAULT_MAX_CONTACTS))
    .option('--json', 'print the TraceResult as JSON')
    .action(
      action(async (o: { f0: string; from: string; to: string; requestRef: string; purpose: string; until?: string; depth: string; tolerance: string; naive?: boolean; closeOnly?: boolean; maxContacts: string; json?: boolean }) => {
        const req = lawfulRequest(o);
        const raw = normalizeRawKey(o.f0);
        if (raw === '') throw invalidInput('--f0 must not be empty', [{ field: '--f0', reason: 'empty' }]);
        const [tolerance, ...sensitivity] = o.tolerance.split(',');
        const request = parseFlags(traceRequestSchema(cliContext()), TRACE_FLAGS, {
          from: o.from,
          to: o.to,
          ...(o.until !== undefined ? { until: o.until } : {}),
          depth: wholeFlag('--depth', o.depth),
          tolerance,
          ...(sensitivity.length > 0 ? { sensitivity } : {}),
          mode: o.naive === true ? 'naive' : 'time-respecting',
          closeOnly: o.closeOnly === true,
        });
        const maxContacts = wholeFlag('--max-contacts', o.maxContacts);
        const run = async (): Promise<TraceResult & { sensitivity?: SensitivityRow[] }> => {
          try {
            // The raw keys are looked up before the audit, which counts them as identities shown.
            return await withRawIds(resultOf(await traceRequestShaped(pseudonym(raw), request, { maxContacts })), raw);
          } catch (e) {
            if (isTruyvetError(e) && e.code === 'not_found') throw notFound(`unknown person '${raw}': no passage or registry row has this id`);
            throw e;
          }
        };
        // What the API audits for a trace: request, purpose, counts; never who was found.
        const result = await auditedRead('trace.create', req, run, (r) => ({
          count: r.people.length,
          details: { depth: r.params.depth, mode: r.params.mode, closeOnly: r.params.closeOnly, identities: r.people.length + 1, truncated: false, ...peoplePerGeneration(r) },
        }));
        if (o.json === true) console.log(JSON.stringify(result));
        else printTrace(result);
      }),
    );
}

/** The flag each field of a trace request comes from, to name it in an error. */
export const TRACE_FLAGS: Readonly<Record<string, string>> = {
  from: '--from',
  to: '--to',
  until: '--until',
  depth: '--depth',
  tolerance: '--tolerance',
  sensitivity: '--tolerance',
  mode: '--naive',
  closeOnly: '--close-only',
};

/**
 * The parsers' context on the command line: the clock (an edge of the system reads it here), the
 * deepest trace the engine allows and TRUYVET_TRACE_MAX_DAYS.
 */
export function cliContext(now: number = Date.now()): TraceInputContext {
  return { now: () => now, limits: () => ({ maxDepth: MAX_TRACE_DEPTH, maxDays: traceMaxDays(DEFAULT_TRACE_MAX_DAYS) }) };
}

/**
 * Flags read by a schema the API uses too (engine/input.ts, engine/trace/request.ts): a refusal
 * names the flag (`flags`, by the field's name) with the same reason the API gives (exit 2).
 */
export function parseFlags<S extends z.ZodType>(schema: S, flags: Readonly<Record<string, string>>, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => {
    const field = String(i.path[0] ?? '');
    return { field: flags[field] ?? `--${field}`, reason: i.message };
  });
  throw validationFailed(details.map((d) => `${d.field}: ${d.reason}`).join('; '), details);
}

/**
 * An ISO flag as epoch ms; no offset = Asia/Ho_Chi_Minh; a bare date = its local midnight. From
 * 2000-01-01 to a day after now, as in the API (engine/input.ts).
 */
export function flagInstant(flag: string, text: string, now: number = Date.now()): number {
  return parseFlags(z.object({ t: instant(() => now) }), { t: flag }, { t: text }).t;
}

export function wholeFlag(flag: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw validationFailed(`${flag} must be a whole number, not '${text}'`, [{ field: flag, reason: 'not a whole number' }]);
  return Number(text);
}

/** Every pseudonym in the result replaced by its raw key (kept as is if the graph has none). */
async function withRawIds<R extends TraceResult>(r: R, rawF0: string): Promise<R> {
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

function printTrace(r: TraceResult & { sensitivity?: SensitivityRow[] }): void {
  // The station of the contact that set the exposure time (contacts are sorted by time).
  const stationOf = new Map<string, string>();
  for (const c of r.contacts) if (!stationOf.has(c.target)) stationOf.set(c.target, c.stationId);
  const rows = r.people.map((p) => [`F${p.generation}`, p.id, p.class, localTime(p.exposureAt), stationOf.get(p.id) ?? '', p.score.toFixed(3)]);
  printTable(['gen', 'person', 'class', `exposure (${DEFAULT_TZ})`, 'station', 'score'], rows);
  const perGen = Object.entries(generationCounts(r, r.params.depth))
    .map(([g, n]) => `F${g} ${n}`)
    .join(', ');
  const closeness = r.params.closeOnly
    ? `close contacts only (≥ ${minutes(r.params.closeSeconds)})`
    : `${r.stats.closePeople} close (≥ ${minutes(r.params.closeSeconds)} together)`;
  console.log(
    `F0 ${r.f0}: ${r.stats.people} people (${perGen}), ${closeness}, ${r.stats.contacts} contacts, ${r.params.mode}, ` +
      `tolerance ${r.params.toleranceSeconds / 60} min, ${localTime(r.params.from)} → ${localTime(r.params.to)}` +
      `${r.params.until !== undefined && r.params.until !== r.params.to ? ` (until ${localTime(r.params.until)})` : ''}, ${r.stats.milliseconds} ms`,
  );
  if (r.sensitivity) {
    console.log('');
    const gens = Object.keys(r.sensitivity[0]?.counts ?? {});
    printTable(
      ['tolerance', ...gens.map((g) => `F${g}`), ...gens.map((g) => `close F${g}`)],
      r.sensitivity.map((s) => [`${s.toleranceSeconds / 60} min`, ...gens.map((g) => String(s.counts[g] ?? 0)), ...gens.map((g) => String(s.closeCounts[g] ?? 0))]),
    );
  }
}

/** Seconds as minutes, whole when they are (`15 min`, `1.5 min`). */
function minutes(seconds: number): string {
  return `${Math.round((seconds / 60) * 100) / 100} min`;
}

export function printTable(head: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}
