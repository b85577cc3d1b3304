import { handler } from '../context';
import { routes } from '../routes';

const MB = 1024 * 1024;

/**
 * What an operator needs to tell a busy server from a broken one, without a database read: the
 * trace gate's counts explain 503 `busy` answers. Per process: with `--workers N` each request
 * lands on one worker and reports that worker.
 */
export const status = handler(routes.status, ({ app }) => {
  const m = process.memoryUsage();
  const s = app.settings;
  return Promise.resolve({
    body: {
      pid: process.pid,
      uptimeSeconds: Math.floor(process.uptime()),
      memory: { rssMB: Math.round(m.rss / MB), heapUsedMB: Math.round(m.heapUsed / MB) },
      traces: {
        running: app.traceGate.active,
        waiting: app.traceGate.waiting,
        refused: app.traceGate.refused,
        concurrency: s.traceConcurrency,
        queue: s.traceQueue,
        maxWaitSeconds: s.traceMaxWaitMs / 1000,
      },
    },
  });
});
