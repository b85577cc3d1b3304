import { Command } from 'commander';
import { register as registerNeo4j } from './commands/neo4j';
import { register as registerDb } from './commands/db';
import { register as registerGenerate } from './commands/generate';
import { register as registerServe } from './commands/serve';
import { register as registerAccounts } from './commands/accounts';
import { register as registerAudit } from './commands/audit';
import { register as registerPurge } from './commands/purge';
import { register as registerTrace } from './commands/trace';
import { register as registerExposure } from './commands/exposure';
import { register as registerHotspots } from './commands/hotspots';
import { register as registerDeclarations } from './commands/declarations';
import { register as registerImport } from './commands/import';
import { register as registerCases } from './commands/cases';
import { register as registerOutbreak } from './commands/outbreak';
import { register as registerClusters } from './commands/clusters';
import { register as registerFollowups } from './commands/followups';
import { register as registerUp } from './commands/up';

/**
 * `truyvet …`: one module per command family under cli/commands, each exporting `register`.
 * Connection settings come from NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD (docs/operations.md).
 */
const program = new Command();
program
  .name('truyvet')
  .description('contact tracing over checkpoint movement data, on Neo4j')
  .showHelpAfterError()
  .configureOutput({ outputError: (s, write) => write(`truyvet: ${s.replace(/^error: /, '')}`) })
  .exitOverride((err) => {
    process.exit(err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2);
  });

registerNeo4j(program);
registerDb(program);
registerGenerate(program);
registerServe(program);
registerAccounts(program);
registerAudit(program);
registerPurge(program);
registerTrace(program);
registerHotspots(program);
registerExposure(program);
registerDeclarations(program);
registerImport(program);
registerCases(program);
registerOutbreak(program);
registerClusters(program);
registerFollowups(program);
registerUp(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`truyvet: ${(e as Error).message}`);
  process.exitCode = 1;
});
