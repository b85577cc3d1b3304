import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { checkBolt, ensurePassword, paths } from '../../tools/neo4j/launcher';
import { runCli } from '../helpers/cli';

/**
 * The launcher's first start of an empty home, where it sets the initial password through
 * neo4j-admin. A password that begins with '-' once made neo4j-admin read it as an option, so the
 * first start failed ("Missing required parameter: '<password>'") whenever the generated one did,
 * about one fresh home in 64.
 */

jest.setTimeout(5 * 60_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'truyvet-launcher-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the local Neo4j launcher', () => {
  it('generates a password that no command line takes for an option', () => {
    const saved = process.env['NEO4J_PASSWORD'];
    delete process.env['NEO4J_PASSWORD'];
    try {
      for (let i = 0; i < 200; i++) {
        const pw = ensurePassword(paths(path.join(dir, `home-${i}`)));
        expect(pw).toMatch(/^[0-9a-f]{36}$/);
      }
    } finally {
      if (saved !== undefined) process.env['NEO4J_PASSWORD'] = saved;
    }
  });

  it('starts an empty home whose configured password begins with a dash', async () => {
    const home = path.join(dir, 'dash');
    const port = await freePort();
    const password = '-starts-like-an-option';
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LOG_LEVEL: 'silent',
      TRUYVET_NEO4J_HOME: home,
      TRUYVET_NEO4J_BOLT_PORT: String(port),
      TRUYVET_NEO4J_HEAP: '256m',
      TRUYVET_NEO4J_PAGECACHE: '64m',
      NEO4J_PASSWORD: password,
    };
    delete env['NEO4J_URI'];
    try {
      const r = await runCli(['neo4j', 'start'], { baseEnv: env, timeoutMs: 4 * 60_000 });
      expect(r.stderr).not.toMatch(/could not set the initial password/);
      expect(r.code).toBe(0);
      const check = await checkBolt(`bolt://127.0.0.1:${port}`, 'neo4j', password);
      expect(check.ok).toBe(true);
    } finally {
      await runCli(['neo4j', 'stop'], { baseEnv: env });
    }
  });
});
