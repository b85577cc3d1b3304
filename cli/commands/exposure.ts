import type { Command } from 'commander';
import { rawKeys } from '../../engine/db';
import { exposureCandidates, venueExposure } from '../../engine/exposure';
import { DEFAULT_TZ } from '../../engine/time';
import { periodSchema } from '../../engine/trace';
import { auditedRead, lawfulRequest } from '../lawful-access';
import { action } from '../run';
import { cliContext, localTime, parseFlags, printTable, TRACE_FLAGS } from './trace';

/** Most people the command line lists; a venue busier than that is truncated (and says so). */
const MAX_PEOPLE = 100_000;

/**
 * `truyvet exposure`: everyone at a station in a window (a market outbreak with no known case),
 * as POST /api/exposures finds them, printed rather than stored. Like a trace it needs a request
 * number and a purpose and is audited as the API audits it (cli/lawful-access.ts).
 */
export function register(program: Command): void {
  program
    .command('exposure')
    .description('everyone at a station in a window: a venue exposure')
    .requiredOption('--station <id>', 'the station id as in stations.csv')
    .requiredOption('--from <iso>', 'start (ISO 8601; no offset = Ho Chi Minh City time)')
    .requiredOption('--to <iso>', 'end')
    .requiredOption('--request-ref <ref>', "the health authority's request number (audited)")
    .requiredOption('--purpose <text>', 'why (audited)')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { station: string; from: string; to: string; requestRef: string; purpose: string; json?: boolean }) => {
        const req = lawfulRequest(o);
        // The window as a trace's period: the same instants, order and longest period.
        const { from, to } = parseFlags(periodSchema(cliContext()), TRACE_FLAGS, { from: o.from, to: o.to });
        const { r, keys } = await auditedRead(
          'exposure.create',
          req,
          async () => {
            const r = await venueExposure({ stationId: o.station, from, to }, { scope: undefined, maxPeople: MAX_PEOPLE });
            return { r, keys: await rawKeys(r.people.map((p) => p.id)) };
          },
          ({ r }) => ({ count: r.people.length, details: { stationId: o.station, closePeople: r.stats.closePeople, truncated: r.truncated } }),
        );
        const k = (pid: string): string => keys.get(pid) ?? pid;
        const out = { ...r, people: r.people.map((p) => ({ ...p, id: k(p.id) })), candidates: exposureCandidates(r).map((c) => ({ ...c, personId: k(c.personId) })) };
        if (o.json === true) {
          console.log(JSON.stringify(out));
          return;
        }
        printTable(
          ['#', 'person', `first there (${DEFAULT_TZ})`, 'stay', 'class'],
          out.people.map((p, i) => [String(i + 1), p.id, localTime(p.exposureAt), `${Math.round(p.staySeconds / 60)} min`, p.class]),
        );
        console.log(`${r.stats.people} people (${r.stats.closePeople} close) at ${o.station}, ${localTime(r.params.from)} → ${localTime(r.params.to)}${r.truncated ? `, the first ${MAX_PEOPLE} only` : ''}`);
      }),
    );
}
