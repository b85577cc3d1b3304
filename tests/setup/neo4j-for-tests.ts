import { randomBytes } from 'node:crypto';
import { connectionSettings, localNeo4jSettings } from '../../engine/config';
import { checkBolt, paths, readPassword, start, stop } from '../../tools/neo4j/launcher';

/**
 * Which Neo4j the suite runs against, in this order: NEO4J_URI when set; else a testcontainers
 * Neo4j when a Docker engine answers; else the project's own launcher. Never a stand-in: if none
 * can be reached, setup fails and says why.
 */
export interface TestNeo4j {
  readonly uri: string;
  readonly how: 'NEO4J_URI' | 'testcontainers' | 'launcher';
  readonly version: string;
  /** Undoes what setup started, and nothing else. */
  readonly release: () => Promise<void>;
}

const IMAGE = 'neo4j:5.26-community';

export async function acquireNeo4j(say: (m: string) => void): Promise<TestNeo4j> {
  if (process.env['NEO4J_URI']) {
    const c = connectionSettings();
    const check = await checkBolt(c.uri, c.user, c.password ?? '');
    if (!check.ok) throw new Error(`NEO4J_URI=${c.uri} does not answer: ${check.error ?? ''}`);
    return { uri: c.uri, how: 'NEO4J_URI', version: check.version ?? '?', release: () => Promise.resolve() };
  }
  const docker = await dockerAnswers();
  if (docker) return fromTestcontainers(say);
  const s = localNeo4jSettings();
  const r = await start(say, s);
  const pw = readPassword(paths(s.home)) ?? '';
  const check = await checkBolt(r.uri, 'neo4j', pw);
  if (!check.ok) throw new Error(`the local Neo4j started but does not answer: ${check.error ?? ''}`);
  say(`${r.alreadyRunning ? 'reusing the running' : `started (${r.seconds.toFixed(1)} s) the`} local Neo4j, pid ${r.pid}`);
  return {
    uri: r.uri,
    how: 'launcher',
    version: check.version ?? '?',
    // Only stop what this run started: a developer's running server stays up.
    release: async () => {
      if (!r.alreadyRunning) await stop(s);
    },
  };
}

async function dockerAnswers(): Promise<boolean> {
  if (process.env['TRUYVET_TEST_NO_DOCKER'] === '1') return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await Promise.race([
      getContainerRuntimeClient(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000)),
    ]);
    return Boolean(client);
  } catch {
    return false;
  }
}

async function fromTestcontainers(say: (m: string) => void): Promise<TestNeo4j> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const password = randomBytes(12).toString('base64url');
  say(`starting ${IMAGE} with testcontainers…`);
  const container = await new GenericContainer(IMAGE)
    .withEnvironment({ NEO4J_AUTH: `neo4j/${password}`, NEO4J_dbms_usage__report_enabled: 'false' })
    .withExposedPorts(7687)
    .withWaitStrategy(Wait.forLogMessage(/Started\./))
    .withStartupTimeout(180_000)
    .start();
  const uri = `bolt://${container.getHost()}:${container.getMappedPort(7687)}`;
  process.env['NEO4J_URI'] = uri;
  process.env['NEO4J_USER'] = 'neo4j';
  process.env['NEO4J_PASSWORD'] = password;
  const check = await checkBolt(uri, 'neo4j', password);
  if (!check.ok) throw new Error(`the Neo4j container does not answer: ${check.error ?? ''}`);
  return {
    uri,
    how: 'testcontainers',
    version: check.version ?? '?',
    release: async () => {
      await container.stop();
    },
  };
}
