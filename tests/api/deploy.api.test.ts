import fs from 'node:fs';
import path from 'node:path';
import { getAccount } from '../../engine/accounts/accounts';
import { closeDriver } from '../../engine/db/driver';
import { ensureFirstAdmin } from '../../api/main';
import { newRunId, removeRun } from '../helpers/cleanup';
import { memoryLogger, startServeProcess } from '../helpers/server';

/**
 * The deployment files (Docker cannot run here, so their text is checked) and the server's own
 * refusal to start with no way to log in.
 */

const root = path.join(__dirname, '..', '..');
const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');
const lines = (f: string) =>
  read(f)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

const run = newRunId('dp');
afterAll(async () => {
  await removeRun(run);
  await closeDriver();
});

describe('secrets stay out of git and out of the image', () => {
  it('lists .env in .gitignore', () => {
    expect(lines('.gitignore')).toEqual(expect.arrayContaining(['.env', '.env.*']));
  });

  it("has a .dockerignore that keeps .env, key files, node_modules and local state out of the Dockerfile's COPY . .", () => {
    expect(read('Dockerfile')).toMatch(/^COPY \. \.$/m);
    expect(lines('.dockerignore')).toEqual(expect.arrayContaining(['**/.env', '**/.env.*', '**/secrets', '**/*.pem', '**/*.key', '**/*.jwk', '**/node_modules', '**/.truyvet', 'test-output', '.git']));
  });
});

describe('a missing admin password stops the stack', () => {
  it("makes docker compose refuse to start without TRUYVET_ADMIN_PASSWORD, with a message (${VAR:?message}), and every other secret too", () => {
    const compose = read('docker-compose.yml');
    expect(compose).toMatch(/TRUYVET_ADMIN_PASSWORD: "\$\{TRUYVET_ADMIN_PASSWORD:\?[^}]*log in\}"/);
    for (const secret of ['NEO4J_PASSWORD', 'TRUYVET_PSEUDONYM_KEY', 'TRUYVET_DATA_KEY', 'TRUYVET_JWT_SECRET', 'TRUYVET_AUDIT_KEY', 'TRUYVET_QR_PRIVATE_JWK']) {
      expect([secret, compose.includes(`\${${secret}:?`)]).toEqual([secret, true]);
    }
    // Not a default that lets it start with no password (`:-`).
    expect(compose).not.toMatch(/TRUYVET_ADMIN_PASSWORD:-/);
  });

  it('refuses to start the server when the first admin is named but has no account and no password', async () => {
    const saved = { user: process.env['TRUYVET_ADMIN_USER'], password: process.env['TRUYVET_ADMIN_PASSWORD'] };
    const { logger } = memoryLogger();
    try {
      process.env['TRUYVET_ADMIN_USER'] = `${run}-boss`;
      process.env['TRUYVET_ADMIN_PASSWORD'] = '';
      await expect(ensureFirstAdmin(logger, run)).rejects.toThrow(/TRUYVET_ADMIN_PASSWORD is not set.*no one could log in/);
      process.env['TRUYVET_ADMIN_PASSWORD'] = 'a long first admin pass 1';
      await ensureFirstAdmin(logger, run);
      expect((await getAccount(`${run}-boss`))?.role).toBe('admin');
      // Once it exists, the password may go (it is not read again).
      process.env['TRUYVET_ADMIN_PASSWORD'] = '';
      await expect(ensureFirstAdmin(logger, run)).resolves.toBeUndefined();
    } finally {
      for (const [k, v] of [['TRUYVET_ADMIN_USER', saved.user], ['TRUYVET_ADMIN_PASSWORD', saved.password]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('makes `truyvet serve` exit with that message before it listens', async () => {
    const started = startServeProcess({ TRUYVET_ADMIN_USER: `${run}-nobody`, TRUYVET_ADMIN_PASSWORD: '', TRUYVET_AUDIT_CHAIN: run, TRUYVET_PURGE_AT: 'off' });
    const error = await started.then(
      (p) => {
        p.child.kill('SIGKILL');
        return new Error('it started');
      },
      (e: unknown) => e as Error,
    );
    expect(error.message).toMatch(/exited \(code [1-9]\d*, signal null\) before it listened/);
    expect(error.message).toMatch(/TRUYVET_ADMIN_PASSWORD is not set.*no one could log in/);
  });
});
