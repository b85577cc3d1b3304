import type { Command } from 'commander';
import { z } from 'zod';
import { envText } from '../../engine/config';
import { invalidInput } from '../../engine/errors';
import { action } from '../run';
import { serveUntilStopped } from '../serving';

const Flags = z.object({
  port: z.coerce.number().int().min(0).max(65_535),
  host: z.string().min(1),
  workers: z.coerce.number().int().min(1).max(64),
});

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the API (and the view, once built) until SIGTERM or Ctrl-C')
    .option('--port <n>', 'TCP port (0: any free port)', envText('PORT') ?? '8080')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--workers <n>', 'server processes sharing the port (api/cluster.ts): up to one per core', envText('TRUYVET_WORKERS') ?? '1')
    .action(
      action(async (raw: Record<string, unknown>) => {
        const parsed = Flags.safeParse(raw);
        if (!parsed.success) throw invalidInput('bad flags', parsed.error.issues.map((i) => ({ field: `--${i.path.join('.')}`, reason: i.message })));
        const { workers } = parsed.data;
        await serveUntilStopped(parsed.data, (url) => console.log(`truyvet API listening on ${url} (OpenAPI: ${url}/api/openapi.json${workers > 1 ? `; ${workers} workers` : ''})`));
      }),
    );
}
