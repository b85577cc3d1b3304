import type { Command } from 'commander';
import { createAccount, listAccounts, updateAccount, type Account, type AccountChange } from '../../engine/accounts/accounts';
import { generatePassword } from '../../engine/accounts/passwords';
import { formatJurisdiction, isRole, parseJurisdiction, ROLES } from '../../engine/accounts/roles';
import { unitProblems } from '../../engine/accounts/units';
import { checkUnitsFromEnv } from '../../engine/config';
import { appendAudit } from '../../engine/audit/store';
import { migrate } from '../../engine/db';
import { invalidInput } from '../../engine/errors';
import { isoUtc } from '../../engine/time';
import { cliActor } from '../lawful-access';
import { action } from '../run';

function row(a: Account): Record<string, unknown> {
  return {
    username: a.username,
    role: a.role,
    jurisdiction: formatJurisdiction(a.jurisdiction),
    disabled: a.disabled,
    locked: a.lockedUntil !== undefined && a.lockedUntil > Date.now(),
    createdAt: isoUtc(a.createdAt),
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function role(text: string) {
  if (!isRole(text)) throw invalidInput(`unknown role '${text}'`, [{ field: 'role', reason: `one of ${ROLES.join(', ')}` }]);
  return text;
}

function jurisdiction(text: string | undefined) {
  if (text === undefined) return undefined;
  let j;
  try {
    j = parseJurisdiction(text);
  } catch (e) {
    throw invalidInput((e as Error).message, [{ field: '--jurisdiction', reason: 'province[/district[/commune]], e.g. 79/760/26734 or 79//26734' }]);
  }
  // The same check as the API's (TRUYVET_CHECK_UNITS): the codes must name real units.
  const problems = j && checkUnitsFromEnv() ? unitProblems(j) : [];
  if (problems.length > 0) throw invalidInput(`'${text}' names no administrative unit`, problems.map((p) => ({ field: '--jurisdiction', reason: p.reason })));
  return j;
}

async function change(username: string, c: AccountChange, json: boolean): Promise<void> {
  await migrate();
  const { before, after } = await updateAccount(username, c, Date.now());
  await appendAudit(
    {
      actor: cliActor(),
      role: 'cli',
      action: 'account.update',
      outcome: 'ok',
      target: after.username,
      details: {
        roleBefore: before.role,
        roleAfter: after.role,
        jurisdictionBefore: formatJurisdiction(before.jurisdiction),
        jurisdictionAfter: formatJurisdiction(after.jurisdiction),
        disabled: after.disabled,
        passwordChanged: c.password !== undefined,
      },
    },
    Date.now(),
  );
  console.log(json ? JSON.stringify(row(after)) : `${after.username}: ${after.role} ${formatJurisdiction(after.jurisdiction)}${after.disabled ? ' (disabled)' : ''}`);
}

export function register(program: Command): void {
  const cmd = program.command('accounts').description('API accounts (every change is audited)');

  cmd
    .command('create <username>')
    .description('create an account; prints a generated password once unless --password-stdin')
    .requiredOption('--role <role>', ROLES.join('|'))
    .option('--jurisdiction <path>', 'province[/district[/commune]] (required for officers); omit for the whole country')
    .option('--password-stdin', 'read the password from standard input')
    .option('--json', 'print one JSON line')
    .action(
      action(async (username: string, o: { role: string; jurisdiction?: string; passwordStdin?: boolean; json?: boolean }) => {
        const generated = o.passwordStdin ? undefined : generatePassword();
        const password = generated ?? (await readStdin());
        await migrate();
        const a = await createAccount({ username, password, role: role(o.role), jurisdiction: jurisdiction(o.jurisdiction) }, Date.now());
        await appendAudit(
          { actor: cliActor(), role: 'cli', action: 'account.create', outcome: 'ok', target: a.username, details: { newRole: a.role, jurisdiction: formatJurisdiction(a.jurisdiction) } },
          Date.now(),
        );
        if (o.json) console.log(JSON.stringify({ ...row(a), ...(generated ? { password: generated } : {}) }));
        else {
          console.log(`created ${a.username} (${a.role}, ${formatJurisdiction(a.jurisdiction)})`);
          if (generated) console.log(`password (shown once): ${generated}`);
        }
      }),
    );

  cmd
    .command('disable <username>')
    .description('disable an account; its tokens stop working at once')
    .option('--json', 'print one JSON line')
    .action(action(async (username: string, o: { json?: boolean }) => change(username, { disabled: true }, o.json === true)));

  cmd
    .command('enable <username>')
    .description('enable an account again (tokens issued before it was disabled stay invalid)')
    .option('--json', 'print one JSON line')
    .action(action(async (username: string, o: { json?: boolean }) => change(username, { disabled: false }, o.json === true)));

  cmd
    .command('set-role <username> <role>')
    .description("change an account's role (and jurisdiction); effective on its next request")
    .option('--jurisdiction <path>', "province[/district[/commune]], or '*' for the whole country")
    .option('--json', 'print one JSON line')
    .action(
      action(async (username: string, r: string, o: { jurisdiction?: string; json?: boolean }) =>
        change(username, { role: role(r), ...(o.jurisdiction !== undefined ? { jurisdiction: jurisdiction(o.jurisdiction) ?? null } : {}) }, o.json === true),
      ),
    );

  cmd
    .command('set-password <username>')
    .description('set a new password read from standard input; old tokens stop working')
    .option('--json', 'print one JSON line')
    .action(action(async (username: string, o: { json?: boolean }) => change(username, { password: await readStdin() }, o.json === true)));

  cmd
    .command('list')
    .description('list accounts')
    .option('--prefix <text>', 'only usernames starting with this')
    .option('--json', 'one JSON line per account')
    .action(
      action(async (o: { prefix?: string; json?: boolean }) => {
        const all = await listAccounts(o.prefix !== undefined ? { prefix: o.prefix } : {});
        for (const a of all) {
          const r = row(a);
          console.log(o.json ? JSON.stringify(r) : `${a.username}\t${a.role}\t${String(r['jurisdiction'])}${a.disabled ? '\tdisabled' : ''}${r['locked'] ? '\tlocked' : ''}`);
        }
      }),
    );
}
