/**
 * What every benchmark shares: its command line (commander, as the CLI), its run against Neo4j
 * (schema first when it asks, errors on stderr with exit code 1, the driver closed at the end),
 * the result printed as one JSON document, percentiles and timing, the machine it ran on, and
 * memory and CPU read from /proc.
 *
 * A bench file declares itself with `defineBench(module, spec, main)`: run as a script, it parses
 * `process.argv` and runs; imported (by bench/bench.test.ts), it only offers `parse`, so its
 * command lines can be checked without a database.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command, CommanderError, InvalidArgumentError, type OptionValues } from 'commander';
import { localNeo4jHome } from '../engine/config';
import { closeDriver } from '../engine/db/driver';
import { migrate } from '../engine/db/schema';

export const ROOT = path.join(__dirname, '..');
export const BIN = path.join(ROOT, 'bin', 'truyvet.js');

// ---- The command line -------------------------------------------------------------------------

/** An option value that must be a whole number from 0 (counts, seeds, sizes). */
export function whole(text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isInteger(v) || v < 0) throw new InvalidArgumentError(`'${text}' is not a whole number`);
  return v;
}

/** An option value that must be a whole number from 1. */
export function countFrom1(text: string): number {
  const v = whole(text);
  if (v < 1) throw new InvalidArgumentError(`'${text}' must be at least 1`);
  return v;
}

/** An option value that must be a number from 0 (seconds, days; fractions allowed). */
export function amount(text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0) throw new InvalidArgumentError(`'${text}' is not a number from 0`);
  return v;
}

/** An option value that must be a number from 1 (fractions allowed). */
export function amountFrom1(text: string): number {
  const v = amount(text);
  if (v < 1) throw new InvalidArgumentError(`'${text}' must be at least 1`);
  return v;
}

/** A comma-separated list of whole numbers from 1, e.g. connection counts `10,50,100`. */
export function intList(text: string): number[] {
  const v = text.split(',').map(Number);
  if (v.some((x) => !Number.isInteger(x) || x <= 0)) throw new InvalidArgumentError(`'${text}' is not a list of whole numbers`);
  return v;
}

/** TRUYVET_WORKERS, the default of the HTTP benches' --workers (read when the options are parsed). */
export function workersFromEnv(): number {
  const v = Number(process.env['TRUYVET_WORKERS'] ?? 1);
  if (!Number.isInteger(v) || v < 1) throw new Error(`TRUYVET_WORKERS ${process.env['TRUYVET_WORKERS']}: a whole number from 1`);
  return v;
}

export interface BenchSpec<A> {
  /** `import` for bench/import.ts: the command is `bench:import`. */
  readonly name: string;
  /** One line: what it measures. */
  readonly description: string;
  /** Declares the bench's arguments and options (with their parsers and defaults). */
  readonly options: (command: Command) => Command;
  /** Turns what commander parsed into the bench's settings; default: the options as they are. */
  readonly settings?: (options: OptionValues, args: readonly string[]) => A;
  /** Brings the Neo4j schema up to date before the bench runs. */
  readonly migrate?: boolean;
}

export interface Bench<A> {
  /** The settings of a command line (without `node file`); throws a CommanderError on bad input or --help. */
  parse(argv: readonly string[], output?: { writeOut(s: string): void; writeErr(s: string): void }): A;
  /** Parses `argv`, runs the bench, and sets the exit code. */
  run(argv: readonly string[]): Promise<void>;
}

export function benchCommand(spec: Pick<BenchSpec<unknown>, 'name' | 'description' | 'options'>): Command {
  return spec.options(new Command(`bench:${spec.name}`).description(spec.description).showHelpAfterError('(--help lists the options)'));
}

/** A benchmark: runs it when `mod` is the script node was started with (tsx bench/NAME.ts). */
export function defineBench<A>(mod: NodeModule, spec: BenchSpec<A>, main: (settings: A) => Promise<void>): Bench<A> {
  const bench: Bench<A> = {
    parse(argv, output) {
      const command = benchCommand(spec).exitOverride();
      if (output !== undefined) command.configureOutput(output);
      command.parse([...argv], { from: 'user' });
      const options = command.opts();
      return spec.settings === undefined ? (options as A) : spec.settings(options, command.args);
    },
    async run(argv) {
      try {
        const settings = bench.parse(argv);
        if (spec.migrate === true) await migrate();
        await main(settings);
      } catch (e) {
        // commander has printed the usage (--help) or what is wrong with the command line.
        if (e instanceof CommanderError) {
          process.exitCode = e.exitCode;
          return;
        }
        const err = e as Error;
        process.stderr.write(`bench:${spec.name}: ${err.message ?? String(e)}\n`);
        if (process.env['DEBUG']) process.stderr.write(`${err.stack}\n`);
        process.exitCode = 1;
      } finally {
        await closeDriver().catch(() => undefined);
      }
    },
  };
  if (require.main === mod) void bench.run(process.argv.slice(2));
  return bench;
}

// ---- Results ----------------------------------------------------------------------------------

/** The bench's result: one JSON document on stdout (progress goes to stderr). */
export function printResult(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

/** Progress on stderr, `[bench] …`. */
export function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

export const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** The nearest-rank percentile `q` (0–1] of ascending values; 0 when there are none. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
}

/** p50/p95/p99, mean and max of values in any order, rounded to `digits` decimals. */
export function percentiles(values: readonly number[], digits = 1): Percentiles {
  const s = [...values].sort((x, y) => x - y);
  const r = (v: number): number => round(v, digits);
  const sum = s.reduce((x, y) => x + y, 0);
  return { p50: r(percentile(s, 0.5)), p95: r(percentile(s, 0.95)), p99: r(percentile(s, 0.99)), mean: r(sum / Math.max(1, s.length)), max: r(s.at(-1) ?? 0) };
}

/** Runs `work` and measures it: its value and the milliseconds it took. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await work();
  return { value, ms: performance.now() - t0 };
}

/** Database hits of a PROFILE plan, summed over its tree. */
export interface ProfileNode {
  dbHits: number;
  children: ProfileNode[];
}
export const dbHits = (p: ProfileNode): number => p.dbHits + p.children.reduce((s, c) => s + dbHits(c), 0);

// ---- The machine ------------------------------------------------------------------------------

export const loadAverage = (): number[] => os.loadavg().map((x) => round(x, 2));

export function machine(): { cpus: number; cpu: string; memoryGB: number; node: string; loadAverage: number[] } {
  return { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '?', memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage: loadAverage() };
}

/** Peak resident memory of this process so far, MB. */
export const ownPeakRssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

/** Peak resident memory (VmHWM) of a process, kB; null when /proc cannot tell (not Linux, or it ended). */
export function peakKb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Linux's USER_HZ: 100 on every platform Node runs on. */
const CLOCK_TICKS = 100;

/** CPU seconds (user + system) a process has used so far, and its parent; null when /proc cannot tell. */
export function procCpu(pid: number): { seconds: number; ppid: number } | null {
  try {
    // Fields after the command (which may hold spaces) start at the last ')'.
    const rest = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ');
    return { seconds: (Number(rest[11]) + Number(rest[12])) / CLOCK_TICKS, ppid: Number(rest[1]) };
  } catch {
    return null;
  }
}

/** The local Neo4j's process (the launcher's pid file), or null when there is none to read. */
export function localNeo4jPid(): number | null {
  try {
    return Number(fs.readFileSync(path.join(localNeo4jHome(), 'run', 'truyvet-neo4j.pid'), 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

// ---- The real command -------------------------------------------------------------------------

/**
 * `truyvet ARGS` in a child (LOG_LEVEL warn unless `env` says otherwise): its stdout, and its
 * peak resident memory read from /proc while it runs. Its stderr passes through.
 */
export async function truyvet(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ out: string; peakRssMB: number | null }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  let peak: number | null = null;
  const poll = setInterval(() => {
    const kb = child.pid === undefined ? null : peakKb(child.pid);
    if (kb !== null) peak = Math.max(peak ?? 0, kb);
  }, 100);
  const [code] = (await once(child, 'close')) as [number | null];
  clearInterval(poll);
  if (code !== 0) throw new Error(`truyvet ${args.join(' ')} exited ${code}`);
  return { out, peakRssMB: peak === null ? null : Math.round(peak / 1024) };
}
