import type { Command } from 'commander';
import { z } from 'zod';
import { clustersFor } from '../../engine/clusters';
import { instant } from '../../engine/input';
import { DEFAULT_TZ } from '../../engine/time';
import { auditCli } from '../lawful-access';
import { action } from '../run';
import { localTime, parseFlags, printTable, wholeFlag } from './trace';

/**
 * `truyvet clusters`: the clusters across days (docs/outbreaks.md), national, most recently
 * changed first: id, index case, size, first and last confirmation, days, communes, the clusters
 * merged into it. Audited as the API's read is (counts, never who).
 */
export function register(program: Command): void {
  program
    .command('clusters')
    .description('clusters across days: cases joined by the links of outbreak runs, with a stable id (audited)')
    .option('--since <iso>', 'only clusters changed at or after this instant (no offset = Ho Chi Minh City time)')
    .option('--limit <n>', 'at most this many clusters', '100')
    .option('--json', 'print {clusters: [...]} as GET /api/clusters answers a national tracer')
    .action(action(async (o: { since?: string; limit: string; json?: boolean }) => listClusters(o)));
}

async function listClusters(o: { since?: string; limit: string; json?: boolean }): Promise<void> {
  const now = Date.now();
  const { since } = parseFlags(z.strictObject({ since: instant(() => now).optional() }), { since: '--since' }, o.since !== undefined ? { since: o.since } : {});
  const limit = wholeFlag('--limit', o.limit);
  const clusters = await clustersFor({ scope: undefined, ...(since !== undefined ? { since } : {}), skip: 0, limit: Math.max(1, Math.min(limit, 10_000)) });
  await auditCli({ action: 'clusters.read', outcome: 'ok', count: clusters.reduce((n, c) => n + c.cases.length, 0), details: { clusters: clusters.length } });
  if (o.json === true) {
    console.log(JSON.stringify({ clusters }, null, 2));
    return;
  }
  printTable(
    ['cluster', 'index case', 'size', `first confirmed (${DEFAULT_TZ})`, 'last confirmed', 'days', 'communes', 'merged'],
    clusters.map((c) => [c.id, c.indexCase ?? '', String(c.size), localTime(c.firstConfirmedAt), localTime(c.lastConfirmedAt), String(c.days.length), String(c.communes.length), c.merged.join(',')]),
  );
  console.error(`${clusters.length} cluster${clusters.length === 1 ? '' : 's'}`);
}
