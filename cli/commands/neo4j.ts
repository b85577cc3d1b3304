import type { Command } from 'commander';
import { connectionSettings, localNeo4jSettings, usesLocalNeo4j } from '../../engine/config';
import { checkJava, ensureJars, LauncherError, neo4jVersion, paths, readPassword, start, status, stop } from '../../tools/neo4j/launcher';
import { action, EXIT } from '../run';

export function register(program: Command): void {
  const cmd = program.command('neo4j').description('the local Neo4j server truyvet starts from Maven Central jars');

  cmd
    .command('start')
    .description('start the local server (idempotent); waits until Bolt answers')
    .action(
      action(async () => {
        try {
          const r = await start((m) => console.error(m));
          if (r.alreadyRunning) console.log(`Neo4j is already running (pid ${r.pid}, ${r.version}) at ${r.uri}`);
          else console.log(`Neo4j started (pid ${r.pid}, ${r.version}) at ${r.uri} in ${r.seconds.toFixed(1)} s`);
          return EXIT.ok;
        } catch (e) {
          if (e instanceof LauncherError) {
            console.error(`truyvet: ${e.message}`);
            return EXIT.failure;
          }
          throw e;
        }
      }),
    );

  cmd
    .command('install')
    .description('fetch the Neo4j jars from Maven Central into the cache (start does this when needed)')
    .action(
      action(async () => {
        try {
          checkJava();
          const lib = ensureJars((m) => console.error(m));
          console.log(`Neo4j ${neo4jVersion()} jars ready in ${lib}`);
          return Promise.resolve(EXIT.ok);
        } catch (e) {
          if (e instanceof LauncherError) {
            console.error(`truyvet: ${e.message}`);
            return Promise.resolve(EXIT.failure);
          }
          throw e;
        }
      }),
    );

  cmd
    .command('stop')
    .description('stop the server this machine started (by its pid file) and wait for it to exit')
    .action(
      action(async () => {
        const r = await stop();
        console.log(r.stopped ? `Neo4j stopped (pid ${r.pid})` : 'Neo4j is not running (nothing started by truyvet)');
      }),
    );

  cmd
    .command('status')
    .description('exit 0 only when Bolt answers at NEO4J_URI (default: the local server)')
    .action(
      action(async () => {
        const c = connectionSettings();
        const pw = c.password ?? (usesLocalNeo4j() ? (readPassword(paths(localNeo4jSettings().home)) ?? '') : '');
        const r = await status(c.uri, c.user, pw);
        if (r.running) {
          console.log(`running: ${r.version} at ${r.uri}${r.pid !== undefined ? ` (pid ${r.pid})` : ''}`);
          return EXIT.ok;
        }
        console.log(`not running at ${r.uri}: ${r.error ?? 'no answer'}`);
        return EXIT.notRunning;
      }),
    );
}

