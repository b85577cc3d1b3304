import { createAccount, listAccounts, updateAccount, type Account } from '../../engine/accounts/accounts';
import { formatJurisdiction } from '../../engine/accounts/roles';
import { jurisdictionOf } from '../../engine/privacy/jurisdiction';
import { isoUtc } from '../../engine/time';
import { handler, type AppContext } from '../context';
import { fieldsError } from '../errors';
import { unitProblems, type UnitCodes } from '../../engine/accounts/units';
import { routes } from '../routes';

export function accountOut(a: Account, now: number) {
  return {
    username: a.username,
    role: a.role,
    ...(a.jurisdiction ? { jurisdiction: a.jurisdiction } : {}),
    disabled: a.disabled,
    locked: a.lockedUntil !== undefined && a.lockedUntil > now,
    createdAt: isoUtc(a.createdAt),
    updatedAt: isoUtc(a.updatedAt),
  };
}

export const accountsList = handler(routes.accountsList, async ({ app }) => {
  const accounts = await listAccounts();
  return { body: { accounts: accounts.map((a) => accountOut(a, app.now())) } };
});

/** A jurisdiction of the body must name real units (400 naming the field), unless the check is off. */
export function checkJurisdiction(app: AppContext, j: UnitCodes | null | undefined, field = 'jurisdiction'): void {
  if (!j || !app.settings.checkUnits) return;
  const problems = unitProblems(j);
  if (problems.length > 0) throw fieldsError('body', problems.map((p) => ({ path: `${field}.${p.field}`, message: p.reason })));
}

export const accountsCreate = handler(routes.accountsCreate, async ({ body, app, audit }) => {
  checkJurisdiction(app, body.jurisdiction);
  const a = await createAccount(
    { username: body.username, password: body.password, role: body.role, jurisdiction: body.jurisdiction ? jurisdictionOf(body.jurisdiction) : undefined },
    app.now(),
  );
  await audit({ action: 'account.create', outcome: 'ok', target: a.username, details: { newRole: a.role, jurisdiction: formatJurisdiction(a.jurisdiction) } });
  return { status: 201, body: accountOut(a, app.now()) };
});

export const accountsUpdate = handler(routes.accountsUpdate, async ({ params, body, app, audit }) => {
  checkJurisdiction(app, body.jurisdiction);
  const change = { ...body, jurisdiction: body.jurisdiction ? jurisdictionOf(body.jurisdiction) : body.jurisdiction };
  const { before, after } = await updateAccount(params.username, change, app.now());
  await audit({
    action: 'account.update',
    outcome: 'ok',
    target: after.username,
    details: {
      roleBefore: before.role,
      roleAfter: after.role,
      jurisdictionBefore: formatJurisdiction(before.jurisdiction),
      jurisdictionAfter: formatJurisdiction(after.jurisdiction),
      disabled: after.disabled,
      passwordChanged: body.password !== undefined,
    },
  });
  return { body: accountOut(after, app.now()) };
});
