import type { Command } from 'commander';
import { parseJurisdiction } from '../../engine/accounts/roles';
import { appendAudit } from '../../engine/audit/store';
import { caseRetentionDays, followUpRetentionDays } from '../../engine/config';
import { invalidInput } from '../../engine/errors';
import { DEFAULT_PURGE_BATCH, purge } from '../../engine/retention/purge';
import { parseRetention } from '../../engine/retention/schedule';
import { declarationRetentionDaysFromEnv, retentionDaysFromEnv } from '../../api/settings';
import { cliActor } from '../lawful-access';
import { action } from '../run';

export function register(program: Command): void {
  program
    .command('purge')
    .description('delete passages and scans older than the retention period, declarations, ended follow-ups and closed cases past theirs, ended isolations and old trace results (audited)')
    .option('--older-than <period>', 'retention period, e.g. 21d, 36h (default: TRUYVET_RETENTION_DAYS, 21 days)')
    .option('--dry-run', 'count what would be deleted, delete nothing')
    .option('--jurisdiction <path>', 'only stations inside province[/district[/commune]]')
    .option('--batch <n>', 'passages per transaction', String(DEFAULT_PURGE_BATCH))
    .option('--json', 'print the report as one JSON line')
    .action(
      action(async (o: { olderThan?: string; dryRun?: boolean; jurisdiction?: string; batch: string; json?: boolean }) => {
        const olderThanMs = o.olderThan === undefined ? retentionDaysFromEnv() * 86_400_000 : parseRetention(o.olderThan);
        if (olderThanMs === undefined) throw invalidInput(`--older-than '${o.olderThan ?? ''}' is not a period like 21d, 36h or 90m`, [{ field: '--older-than', reason: 'not a period' }]);
        const batchSize = Number(o.batch);
        if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) throw invalidInput('--batch must be a whole number from 1 to 100000');
        let scope;
        try {
          scope = o.jurisdiction === undefined ? undefined : parseJurisdiction(o.jurisdiction);
        } catch (e) {
          throw invalidInput((e as Error).message, [{ field: '--jurisdiction', reason: 'province[/district[/commune]]' }]);
        }
        const now = Date.now();
        const declarationRetentionDays = declarationRetentionDaysFromEnv();
        const [fuDays, caseDays] = [followUpRetentionDays(), caseRetentionDays()];
        const report = await purge({
          now,
          olderThanMs,
          declarationRetentionMs: declarationRetentionDays * 86_400_000,
          followUpRetentionMs: fuDays * 86_400_000,
          caseRetentionMs: caseDays * 86_400_000,
          dryRun: o.dryRun === true,
          batchSize,
          ...(scope ? { scope } : {}),
        });
        await appendAudit(
          {
            actor: cliActor(),
            role: 'cli',
            action: 'purge',
            outcome: 'ok',
            details: { ...report, olderThanSeconds: olderThanMs / 1000, declarationRetentionDays, followUpRetentionDays: fuDays, caseRetentionDays: caseDays, jurisdiction: o.jurisdiction ?? '*' },
          },
          Date.now(),
        );
        if (o.json) console.log(JSON.stringify(report));
        else {
          const verb = report.dryRun ? 'would delete' : 'deleted';
          console.log(
            `${verb} ${report.passages} passages (${report.relationships} links), ${report.windows} empty windows, ${report.scans} scans, ${report.declarations} declarations, ${report.isolations} ended isolations, ${report.followUps} ended follow-ups, ${report.cases} closed cases (${report.clusters} clusters left empty), ${report.people} people left without data, ${report.traceResults} stored trace results, ${report.exposureResults} venue exposure results, ${report.outbreakResults} outbreak run results (${report.outbreakContacts} CONTACT relationships); cut-off ${report.cutoff} (${report.seconds} s)`,
          );
        }
      }),
    );
}
