import { listAudit, verifyAudit } from '../../engine/audit/store';
import { handler } from '../context';
import { routes } from '../routes';

export const auditList = handler(routes.auditList, async ({ query, app, audit }) => {
  const events = await listAudit({
    chain: app.settings.auditChain,
    afterSeq: query.after,
    limit: query.limit,
    ...(query.from !== undefined ? { from: query.from } : {}),
    ...(query.to !== undefined ? { to: query.to } : {}),
    ...(query.actor !== undefined ? { actor: query.actor } : {}),
    ...(query.action !== undefined ? { action: query.action } : {}),
    ...(query.requestRef !== undefined ? { requestRef: query.requestRef } : {}),
  });
  // Reading the log is itself on the log: who watched the watchers.
  await audit({ action: 'audit.read', outcome: 'ok', count: 0, details: { events: events.length, after: query.after } });
  const last = events[events.length - 1];
  return { body: { events, ...(events.length === query.limit && last ? { next: last.seq } : {}) } };
});

export const auditVerify = handler(routes.auditVerify, async ({ app, audit }) => {
  const report = await verifyAudit(app.settings.auditChain);
  await audit({ action: 'audit.verify', outcome: report.ok ? 'ok' : 'failed', details: { events: report.events, problems: report.problems.length } });
  return { body: report };
});
