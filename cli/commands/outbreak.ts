import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { registerTracedCases, selectCases } from '../../engine/cases';
import { migrate, rawKeys } from '../../engine/db';
import { TruyvetError, validationFailed } from '../../engine/errors';
import { loadProfile, parseMapSpec, readCasesFile } from '../../engine/import';
import { DEFAULT_OUTBREAK_MAX_CONTACTS, outbreakResultOf, outbreakTraceShaped, outbreakRequestSchema, runPeriodProblem, type OutbreakProgress, type ShapedOutbreak } from '../../engine/outbreak';
import { createRun, newOutbreakRunId, storeShapedRun } from '../../engine/outbreak-store';
import { DEFAULT_TRACE_MAX_DAYS, generationCounts, peoplePerGeneration } from '../../engine/trace';
import { traceMaxDays } from '../../engine/config';
import { DEFAULT_DEPTH, type OutbreakCase, type OutbreakResult } from '../../engine/types';
import { cliInstance } from '../../api/instance';
import { auditCli, auditedRead, cliActor, lawfulRequest } from '../lawful-access';
import { action } from '../run';
import { cliContext, localTime, parseFlags, printTable, wholeFlag } from './trace';

/**
 * `truyvet outbreak trace`: many confirmed cases traced at once (DESIGN.md, "Outbreak semantics"),
 * from a cases file (`--cases FILE`, read by the import's rules) or the registry (`--confirmed-since`).
 * Like `truyvet trace`, it needs the health authority's request number and a purpose, is audited
 * (cli/lawful-access.ts) and speaks the files' raw person keys. The run is stored as the API stores
 * one (docs/outbreaks.md): its sealed result, its `(:OutbreakRun)` record, CONTACT and LINKED
 * relationships, so it shows in `GET /api/outbreaks` (owned by `os:<user>@<host>`) and in the graph;
 * the cases of a file are registered first, as `truyvet cases import` would. `--no-store` runs it in
 * memory only and writes nothing but the audit event.
 */
export function register(program: Command): void {
  const outbreak = program.command('outbreak').description('outbreak runs: many confirmed cases traced at once, with links and clusters between them');
  outbreak
    .command('trace')
    .description('trace every F1, F2, … of many cases at once, with the cases each reached, links and clusters (audited)')
    .option('--cases <file>', 'a cases file (case_id, person_id, confirmed_at, onset_at, infectious_from, infectious_to), read by the import rules; registered unless --no-store')
    .option('--profile <name>', "the cases file's import profile (lab-vn for a laboratory's Vietnamese export)")
    .option('--map <src=dest,…>', "the cases file's columns renamed")
    .option('--confirmed-since <iso>', 'instead of a file: the registered cases confirmed at or after this instant (no offset = Ho Chi Minh City time)')
    .option('--confirmed-until <iso>', '… and at or before this one')
    .requiredOption('--request-ref <ref>', "the health authority's request number (audited)")
    .requiredOption('--purpose <text>', 'why this run is made (audited)')
    .option('--until <iso>', "horizon: no contact after it counts (default: the latest end of the cases' infectious periods)")
    .option('--depth <n>', 'generations to trace, 1 to 6', String(DEFAULT_DEPTH))
    .option('--tolerance <d>', 'co-location tolerance, e.g. 15m', '15m')
    .option('--naive', 'ignore the time order from F2 on')
    .option('--close-only', 'only close contacts count, at every generation')
    .option('--max-contacts <n>', 'stop with an error past this many contact edges (the result is held in memory)', String(DEFAULT_OUTBREAK_MAX_CONTACTS))
    .option('--follow-up-f2', 'close F2s become follow-ups too (default: close F1s only); needs the run stored')
    .option('--no-store', 'do not store the run (no record, no CONTACT/LINKED relationships, no case registered); only the audit event')
    .option('--json', 'print the OutbreakResult as JSON (with `run`, the stored run id)')
    .action(action(async (o: OutbreakFlags) => runOutbreak(o)));
}

interface OutbreakFlags {
  cases?: string;
  profile?: string;
  map?: string;
  confirmedSince?: string;
  confirmedUntil?: string;
  requestRef: string;
  purpose: string;
  until?: string;
  depth: string;
  tolerance: string;
  naive?: boolean;
  closeOnly?: boolean;
  followUpF2?: boolean;
  maxContacts: string;
  store: boolean;
  json?: boolean;
}

/** The flag each field of a run request comes from, to name it in an error. */
const FLAGS: Readonly<Record<string, string>> = {
  caseIds: '--cases',
  confirmedSince: '--confirmed-since',
  confirmedUntil: '--confirmed-until',
  until: '--until',
  depth: '--depth',
  tolerance: '--tolerance',
  mode: '--naive',
  closeOnly: '--close-only',
  followUpF2: '--follow-up-f2',
};

async function runOutbreak(o: OutbreakFlags): Promise<void> {
  const req = lawfulRequest(o);
  const now = Date.now();
  const fromFile = o.cases !== undefined;
  if (fromFile && (o.confirmedSince !== undefined || o.confirmedUntil !== undefined)) {
    throw validationFailed('give the cases either as a file (--cases) or by confirmation time (--confirmed-since), not both', [{ field: '--cases', reason: 'with --confirmed-since' }]);
  }
  if (!fromFile && (o.profile !== undefined || o.map !== undefined)) throw validationFailed('--profile and --map read a cases file: give --cases FILE', [{ field: o.profile !== undefined ? '--profile' : '--map', reason: 'without --cases' }]);
  const request = parseFlags(outbreakRequestSchema(cliContext(now), { casesGiven: fromFile }), FLAGS, {
    ...(o.confirmedSince !== undefined ? { confirmedSince: o.confirmedSince } : {}),
    ...(o.confirmedUntil !== undefined ? { confirmedUntil: o.confirmedUntil } : {}),
    ...(o.until !== undefined ? { until: o.until } : {}),
    depth: wholeFlag('--depth', o.depth),
    tolerance: o.tolerance,
    mode: o.naive === true ? 'naive' : 'time-respecting',
    closeOnly: o.closeOnly === true,
    followUpF2: o.followUpF2 === true,
  });
  const maxContacts = wholeFlag('--max-contacts', o.maxContacts);
  const cases = fromFile ? await casesOfFile(o.cases!, o, now) : await casesOfRegistry(request.selection);
  const by = fromFile ? '--cases' : '--confirmed-since';
  if (cases.length === 0) throw validationFailed(fromFile ? `${o.cases!} holds no case` : 'no registered case was confirmed in that window', [{ field: by, reason: 'no case to trace' }]);
  const problem = runPeriodProblem(cases, request.until, traceMaxDays(DEFAULT_TRACE_MAX_DAYS));
  if (problem) throw validationFailed(problem.reason, [{ field: problem.field === 'until' ? '--until' : by, reason: problem.reason }]);
  if (o.store) await migrate();

  const params = { cases, ...(request.until !== undefined ? { until: request.until } : {}), depth: request.depth, toleranceSeconds: request.toleranceSeconds, mode: request.mode };
  const bar = process.stderr.isTTY ? progressBar(request.depth) : undefined;
  const run = async (): Promise<{ shaped: ShapedOutbreak; id?: string }> => {
    try {
      const shaped = await outbreakTraceShaped(params, { maxContacts, ...(bar ? { onGeneration: bar.update } : {}) });
      if (!o.store) return { shaped };
      bar?.writing();
      return { shaped, id: await store(shaped, cases, request, req, fromFile, bar?.writing) };
    } finally {
      bar?.stop();
    }
  };
  // What the API audits for a run: request, purpose, counts; never who was found, nor which cases.
  const { shaped, id } = await auditedRead('outbreak.create', req, run, ({ shaped: s, id: runId }) => ({
    count: s.head.stats.people,
    details: {
      ...(runId !== undefined ? { run: runId } : {}),
      cases: s.head.cases.length,
      depth: s.head.params.depth,
      mode: s.head.params.mode,
      closeOnly: request.closeOnly,
      ...peoplePerGeneration(s),
      links: s.head.stats.links,
      clusters: s.head.stats.clusters,
      stored: runId !== undefined,
    },
  }));
  const result = await withRawIds(outbreakResultOf(shaped));
  if (o.json === true) console.log(JSON.stringify({ ...(id !== undefined ? { run: id } : {}), ...result }));
  else printRun(result, id);
}

/** Cases of a file by the import's rules; any reject stops the run (a run that silently missed a case would mislead). */
async function casesOfFile(file: string, o: OutbreakFlags, now: number): Promise<OutbreakCase[]> {
  const r = await readCasesFile(file, { now, ...(o.profile !== undefined ? { profile: loadProfile(o.profile) } : {}), ...(o.map !== undefined ? { map: parseMapSpec(o.map) } : {}) });
  for (const w of r.warnings) console.error(`truyvet: warning: ${w}`);
  if (r.rejects.length > 0) {
    throw new TruyvetError(
      'validation',
      `${file}: ${r.rejects.length} line${r.rejects.length > 1 ? 's' : ''} cannot be read as a case; correct ${r.rejects.length > 1 ? 'them' : 'it'} and run again (nothing was traced)`,
      r.rejects.slice(0, 20).map((x) => ({ line: x.line, field: x.field, reason: x.reason })),
    );
  }
  return r.cases;
}

async function casesOfRegistry(s: { confirmedSince?: number; confirmedUntil?: number }): Promise<OutbreakCase[]> {
  return (await selectCases({ ...s, scope: undefined })).cases;
}

/**
 * Stores a traced run as the API does: a file's cases registered first (audited as cases.create),
 * the run's record, its CONTACT and LINKED relationships, its sealed result. Returns its id.
 */
async function store(
  shaped: ShapedOutbreak,
  cases: readonly OutbreakCase[],
  request: Parameters<typeof createRun>[2],
  req: { requestRef: string; purpose: string },
  fromFile: boolean,
  onGraph?: (written: number) => void,
): Promise<string> {
  const now = Date.now();
  if (fromFile) {
    const done = await registerTracedCases(cases, { by: cliActor(), now, source: 'outbreak-file' });
    await auditCli({ action: 'cases.create', outcome: 'ok', count: done.created, details: { ...done, source: 'outbreak-file' } });
  }
  const { meta } = await createRun({ id: newOutbreakRunId(), owner: cliActor(), ...req, createdAt: now, source: 'cli', instance: cliInstance(), scope: undefined }, cases, request);
  const outcome = await storeShapedRun(meta.id, shaped, { now: Date.now, followUpF2: request.followUpF2 === true, ...(onGraph ? { onGraph } : {}) });
  if (outcome.status !== 'done') throw new TruyvetError(outcome.code === 'unavailable' ? 'unavailable' : 'invalid_input', `the run was traced but could not be stored: ${outcome.error}`);
  if (outcome.graph.state !== 'written') console.error(`truyvet: warning: run ${meta.id} is stored, but only ${outcome.graph.written} of its CONTACT relationships were written (the graph for Neo4j's tools is incomplete)`);
  return meta.id;
}

/** Every pseudonym in the result replaced by its raw key (kept as is if the graph has none). */
async function withRawIds(r: OutbreakResult): Promise<OutbreakResult> {
  const pids = new Set<string>();
  for (const p of r.people) {
    pids.add(p.id);
    for (const v of p.via) pids.add(v);
  }
  for (const c of r.contacts) pids.add(c.source);
  for (const l of r.links) if (l.via !== undefined) pids.add(l.via);
  const keys = await rawKeys([...pids]);
  const k = (pid: string): string => keys.get(pid) ?? pid;
  return {
    ...r,
    people: r.people.map((p) => ({ ...p, id: k(p.id), via: p.via.map(k).sort() })),
    contacts: r.contacts.map((c) => ({ ...c, source: k(c.source), target: k(c.target) })),
    links: r.links.map((l) => (l.via === undefined ? l : { ...l, via: k(l.via) })),
  };
}

/** Generations read, people, contacts and links so far, on stderr. */
function progressBar(depth: number): { update: (p: OutbreakProgress) => void; writing: (contacts?: number) => void; stop: () => void } {
  const bar = new SingleBar({ format: 'tracing [{bar}] {step} | {people} people | {contacts} contacts | {links} links', stream: process.stderr, hideCursor: true, fps: 5 });
  // The generations, the link round, and storing.
  bar.start(depth + 2, 0, { step: 'F1', people: 0, contacts: 0, links: 0 });
  let stopped = false;
  const n = (x: number) => x.toLocaleString('en');
  return {
    update: (p) => bar.update(Math.min(p.generation, depth + 1), { step: p.generation <= depth ? `F${p.generation} read` : 'links', people: n(p.people), contacts: n(p.contacts), links: n(p.links) }),
    // The CONTACT relationships are most of storing a big run (minutes at 10M passages).
    writing: (contacts) => bar.update(depth + 1, { step: contacts === undefined ? 'storing the run' : `writing CONTACT relationships: ${n(contacts)}` }),
    stop: () => {
      if (stopped) return;
      stopped = true;
      bar.update(depth + 2);
      bar.stop();
    },
  };
}

const MAX_LINKS_SHOWN = 20;

function printRun(r: OutbreakResult, id: string | undefined): void {
  const gens = generationCounts(r, r.params.depth);
  printTable(['cases', 'people', ...Object.keys(gens).map((g) => `F${g}`), 'contacts', 'links', 'clusters'], [
    [String(r.cases.length), String(r.stats.people), ...Object.values(gens).map(String), String(r.stats.contacts), String(r.stats.links), String(r.stats.clusters)],
  ]);
  if (r.clusters.length > 0) {
    console.log('');
    printTable(
      ['cluster', 'index case', 'cases', 'members'],
      r.clusters.map((c) => [c.id, c.index, String(c.cases.length), c.cases.join(' ')]),
    );
  }
  if (r.links.length > 0) {
    console.log('');
    printTable(
      ['link', 'gen', 'contact (Asia/Ho_Chi_Minh)', 'station', 'via'],
      r.links.slice(0, MAX_LINKS_SHOWN).map((l) => [`${l.from} → ${l.to}`, String(l.generation), localTime(l.at), l.stationId, l.via ?? '']),
    );
    if (r.links.length > MAX_LINKS_SHOWN) console.log(`… ${r.links.length - MAX_LINKS_SHOWN} more links (--json prints them all)`);
  }
  console.log(
    `${r.cases.length} cases: ${r.stats.people} people, ${r.stats.contacts} contacts, ${r.stats.links} links, ${r.stats.clusters} clusters; ${r.params.mode}, ` +
      `tolerance ${r.params.toleranceSeconds / 60} min, ${localTime(r.params.from)} → ${localTime(r.params.until)}, ${r.stats.milliseconds} ms` +
      (id !== undefined ? `; stored as run ${id}` : '; not stored'),
  );
}
