import type { Command } from 'commander';
import { rawKeys } from '../../engine/db';
import { invalidInput, notFound } from '../../engine/errors';
import { normalizeRawKey, pseudonym } from '../../engine/identity';
import { DEFAULT_TZ } from '../../engine/time';
import { DEFAULT_HOTSPOTS, hotspots, periodSchema } from '../../engine/trace';
import { auditedRead, lawfulRequest } from '../lawful-access';
import { action } from '../run';
import { cliContext, localTime, parseFlags, printTable, TRACE_FLAGS, wholeFlag } from './trace';

/**
 * `truyvet hotspots`: station × time-window cells ranked by how many of the cases passed there.
 * The cases are required: the graph has no list of confirmed cases, the tracer brings it. Like a
 * trace, it needs a request number and a purpose and is audited (cli/lawful-access.ts).
 */
export function register(program: Command): void {
  program
    .command('hotspots')
    .description("rank station × time-window cells by the cases' passages in them")
    .requiredOption('--from <iso>', 'start (ISO 8601; no offset = Ho Chi Minh City time)')
    .requiredOption('--to <iso>', 'end')
    .requiredOption('--cases <ids>', 'the cases: person ids as in passages.csv, comma-separated')
    .requiredOption('--request-ref <ref>', "the health authority's request number (audited)")
    .requiredOption('--purpose <text>', 'why the cells are ranked (audited)')
    .option('--limit <n>', 'how many cells', String(DEFAULT_HOTSPOTS))
    .option('--close-only', 'count only stays that can be part of a close contact (at least TRUYVET_CLOSE_SECONDS); a checkpoint scan never is')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { from: string; to: string; cases: string; requestRef: string; purpose: string; limit: string; closeOnly?: boolean; json?: boolean }) => {
        const req = lawfulRequest(o);
        const raws = [...new Set(o.cases.split(',').map(normalizeRawKey).filter((c) => c !== ''))];
        if (raws.length === 0) throw invalidInput('--cases must name at least one person', [{ field: '--cases', reason: 'empty' }]);
        const pidToRaw = new Map(raws.map((r) => [pseudonym(r), r]));
        // The period as a trace's: the same instants, order and longest period (engine/trace/request.ts).
        const { from, to } = parseFlags(periodSchema(cliContext()), TRACE_FLAGS, { from: o.from, to: o.to });
        const limit = wholeFlag('--limit', o.limit);
        const { r, more } = await auditedRead(
          'hotspots.read',
          req,
          async () => {
            const r = await hotspots({ cases: [...pidToRaw.keys()], from, to, limit, closeOnly: o.closeOnly === true });
            if (r.missing.length > 0) throw notFound(`unknown person${r.missing.length > 1 ? 's' : ''}: ${r.missing.map((m) => `'${pidToRaw.get(m) ?? m}'`).join(', ')}`);
            return { r, more: await rawKeys([...new Set(r.hotspots.flatMap((h) => h.people))].filter((p) => !pidToRaw.has(p))) };
          },
          // As the API audits hotspots: how many cases, how many cells.
          ({ r }) => ({ count: raws.length, details: { cells: r.hotspots.length, closeOnly: r.closeOnly } }),
        );
        const k = (pid: string): string => pidToRaw.get(pid) ?? more.get(pid) ?? pid;
        const out = {
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          windowSeconds: r.windowSeconds,
          closeOnly: r.closeOnly,
          cases: raws,
          hotspots: r.hotspots.map((h) => ({ ...h, people: h.people.map(k).sort() })),
        };
        if (o.json === true) {
          console.log(JSON.stringify(out));
          return;
        }
        printTable(
          ['#', 'station', 'name', `window (${DEFAULT_TZ})`, 'cases', 'passages'],
          out.hotspots.map((h, i) => [String(i + 1), h.stationId, h.stationName, `${localTime(h.windowStart)} +${r.windowSeconds / 60}m`, String(h.cases), String(h.passages)]),
        );
        console.log(
          `${out.hotspots.length} cells for ${raws.length} case${raws.length > 1 ? 's' : ''}, ${localTime(out.from)} → ${localTime(out.to)}${r.closeOnly ? ', stays long enough for a close contact only' : ''}`,
        );
      }),
    );
}
