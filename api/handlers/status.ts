import type { AppContext } from '../context';
import type { ProcessFigures } from '../cluster-status';
import { handler } from '../context';
import { routes } from '../routes';

const MB = 1024 * 1024;

/** This process's figures: memory, uptime and its trace gate's counts. */
export function processFigures(app: AppContext): ProcessFigures {
  const m = process.memoryUsage();
  return {
    pid: process.pid,
    uptimeSeconds: Math.floor(process.uptime()),
    memory: { rssMB: Math.round(m.rss / MB), heapUsedMB: Math.round(m.heapUsed / MB) },
    traces: { running: app.traceGate.active, waiting: app.traceGate.waiting, refused: app.traceGate.refused },
  };
}

/**
 * What an operator needs to tell a busy server from a broken one, without a database read: the
 * trace gate's counts explain 503 `busy` answers. The answering process's figures; with
 * `--workers N`, every worker's too (through the primary), since each request lands on one.
 */
export const status = handler(routes.status, async ({ app }) => {
  const own = processFigures(app);
  const s = app.settings;
  let workers;
  if (app.workersStatus) {
    try {
      workers = await app.workersStatus();
    } catch {
      app.logger.warn('the primary did not give the workers\' status in time');
    }
  }
  return {
    body: {
      ...own,
      traces: { ...own.traces, concurrency: s.traceConcurrency, queue: s.traceQueue, maxWaitSeconds: s.traceMaxWaitMs / 1000 },
      ...(workers ? { workers } : {}),
    },
  };
});
