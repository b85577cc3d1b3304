import type { Command } from 'commander';
import { describeCollisions, describeIndexProgress, migrate, SCHEMA } from '../../engine/db';
import { action } from '../run';

export function register(program: Command): void {
  const cmd = program.command('db').description('the graph schema');
  cmd
    .command('migrate')
    .description('create the constraints and indexes truyvet needs (idempotent)')
    .action(
      action(async () => {
        const report = await migrate((building) => console.error(describeIndexProgress(building)));
        console.log(`schema up to date: ${SCHEMA.length} constraints and indexes`);
        for (const line of describeCollisions(report.usernameCollisions)) console.error(`warning: ${line}`);
      }),
    );
}
