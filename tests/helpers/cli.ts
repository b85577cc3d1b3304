import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * The real `truyvet` command (bin/truyvet.js, the TypeScript through tsx) as a child process: the
 * one way tests run it, whether to completion (`runCli`) or as a server until it says it listens
 * (`startCli`). Stdin is closed, so a command that waits for input fails instead of hanging.
 */

export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'truyvet.js');

export interface CliOptions {
  /** Added to the environment (the test's own, unless `baseEnv`). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Exactly this environment instead of the test's own with LOG_LEVEL=silent (for a command that
   * must not see the suite's database or keys).
   */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /** Working folder; the checkout's root unless given. */
  readonly cwd?: string;
}

export type CliChild = ChildProcessByStdio<null, Readable, Readable>;

/** `truyvet ARGS` as a child process; stdout and stderr are pipes (as UTF-8 text), stdin none. */
export function spawnCli(args: readonly string[], o: CliOptions = {}): CliChild {
  const env = o.baseEnv ? { ...o.baseEnv, ...o.env } : { ...process.env, LOG_LEVEL: 'silent', ...o.env };
  const child = spawn(process.execPath, [BIN, ...args], { cwd: o.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // Decoded as a stream: a character split between two chunks stays whole.
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  return child;
}

export interface CliRun {
  /** The exit code; null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** What a spawned command wrote, once it ended. */
export function finished(child: CliChild): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: string) => (stdout += d));
    child.stderr.on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * `truyvet ARGS` to its end: exit code, stdout and stderr (a non-zero exit is an answer, not an
 * error). One that runs longer than `timeoutMs` (default 60 s, a test's own limit) is killed and
 * fails with what it wrote, so no child outlives its test.
 */
export async function runCli(args: readonly string[], o: CliOptions & { timeoutMs?: number } = {}): Promise<CliRun> {
  const child = spawnCli(args, o);
  const timeoutMs = o.timeoutMs ?? 60_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  try {
    const r = await finished(child);
    if (timedOut) throw new Error(`truyvet ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${r.stdout}\n${r.stderr}`);
    return r;
  } finally {
    clearTimeout(timer);
  }
}

export interface CliProcess {
  readonly child: ChildProcess;
  /** The first group of the `listening` pattern: the address it serves on. */
  readonly url: string;
  /** Everything it wrote so far, stdout and stderr. */
  readonly output: () => string;
  /** Resolves with the exit code (null after a signal) and the signal. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `truyvet ARGS` left running: resolves once its stdout matches `listening` (default 90 s), fails
 * with how it ended and its last lines if it exits first.
 */
export async function startCli(args: readonly string[], o: CliOptions & { listening: RegExp; timeoutMs?: number }): Promise<CliProcess> {
  const chunks: string[] = [];
  const child = spawnCli(args, o);
  child.stdout.on('data', (d: string) => chunks.push(d));
  child.stderr.on('data', (d: string) => chunks.push(d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const timeoutMs = o.timeoutMs ?? 90_000;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`truyvet ${args[0] ?? ''} did not start in ${timeoutMs} ms:\n${chunks.join('')}`));
      // Left running, it would keep jest from exiting.
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', () => {
      const m = o.listening.exec(chunks.join(''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    // How it ended and its last lines first: a long output is cut in the middle by CI's report.
    void exit.then(({ code, signal }) => {
      clearTimeout(timer);
      const all = chunks.join('');
      const tail = all.trimEnd().split('\n').slice(-12).join('\n');
      reject(new Error(`truyvet ${args[0] ?? ''} exited (code ${code}, signal ${signal}) before it listened; its last lines:\n${tail}\n--- all of its output:\n${all}`));
    });
  });
  return { child, url, output: () => chunks.join(''), exit };
}
