import os from 'node:os';

/**
 * Which process runs a job kept in the graph (an import, an outbreak run): `serverRun.pid` for a
 * server process (the workers of one `serve --workers N` share the server run), `cli@host.pid`
 * for the command line. A job not finished whose process is gone was cut off by a stop or a crash.
 */

/** The instance name of `truyvet outbreak trace` in this process. */
export function cliInstance(): string {
  return `cli@${os.hostname()}.${process.pid}`;
}

/**
 * Whether the process named `instance` is gone, seen from process `self` of server run
 * `serverRun`: another server run's (an earlier start) always; one of this run's, or a command
 * line on this host, when no process has its pid; a command line on another host never (it
 * cannot be told from here).
 */
export function processGone(instance: string, self: string, serverRun: string): boolean {
  if (instance === self) return false;
  const dot = instance.lastIndexOf('.');
  const run = dot < 0 ? instance : instance.slice(0, dot);
  const cli = run.startsWith('cli@');
  if (cli ? run !== `cli@${os.hostname()}` : dot < 0 || run !== serverRun) return !cli;
  try {
    process.kill(Number(instance.slice(dot + 1)), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
