import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';

export const BIN = path.join(__dirname, '..', '..', 'bin', 'truyvet.js');

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything it wrote so far, stdout and stderr. */
  readonly output: () => string;
  /** Resolves with the exit code (null after a signal) and the signal. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `truyvet <args>` with exactly `env` as its environment; resolves once its stdout matches
 * `listening`, whose first group is the address it serves on.
 */
export async function cliProcess(
  args: readonly string[],
  o: { env: NodeJS.ProcessEnv; listening: RegExp; cwd?: string; timeoutMs?: number },
): Promise<ServeProcess> {
  const chunks: string[] = [];
  const child = spawn(process.execPath, [BIN, ...args], { env: o.env, ...(o.cwd ? { cwd: o.cwd } : {}), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const timeoutMs = o.timeoutMs ?? 90_000;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`truyvet ${args[0] ?? ''} did not start in ${timeoutMs} ms:\n${chunks.join('')}`));
      // Left running, it would keep jest from exiting.
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout?.on('data', () => {
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

/** A real `truyvet serve` with the test's environment plus `env`; resolves once it listens. */
export function serveProcess(env: Record<string, string>, args: readonly string[] = []): Promise<ServeProcess> {
  return cliProcess(['serve', '--port', '0', '--host', '127.0.0.1', ...args], { env: { ...process.env, ...env }, listening: /API listening on (http:\/\/[0-9.:]+)/ });
}

/**
 * A request to a served process, on a connection of its own (no keep-alive: with `serve
 * --workers N`, successive requests are dealt to the workers in turn): status and JSON body (or {}).
 * `localAddress` (another loopback address, such as 127.0.0.2) makes it another client for the
 * per-client limits.
 */
export function call(
  url: string,
  method: string,
  p: string,
  o: { token?: string; body?: string; json?: unknown; timeoutMs?: number; localAddress?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const timeout = o.timeoutMs ?? 30_000;
  const headers: Record<string, string> = {};
  if (o.token) headers['authorization'] = `Bearer ${o.token}`;
  const payload = o.json !== undefined ? JSON.stringify(o.json) : o.body;
  if (o.json !== undefined) headers['content-type'] = 'application/json';
  else if (o.body !== undefined) headers['content-type'] = 'text/csv';
  return new Promise((resolve, reject) => {
    const req = http.request(url + p, { method, headers, agent: false, timeout, ...(o.localAddress ? { localAddress: o.localAddress } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, unknown> });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${method} ${p}: no answer in ${timeout} ms`)));
    req.end(payload);
  });
}
