import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { localNeo4jSettings, neo4jJarCache, type LocalNeo4jSettings } from '../../engine/config';

/**
 * The local Neo4j that truyvet starts by itself when there is no Docker: the community server's
 * jars from Maven Central (tools/neo4j/pom.xml), cached outside the work tree, run with
 * `org.neo4j.server.CommunityEntryPoint`. Bolt on loopback only, HTTP off, authentication on.
 */

export class LauncherError extends Error {
  override readonly name = 'LauncherError';
}

const POM = path.join(__dirname, 'pom.xml');
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies';
const MAIN_CLASS = 'org.neo4j.server.CommunityEntryPoint';

export type Say = (message: string) => void;

export interface Paths {
  readonly home: string;
  readonly conf: string;
  readonly data: string;
  readonly logs: string;
  readonly run: string;
  readonly pidFile: string;
  readonly consoleLog: string;
  readonly passwordFile: string;
}

export function paths(home: string): Paths {
  return {
    home,
    conf: path.join(home, 'conf'),
    data: path.join(home, 'data'),
    logs: path.join(home, 'logs'),
    run: path.join(home, 'run'),
    pidFile: path.join(home, 'run', 'truyvet-neo4j.pid'),
    consoleLog: path.join(home, 'logs', 'console.log'),
    passwordFile: path.join(home, 'password'),
  };
}

/** The Neo4j version pinned in the pom; the one source of truth. */
export function neo4jVersion(): string {
  const m = /<neo4j\.version>([^<]+)<\/neo4j\.version>/.exec(fs.readFileSync(POM, 'utf8'));
  if (!m?.[1]) throw new LauncherError(`no <neo4j.version> in ${POM}`);
  return m[1];
}

function javaBinary(): string {
  const home = process.env['JAVA_HOME'];
  return home ? path.join(home, 'bin', 'java') : 'java';
}

/** Java's major version, or a LauncherError that says what to install. */
export function checkJava(): number {
  const r = spawnSync(javaBinary(), ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new LauncherError(
      'Java 17 or 21 is needed to run the local Neo4j, and none was found ' +
        `(${javaBinary()}). Install it (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME, ` +
        'or run Neo4j with Docker instead: docker compose up',
    );
  }
  const m = /version "(\d+)(?:\.(\d+))?/.exec(r.stderr + r.stdout);
  const major = m ? (m[1] === '1' ? Number(m[2]) : Number(m[1])) : 0;
  if (major !== 17 && major !== 21) {
    throw new LauncherError(`Neo4j ${neo4jVersion()} runs on Java 17 or 21; ${javaBinary()} is Java ${major}. Set JAVA_HOME to a JDK 17 or 21, or use docker compose up`);
  }
  return major;
}

function checkMaven(): void {
  const r = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new LauncherError(
      'Maven is needed once, to fetch the Neo4j jars from Maven Central, and `mvn` was not found. ' +
        'Install it (Debian: apt-get install maven), or run Neo4j with Docker instead: docker compose up',
    );
  }
}

/**
 * The folder of Neo4j jars for this version, fetched with Maven on first use. The copy goes to a
 * temporary folder that is renamed when complete, so an interrupted download is never used.
 */
export function ensureJars(say: Say): string {
  const version = neo4jVersion();
  const dir = path.join(neo4jJarCache(), `neo4j-${version}`);
  const lib = path.join(dir, 'lib');
  if (fs.existsSync(path.join(dir, '.complete'))) return lib;
  checkMaven();
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `lib.partial-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  say(`fetching Neo4j ${version} from Maven Central into ${dir} (once)…`);
  const started = Date.now();
  const r = spawnSync(
    'mvn',
    ['-B', '-q', '--no-transfer-progress', '-Dstyle.color=never', '-f', POM, DEPENDENCY_PLUGIN, `-DoutputDirectory=${tmp}`, '-DincludeScope=runtime', `-Dneo4j.version=${version}`],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new LauncherError(`Maven could not fetch org.neo4j:neo4j:${version} (exit ${r.status ?? r.signal}); see its output above`);
  }
  fs.rmSync(lib, { recursive: true, force: true });
  fs.renameSync(tmp, lib);
  fs.writeFileSync(path.join(dir, '.complete'), `${new Date().toISOString()}\n`);
  say(`fetched ${fs.readdirSync(lib).length} jars in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return lib;
}

export function renderConf(s: LocalNeo4jSettings, p: Paths): string {
  return [
    '# Written by `truyvet neo4j start`; edits are overwritten. Settings come from TRUYVET_NEO4J_*.',
    'server.default_listen_address=127.0.0.1',
    `server.bolt.listen_address=127.0.0.1:${s.boltPort}`,
    `server.bolt.advertised_address=127.0.0.1:${s.boltPort}`,
    'server.bolt.enabled=true',
    'server.bolt.tls_level=DISABLED',
    'server.http.enabled=false',
    'server.https.enabled=false',
    'dbms.security.auth_enabled=true',
    `server.memory.heap.initial_size=${s.heap}`,
    `server.memory.heap.max_size=${s.heap}`,
    `server.memory.pagecache.size=${s.pageCache}`,
    `server.directories.data=${p.data}`,
    `server.directories.logs=${p.logs}`,
    `server.directories.run=${p.run}`,
    `server.directories.import=${path.join(p.home, 'import')}`,
    `server.directories.plugins=${path.join(p.home, 'plugins')}`,
    // No phoning home from a machine that holds movement data, and no query parameters (which
    // can hold personal data) in Neo4j's own logs.
    'dbms.usage_report.enabled=false',
    'db.logs.query.enabled=OFF',
    'db.logs.query.parameter_logging_enabled=false',
    'db.tx_log.rotation.retention_policy=512M size',
    // Scans, passages and audit events stream in, so label and index statistics keep moving, and
    // with the default (10 s) Neo4j re-plans a query whenever they diverge: on a young graph a
    // checkpoint rush re-planned its scan statements about every 10 s, ~60–130 ms of CPU each
    // (bench:scan: 0.5 → 0.3 ms of Neo4j CPU per scan with 5 min). The hot statements pin their
    // plans with USING INDEX SEEK, so a later re-plan cannot change them.
    'dbms.cypher.min_replan_interval=5m',
    '',
  ].join('\n');
}

function jvmArgs(s: LocalNeo4jSettings): string[] {
  return [
    `-Xms${s.heap}`,
    `-Xmx${s.heap}`,
    '-XX:+UseG1GC',
    '-XX:-OmitStackTraceInFastThrow',
    '-XX:+DisableExplicitGC',
    '-Djdk.nio.maxCachedBufferSize=1024',
    '-Dio.netty.tryReflectionSetAccessible=true',
    '-Dfile.encoding=UTF-8',
    '-Dlog4j2.disable.jmx=true',
    '--add-opens=java.base/java.nio=ALL-UNNAMED',
    '--add-opens=java.base/java.io=ALL-UNNAMED',
    '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
    '--add-opens=java.base/java.lang=ALL-UNNAMED',
    '--enable-native-access=ALL-UNNAMED',
  ];
}

/** The stored or configured password, without creating one. */
export function readPassword(p: Paths): string | undefined {
  const fromEnv = process.env['NEO4J_PASSWORD'];
  if (fromEnv) return fromEnv;
  try {
    return fs.readFileSync(p.passwordFile, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The password the local server uses: NEO4J_PASSWORD, else one generated once (mode 0600). */
export function ensurePassword(p: Paths): string {
  const fromEnv = process.env['NEO4J_PASSWORD'];
  if (fromEnv) return fromEnv;
  try {
    return fs.readFileSync(p.passwordFile, 'utf8').trim();
  } catch {
    fs.mkdirSync(p.home, { recursive: true });
    // Hex, not base64url: a generated password never starts with '-' (an option to neo4j-admin) and pastes into any shell.
    const pw = randomBytes(18).toString('hex');
    fs.writeFileSync(p.passwordFile, `${pw}\n`, { mode: 0o600, flag: 'wx' });
    return pw;
  }
}

function readPid(p: Paths): number | undefined {
  try {
    const n = Number(fs.readFileSync(p.pidFile, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive and is the Neo4j this home started (not a recycled pid). */
function isOurServer(pid: number, p: Paths): boolean {
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes(MAIN_CLASS) && cmd.includes(`--home-dir=${p.home}`);
  } catch {
    try {
      process.kill(pid, 0);
      return true; // no /proc (macOS): trust the pid file
    } catch {
      return false;
    }
  }
}

export function logTail(p: Paths, lines = 40): string {
  const parts: string[] = [];
  for (const f of [path.join(p.logs, 'neo4j.log'), p.consoleLog, path.join(p.logs, 'debug.log')]) {
    try {
      const text = fs.readFileSync(f, 'utf8').trimEnd().split('\n');
      const wanted = f.endsWith('debug.log') ? text.filter((l) => / (ERROR|WARN) /.test(l) && !l.includes('NativeAccessor')) : text;
      if (wanted.length) parts.push(`--- ${f} (last ${Math.min(lines, wanted.length)} lines)\n${wanted.slice(-lines).join('\n')}`);
    } catch {
      /* file not written yet */
    }
  }
  return parts.join('\n') || '(Neo4j wrote no log)';
}

export interface BoltCheck {
  readonly ok: boolean;
  readonly version?: string;
  readonly error?: string;
}

/** Does Bolt answer (and accept these credentials)? */
export async function checkBolt(uri: string, user: string, password: string): Promise<BoltCheck> {
  const driver = neo4j.driver(uri, neo4j.auth.basic(user, password), { connectionTimeout: 3000, maxConnectionPoolSize: 1 });
  try {
    const info = await driver.getServerInfo();
    return { ok: true, version: info.agent ?? 'Neo4j' };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  } finally {
    await driver.close();
  }
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StartResult {
  readonly alreadyRunning: boolean;
  readonly pid: number;
  readonly version: string;
  readonly uri: string;
  readonly seconds: number;
}

/** Starts the local server unless it runs; resolves once Bolt answers. */
export async function start(say: Say = () => undefined, s: LocalNeo4jSettings = localNeo4jSettings()): Promise<StartResult> {
  const started = Date.now();
  const p = paths(s.home);
  const uri = `bolt://127.0.0.1:${s.boltPort}`;
  const existing = readPid(p);
  if (existing !== undefined && isOurServer(existing, p)) {
    const pw = ensurePassword(p);
    const check = await waitForBolt(uri, pw, existing, p, s.startTimeoutSeconds);
    return { alreadyRunning: true, pid: existing, version: check, uri, seconds: (Date.now() - started) / 1000 };
  }
  if (existing !== undefined) fs.rmSync(p.pidFile, { force: true });
  if (await portInUse(s.boltPort)) {
    throw new LauncherError(
      `port ${s.boltPort} is taken by a process this launcher did not start (no pid file in ${p.run}). ` +
        'Stop it, or set TRUYVET_NEO4J_BOLT_PORT, or point NEO4J_URI at it.',
    );
  }
  checkJava();
  const lib = ensureJars(say);
  for (const d of [p.conf, p.data, p.logs, p.run, path.join(p.home, 'import'), path.join(p.home, 'plugins')]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(p.conf, 'neo4j.conf'), renderConf(s, p));
  const password = ensurePassword(p);
  const env = { ...process.env, NEO4J_HOME: p.home, NEO4J_CONF: p.conf };
  if (!fs.existsSync(path.join(p.data, 'databases', 'system'))) {
    // Only takes effect before the very first start; afterwards the password lives in the system db.
    // `--` ends the options: a password such as `-x…` is a value, not an unknown option.
    const r = spawnSync(javaBinary(), ['-cp', path.join(lib, '*'), 'org.neo4j.cli.AdminTool', 'dbms', 'set-initial-password', '--', password], {
      env,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new LauncherError(`could not set the initial password: ${(r.stderr || r.stdout).trim()}`);
  }
  const out = fs.openSync(p.consoleLog, 'a');
  const child = spawn(
    javaBinary(),
    [...jvmArgs(s), '-cp', path.join(lib, '*'), MAIN_CLASS, `--home-dir=${p.home}`, `--config-dir=${p.conf}`],
    { detached: true, stdio: ['ignore', out, out], env },
  );
  fs.closeSync(out);
  if (child.pid === undefined) throw new LauncherError('java did not start');
  child.unref();
  fs.writeFileSync(p.pidFile, `${child.pid}\n`);
  say(`starting Neo4j ${neo4jVersion()} (pid ${child.pid}, heap ${s.heap}, page cache ${s.pageCache}), log in ${p.logs}`);
  const version = await waitForBolt(uri, password, child.pid, p, s.startTimeoutSeconds);
  return { alreadyRunning: false, pid: child.pid, version, uri, seconds: (Date.now() - started) / 1000 };
}

async function waitForBolt(uri: string, password: string, pid: number, p: Paths, timeoutSeconds: number): Promise<string> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = '';
  while (Date.now() < deadline) {
    if (!isOurServer(pid, p)) {
      fs.rmSync(p.pidFile, { force: true });
      throw new LauncherError(`Neo4j (pid ${pid}) exited while starting.\n${logTail(p)}`);
    }
    const check = await checkBolt(uri, 'neo4j', password);
    if (check.ok) return check.version ?? 'Neo4j';
    last = check.error ?? '';
    if (/authentication|unauthorized|credentials/i.test(last)) {
      throw new LauncherError(
        `Neo4j at ${uri} runs but refuses the password (${last}). The database in ${p.data} was set up with another one: ` +
          `set NEO4J_PASSWORD to it, or stop the server and remove ${p.data} to start afresh.`,
      );
    }
    await sleep(500);
  }
  await stopPid(pid, p, 30);
  throw new LauncherError(`Neo4j did not answer on ${uri} within ${timeoutSeconds} s (last error: ${last}); stopped it.\n${logTail(p)}`);
}

export interface StopResult {
  readonly stopped: boolean;
  readonly pid?: number;
}

/** Stops exactly the process this home's pid file names, and waits until it is gone. */
export async function stop(s: LocalNeo4jSettings = localNeo4jSettings()): Promise<StopResult> {
  const p = paths(s.home);
  const pid = readPid(p);
  if (pid === undefined) return { stopped: false };
  if (!isOurServer(pid, p)) {
    fs.rmSync(p.pidFile, { force: true });
    return { stopped: false };
  }
  await stopPid(pid, p, 90);
  return { stopped: true, pid };
}

async function stopPid(pid: number, p: Paths, graceSeconds: number): Promise<void> {
  const alive = () => isOurServer(pid, p);
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  const deadline = Date.now() + graceSeconds * 1000;
  while (alive() && Date.now() < deadline) await sleep(200);
  if (alive()) {
    process.kill(pid, 'SIGKILL');
    while (alive()) await sleep(100);
  }
  fs.rmSync(p.pidFile, { force: true });
}

export interface StatusResult {
  readonly running: boolean;
  readonly uri: string;
  readonly version?: string;
  readonly pid?: number;
  readonly error?: string;
}

/** Running means: Bolt answers at the configured URI with the configured credentials. */
export async function status(uri: string, user: string, password: string, s: LocalNeo4jSettings = localNeo4jSettings()): Promise<StatusResult> {
  const pid = readPid(paths(s.home));
  const check = await checkBolt(uri, user, password);
  return {
    running: check.ok,
    uri,
    ...(check.version !== undefined ? { version: check.version } : {}),
    ...(pid !== undefined ? { pid } : {}),
    ...(check.error !== undefined ? { error: check.error } : {}),
  };
}

export interface AdminImportFiles {
  readonly nodes: readonly { label: string; file: string }[];
  readonly relationships: readonly { type: string; file: string }[];
}

export interface AdminImportResult {
  readonly seconds: number;
  /** neo4j-admin's own output, for a log. */
  readonly log: string;
}

/**
 * Loads CSV files into this home's `neo4j` database with Neo4j's offline importer
 * (`neo4j-admin database import full`, org.neo4j.cli.AdminTool in the same jars), replacing the
 * store. The server must be stopped (the caller stops and restarts it); the caller also checked
 * that the database held no data. Its report and log go to `workDir`.
 */
export function adminImport(files: AdminImportFiles, workDir: string, s: LocalNeo4jSettings = localNeo4jSettings()): AdminImportResult {
  const p = paths(s.home);
  const pid = readPid(p);
  if (pid !== undefined && isOurServer(pid, p)) throw new LauncherError(`Neo4j (pid ${pid}) is running on ${p.home}: stop it before the offline import`);
  checkJava();
  const lib = ensureJars(() => undefined);
  for (const d of [p.conf, p.data, p.logs, p.run]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(p.conf, 'neo4j.conf'), renderConf(s, p));
  const started = Date.now();
  const args = [
    // The importer sizes its buffers off-heap; its heap holds the id mapper of string ids.
    `-Xmx${s.heap}`,
    '-cp',
    path.join(lib, '*'),
    'org.neo4j.cli.AdminTool',
    'database',
    'import',
    'full',
    // The database first: the file lists after --nodes take every word that follows.
    'neo4j',
    '--overwrite-destination=true',
    '--id-type=string',
    '--max-off-heap-memory=2G',
    `--report-file=${path.join(workDir, 'neo4j-admin-import.report')}`,
    ...files.nodes.map((n) => `--nodes=${n.label}=${n.file}`),
    ...files.relationships.map((r) => `--relationships=${r.type}=${r.file}`),
  ];
  const r = spawnSync(javaBinary(), args, { env: { ...process.env, NEO4J_HOME: p.home, NEO4J_CONF: p.conf }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const log = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  fs.writeFileSync(path.join(workDir, 'neo4j-admin-import.log'), log);
  if (r.status !== 0) {
    throw new LauncherError(`neo4j-admin database import failed (exit ${r.status ?? r.signal}):\n${log.trim().split('\n').slice(-30).join('\n')}`);
  }
  return { seconds: (Date.now() - started) / 1000, log };
}
