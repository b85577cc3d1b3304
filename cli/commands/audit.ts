import type { Command } from 'commander';
import { AUDIT_ACTIONS, type AuditAction } from '../../engine/audit/chain';
import { defaultChain, listAudit, verifyAudit } from '../../engine/audit/store';
import { invalidInput } from '../../engine/errors';
import { action, EXIT } from '../run';
import { flagInstant } from './trace';

export function register(program: Command): void {
  const cmd = program.command('audit').description('the tamper-evident audit log');

  cmd
    .command('verify')
    .description('check the hash chain; exit 1 and name the first bad seq when an event was edited or deleted')
    .option('--chain <name>', 'which chain (default: TRUYVET_AUDIT_CHAIN or main)', defaultChain())
    .option('--json', 'print the report as JSON')
    .action(
      action(async (o: { chain: string; json?: boolean }) => {
        const r = await verifyAudit(o.chain);
        if (o.json) console.log(JSON.stringify(r));
        else if (r.ok) console.log(`audit chain '${r.chain}' intact: ${r.events} events, head seq ${r.headSeq}, head hash ${r.headHash}`);
        else {
          console.log(`audit chain '${r.chain}' BROKEN: ${r.problems.length} problem(s) in ${r.events} events; first bad seq ${r.problems[0]?.seq ?? '?'}`);
          for (const p of r.problems.slice(0, 50)) console.log(`  seq ${p.seq}: ${p.reason}`);
        }
        return r.ok ? EXIT.ok : EXIT.failure;
      }),
    );

  cmd
    .command('list')
    .description('print events, oldest first, as JSON lines (the command line\'s own traces and hotspots too: role cli, actor os:<user>@<host>)')
    .option('--chain <name>', 'which chain (default: TRUYVET_AUDIT_CHAIN or main)', defaultChain())
    .option('--after <seq>', 'events after this seq', '0')
    .option('--limit <n>', 'how many', '100')
    .option('--from <iso>', 'events at or after this instant (no offset = Ho Chi Minh City time)')
    .option('--to <iso>', 'events at or before this instant')
    .option('--actor <name>', 'one actor: an account, system, or os:<user>@<host>')
    .option('--action <action>', `one action (${AUDIT_ACTIONS.join(', ')})`)
    .option('--request-ref <ref>', "one request number of the health authority")
    .action(
      action(async (o: { chain: string; after: string; limit: string; from?: string; to?: string; actor?: string; action?: string; requestRef?: string }) => {
        if (o.action !== undefined && !(AUDIT_ACTIONS as readonly string[]).includes(o.action)) {
          throw invalidInput(`--action '${o.action}' is not an audit action`, [{ field: '--action', reason: `one of ${AUDIT_ACTIONS.join(', ')}` }]);
        }
        const events = await listAudit({
          chain: o.chain,
          afterSeq: Number(o.after) || 0,
          limit: Math.min(10_000, Number(o.limit) || 100),
          ...(o.from !== undefined ? { from: flagInstant('--from', o.from) } : {}),
          ...(o.to !== undefined ? { to: flagInstant('--to', o.to) } : {}),
          ...(o.actor !== undefined ? { actor: o.actor } : {}),
          ...(o.action !== undefined ? { action: o.action as AuditAction } : {}),
          ...(o.requestRef !== undefined ? { requestRef: o.requestRef } : {}),
        });
        for (const e of events) console.log(JSON.stringify(e));
      }),
    );
}
