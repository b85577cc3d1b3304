import { randomBytes } from 'node:crypto';
import { migrate } from '../../engine/db/schema';
import { closeDriver } from '../../engine/db/driver';
import { acquireNeo4j, type TestNeo4j } from './neo4j-for-tests';

declare global {
  var __truyvetNeo4j: TestNeo4j | undefined;
}

const SECRETS = ['TRUYVET_PSEUDONYM_KEY', 'TRUYVET_DATA_KEY', 'TRUYVET_JWT_SECRET', 'TRUYVET_AUDIT_KEY'] as const;

/** Runs once before all suites; workers inherit the environment it sets. */
export default async function globalSetup(): Promise<void> {
  process.env['TZ'] = 'UTC';
  // Keys for this run only: never a secret in the repo, and tests cannot depend on a fixed key.
  for (const name of SECRETS) process.env[name] ??= randomBytes(32).toString('base64url');
  if (onlyUnitTests()) return;
  const say = (m: string) => process.stderr.write(`[neo4j] ${m}\n`);
  const neo = await acquireNeo4j(say);
  globalThis.__truyvetNeo4j = neo;
  say(`tests run against ${neo.version} at ${neo.uri} (${neo.how})`);
  await migrate();
  await closeDriver();
}

/** `jest --selectProjects unit` needs no database. */
function onlyUnitTests(): boolean {
  const argv = process.argv;
  const i = argv.indexOf('--selectProjects');
  if (i < 0) return false;
  const picked: string[] = [];
  for (let j = i + 1; j < argv.length && !argv[j]!.startsWith('-'); j++) picked.push(argv[j]!);
  return picked.length > 0 && picked.every((p) => p === 'unit');
}
