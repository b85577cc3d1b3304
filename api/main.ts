import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClusterMemoryStoreWorker } from '@express-rate-limit/cluster-memory-store';
import { createAccount, getCredentials } from '../engine/accounts/accounts';
import { appendAudit } from '../engine/audit/store';
import { caseRetentionDays, envText, followUpRetentionDays } from '../engine/config';
import { closeDriver, migrate, type MigrationReport } from '../engine/db';
import type { Logger } from '../engine/logger';
import { purge } from '../engine/retention/purge';
import { nextDailyRun } from '../engine/retention/schedule';
import { isoUtc } from '../engine/time';
import { createApp, type TruyvetApp } from './app';
import { statusOfWorkers, type ProcessFigures } from './cluster-status';
import { clusterProgressBoard } from './cluster-progress';
import type { LocalProgressBoard } from './trace-progress';
import { resumeImports } from './handlers/imports';
import type { ImportRunner } from './imports';
import { SharedPermits } from './shared-permits';
import { SharedRequestLimitStore } from './shared-request-limit';
import type { ApiSettings } from './settings';

/**
 * Runs the API: migrates the schema, creates the first admin from the environment if absent,
 * resumes the imports the last stop left unfinished, listens, runs the retention purge daily,
 * and on SIGTERM/SIGINT stops taking connections, lets requests in flight finish (up to 10 s),
 * pauses a running import (resumed by the next start), closes the driver and returns.
 */

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly settings: ApiSettings;
  readonly logger: Logger;
  readonly importRunner?: ImportRunner | undefined;
  /**
   * Set in a worker of `truyvet serve --workers N` (api/cluster.ts): the primary has migrated and
   * made the first admin; the workers share the server run's name for import jobs (a job a live
   * worker runs is not a cut-off one), and only worker 1 runs the daily purge.
   */
  readonly worker?: { readonly index: number; readonly serverRun: string };
}

export interface RunningServer {
  readonly url: string;
  readonly app: TruyvetApp;
  readonly server: Server;
  /** Resolves once the server has shut down. */
  readonly closed: Promise<void>;
  readonly stop: () => Promise<void>;
}

/** Logs how many accounts the migration found colliding by case; the names only `truyvet db migrate` prints (a log holds no usernames). */
export function warnCollisions(logger: Logger, report: MigrationReport): void {
  const n = report.usernameCollisions.reduce((sum, c) => sum + c.others.length + 1, 0);
  if (n > 0) logger.warn({ accounts: n, groups: report.usernameCollisions.length }, "accounts whose usernames differ only in case: run 'truyvet db migrate' to see them, then rename or disable the extra ones");
}

/**
 * Creates the first admin from TRUYVET_ADMIN_USER / TRUYVET_ADMIN_PASSWORD when no account of that
 * name exists (whatever its case). Named without a password, it stops the start with a message:
 * a fresh stack would otherwise run with no way to log in. Once the account exists the password
 * is not read again.
 */
export async function ensureFirstAdmin(logger: Logger, auditChain: string): Promise<void> {
  const username = envText('TRUYVET_ADMIN_USER');
  const password = envText('TRUYVET_ADMIN_PASSWORD');
  if (!username) return;
  // Whatever its case: an account of that name in another case is the first admin's already.
  if (await getCredentials(username)) return;
  if (!password) {
    // Started like this, the server would run with no account to log in with (a fresh stack).
    throw new Error(
      'TRUYVET_ADMIN_USER names the first admin, who has no account yet, and TRUYVET_ADMIN_PASSWORD is not set: no one could log in. Set TRUYVET_ADMIN_PASSWORD (the account is created with it at this start), or unset TRUYVET_ADMIN_USER and create accounts with `truyvet accounts create`',
    );
  }
  const a = await createAccount({ username, password, role: 'admin' }, Date.now());
  await appendAudit({ actor: 'system', role: 'system', action: 'account.create', outcome: 'ok', target: a.username, details: { newRole: 'admin', from: 'environment' } }, Date.now(), auditChain);
  logger.info('created the first admin account from TRUYVET_ADMIN_USER');
}

export async function serve(o: ServeOptions): Promise<RunningServer> {
  const { logger, settings } = o;
  const runsPurge = o.worker === undefined || o.worker.index === 1;
  if (o.worker === undefined) {
    warnCollisions(logger, await migrate((building) => logger.info({ building }, 'building indexes before serving')));
    await ensureFirstAdmin(logger, settings.auditChain);
  }
  const app = createApp({
    settings,
    logger,
    importRunner: o.importRunner,
    ...(o.worker
      ? {
          serverRun: o.worker.serverRun,
          sharedLimitStore: (name: string) => new ClusterMemoryStoreWorker({ prefix: name }),
          requestLimitStore: new SharedRequestLimitStore(),
          sharedPermits: (gate: 'traces' | 'imports' | 'outbreaks') => new SharedPermits(gate),
          workersStatus: (figures: () => ProcessFigures) => statusOfWorkers(figures),
          progressBoard: (local: LocalProgressBoard) => clusterProgressBoard(local),
        }
      : {}),
  });
  // Before the first request, so no one is told a job failed that this start takes up again. In
  // every worker: one that replaces a dead worker takes up its imports (each is claimed once).
  try {
    const r = await resumeImports(app.truyvet);
    if (r.resumed + r.refused + r.swept > 0) logger.info({ ...r }, 'imports left unfinished by the last stop');
  } catch (e) {
    logger.error({ type: (e as Error).name }, 'could not resume the imports left unfinished');
  }
  // Outbreak runs are not resumed: the ones a process now gone left unfinished end failed.
  try {
    const failed = await app.truyvet.outbreaks.failCutOff();
    if (failed > 0) logger.info({ failed }, 'outbreak runs left unfinished by the last stop');
  } catch (e) {
    logger.error({ type: (e as Error).name }, 'could not end the outbreak runs left unfinished');
  }
  const server = await new Promise<Server>((resolve, reject) => {
    // Express 5 calls this back on a listen error too (port taken, address not available).
    const s = app.listen(o.port, o.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // uploads of big CSV files may take minutes; the byte limit bounds them
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  logger.info({ url }, 'listening');

  let purgeTimer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (settings.purgeAt === undefined || !runsPurge) return;
    const at = nextDailyRun(Date.now(), settings.purgeAt);
    logger.info({ next: isoUtc(at) }, 'retention purge scheduled');
    purgeTimer = setTimeout(() => void dailyPurge().finally(schedule), at - Date.now());
    purgeTimer.unref();
  };
  const dailyPurge = async () => {
    try {
      const now = Date.now();
      const [fuDays, caseDays] = [followUpRetentionDays(), caseRetentionDays()];
      const report = await purge({
        now,
        olderThanMs: settings.retentionDays * 86_400_000,
        declarationRetentionMs: settings.declarationRetentionDays * 86_400_000,
        followUpRetentionMs: fuDays * 86_400_000,
        caseRetentionMs: caseDays * 86_400_000,
      });
      await appendAudit(
        {
          actor: 'system',
          role: 'system',
          action: 'purge',
          outcome: 'ok',
          details: { ...report, retentionDays: settings.retentionDays, declarationRetentionDays: settings.declarationRetentionDays, followUpRetentionDays: fuDays, caseRetentionDays: caseDays },
        },
        Date.now(),
        settings.auditChain,
      );
      logger.info({ ...report }, 'retention purge done');
    } catch (e) {
      logger.error({ type: (e as Error).name }, 'retention purge failed');
    }
  };
  schedule();

  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info('shutting down');
      if (purgeTimer) clearTimeout(purgeTimer);
      const done = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 10_000);
      force.unref();
      await done;
      clearTimeout(force);
      // Scans accepted before the close are decided and written before the driver goes.
      await app.truyvet.scans.close().catch(() => undefined);
      // An import stops after its batch in flight and keeps its upload: the next start resumes it.
      await app.truyvet.imports.pause().catch(() => undefined);
      // A running outbreak run stops between two statements and ends failed (start it again).
      await app.truyvet.outbreaks.pause().catch(() => undefined);
      await closeDriver().catch(() => undefined);
      logger.info('stopped');
      logger.flush();
      resolveClosed();
    })();
    return stopping;
  };
  return { url, app, server, closed, stop };
}
