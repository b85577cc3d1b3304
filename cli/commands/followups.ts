import type { Command } from 'commander';
import { rawKeys } from '../../engine/db';
import { validationFailed } from '../../engine/errors';
import { followUpsFor, followUpStatusFilter } from '../../engine/followups';
import { isoUtc } from '../../engine/time';
import { auditCli } from '../lawful-access';
import { action, EXIT } from '../run';
import { localTime, printTable } from './trace';

/**
 * `truyvet followups [--status …] [--json]`: the follow-ups of the whole country (the command
 * line has no jurisdiction), open ones first by quarantine end, with the people's raw keys (as
 * `truyvet trace` prints them; names and phones stay with the officers' list, GET /api/followups).
 * Audited as the operating-system user (role cli), like every read of the command line.
 */
export function register(program: Command): void {
  program
    .command('followups')
    .description('follow-ups of outbreak runs: status, person, home, quarantine end (audited)')
    .option('--status <list>', 'comma-separated statuses (to_contact, reached, unreachable, quarantined, released, tested_positive), open or all', 'open')
    .option('--limit <n>', 'at most this many', '1000')
    .option('--json', 'print them as JSON lines')
    .action(action(async (o: { status: string; limit: string; json?: boolean }) => list(o)));
}

async function list(o: { status: string; limit: string; json?: boolean }): Promise<number> {
  const parsed = followUpStatusFilter.safeParse(o.status);
  if (!parsed.success) throw validationFailed(parsed.error.issues[0]?.message ?? 'bad --status', [{ field: '--status', reason: parsed.error.issues[0]?.message ?? 'bad' }]);
  const limit = Number(o.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw validationFailed('--limit must be a whole number from 1 to 100000', [{ field: '--limit', reason: '1 to 100000' }]);
  const found = await followUpsFor({ scope: undefined, statuses: parsed.data, skip: 0, limit });
  const keys = await rawKeys(found.followUps.map((f) => f.personId));
  await auditCli({ action: 'followups.read', outcome: 'ok', count: keys.size, details: { followUps: found.followUps.length, status: parsed.data.join(',') } });
  const rows = found.followUps.map((f) => ({
    id: f.id,
    status: f.status,
    person: keys.get(f.personId) ?? f.personId,
    generation: f.generation,
    class: f.class,
    home: { province: f.province, district: f.district, commune: f.commune },
    exposureAt: isoUtc(f.exposureAt),
    quarantineUntil: isoUtc(f.quarantineUntil),
    sources: f.sources,
    ...(f.caseId !== null ? { caseId: f.caseId } : {}),
  }));
  if (o.json === true) {
    for (const r of rows) console.log(JSON.stringify(r));
    return EXIT.ok;
  }
  printTable(
    ['follow-up', 'status', 'person', 'F', 'class', 'home', 'quarantine until (Asia/Ho_Chi_Minh)', 'sources'],
    rows.map((r) => [r.id, r.status, r.person, String(r.generation), r.class, [r.home.province, r.home.district, r.home.commune].filter((x) => x !== '').join('/') || '-', localTime(r.quarantineUntil), r.sources.join(' ')]),
  );
  console.log(`${rows.length} follow-up${rows.length === 1 ? '' : 's'} (${parsed.data.join(', ')})`);
  return EXIT.ok;
}
