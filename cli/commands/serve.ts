import type { Command } from 'commander';
import { z } from 'zod';
import { invalidInput } from '../../engine/errors';
import { logger } from '../../engine/logger';
import { serveCluster, workerRole } from '../../api/cluster';
import { serve } from '../../api/main';
import { settingsFromEnv } from '../../api/settings';
import { importRunner } from '../../api/import-runner';
import { action } from '../run';

const Flags = z.object({
  port: z.coerce.number().int().min(0).max(65_535),
  host: z.string().min(1),
  workers: z.coerce.number().int().min(1).max(64),
});

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the API (and the view, once built) until SIGTERM or Ctrl-C')
    .option('--port <n>', 'TCP port (0: any free port)', process.env['PORT'] ?? '8080')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--workers <n>', 'server processes sharing the port (api/cluster.ts): up to one per core', process.env['TRUYVET_WORKERS'] ?? '1')
    .action(
      action(async (raw: Record<string, unknown>) => {
        const parsed = Flags.safeParse(raw);
        if (!parsed.success) throw invalidInput('bad flags', parsed.error.issues.map((i) => ({ field: `--${i.path.join('.')}`, reason: i.message })));
        const { workers, port, host } = parsed.data;
        const worker = workerRole();
        const running =
          workers > 1 && worker === undefined
            ? await serveCluster({ workers, settings: settingsFromEnv(), logger })
            : await serve({ port, host, settings: settingsFromEnv(), logger: worker ? logger.child({ worker: worker.index, pid: process.pid }) : logger, importRunner, ...(worker ? { worker } : {}) });
        const url = await running.url;
        // A worker says nothing on stdout: the primary prints the address once they all listen.
        if (worker === undefined) console.log(`truyvet API listening on ${url} (OpenAPI: ${url}/api/openapi.json${workers > 1 ? `; ${workers} workers` : ''})`);
        const onSignal = () => void running.stop();
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
        await running.closed;
        // A worker's channel to the primary would keep it alive.
        if (worker !== undefined) process.disconnect?.();
      }),
    );
}
