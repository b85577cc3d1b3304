import type { Command } from 'commander';
import { z } from 'zod';
import { invalidInput } from '../../engine/errors';
import { logger } from '../../engine/logger';
import { serve } from '../../api/main';
import { settingsFromEnv } from '../../api/settings';
import { importRunner } from '../../api/import-runner';
import { action } from '../run';

const Flags = z.object({
  port: z.coerce.number().int().min(0).max(65_535),
  host: z.string().min(1),
});

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the API (and the view, once built) until SIGTERM or Ctrl-C')
    .option('--port <n>', 'TCP port (0: any free port)', process.env['PORT'] ?? '8080')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .action(
      action(async (raw: Record<string, unknown>) => {
        const parsed = Flags.safeParse(raw);
        if (!parsed.success) throw invalidInput('bad flags', parsed.error.issues.map((i) => ({ field: `--${i.path.join('.')}`, reason: i.message })));
        const running = await serve({ ...parsed.data, settings: settingsFromEnv(), logger, importRunner });
        console.log(`truyvet API listening on ${running.url} (OpenAPI: ${running.url}/api/openapi.json)`);
        const onSignal = () => void running.stop();
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
        await running.closed;
      }),
    );
}
