import { serveCluster, workerRole } from '../api/cluster';
import { importRunner } from '../api/import-runner';
import { serve } from '../api/main';
import { settingsFromEnv } from '../api/settings';
import { logger } from '../engine/logger';

export interface ServingFlags {
  readonly port: number;
  readonly host: string;
  /** Server processes sharing the port (api/cluster.ts); 1: this process alone. */
  readonly workers: number;
}

/**
 * Serves the API and the view until SIGTERM or Ctrl-C, for `serve` and `up`: in this process, or
 * with more than one worker as the primary of a cluster. The primary forks its workers by running
 * the same command again, so in a worker process this is all the command does (workerRole()),
 * and the worker says nothing on stdout: `announce` runs once, in the primary, when every worker
 * listens.
 */
export async function serveUntilStopped(f: ServingFlags, announce: (url: string) => void): Promise<void> {
  const worker = workerRole();
  const settings = settingsFromEnv();
  const running =
    f.workers > 1 && worker === undefined
      ? await serveCluster({ workers: f.workers, settings, logger })
      : await serve({
          port: f.port,
          host: f.host,
          settings,
          logger: worker ? logger.child({ worker: worker.index, pid: process.pid }) : logger,
          importRunner,
          ...(worker ? { worker } : {}),
        });
  const url = await running.url;
  if (worker === undefined) announce(url);
  const onSignal = () => void running.stop();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await running.closed;
  // A worker's channel to the primary would keep it alive.
  if (worker !== undefined) process.disconnect?.();
}
