import fs from 'node:fs';
import path from 'node:path';
import { CommanderError } from 'commander';
import { DEFAULT_BATCH_SIZE } from '../engine/import';
import { DEFAULT_MAX_CONTACTS } from '../engine/trace';
import { DEFAULT_OUTBREAK_MAX_CONTACTS } from '../engine/outbreak';
import { amount, countFrom1, intList, percentile, percentiles, whole, type Bench } from './harness';
import apiBench from './api';
import importBench from './import';
import outbreakBench from './outbreak';
import pagesBench from './pages';
import scanBench from './scan';
import storageBench from './storage';
import traceBench from './trace';

const quiet = { writeOut: () => undefined, writeErr: () => undefined };
const parse = <A>(bench: Bench<A>, line: string): A => bench.parse(line.split(' ').filter((x) => x !== ''), quiet);

describe('percentiles', () => {
  it('take the nearest rank of the values in any order', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    expect(percentiles(values)).toEqual({ p50: 50, p95: 95, p99: 99, mean: 50.5, max: 100 });
    expect(percentile([10, 20, 30], 0.5)).toBe(20);
    expect(percentile([10, 20, 30], 0.99)).toBe(30);
  });

  it('are zero when nothing was measured, and rounded to the digits asked', () => {
    expect(percentiles([])).toEqual({ p50: 0, p95: 0, p99: 0, mean: 0, max: 0 });
    expect(percentiles([1.234, 5.678], 2)).toEqual({ p50: 1.23, p95: 5.68, p99: 5.68, mean: 3.46, max: 5.68 });
    expect(percentiles([1.234, 5.678])).toEqual({ p50: 1.2, p95: 5.7, p99: 5.7, mean: 3.5, max: 5.7 });
  });
});

describe('option values', () => {
  it('are refused when they are not what the option counts', () => {
    expect(whole('12')).toBe(12);
    for (const bad of ['', '1.5', '-1', 'x']) expect(() => whole(bad)).toThrow(CommanderError);
    expect(() => countFrom1('0')).toThrow(CommanderError);
    expect(amount('0.5')).toBe(0.5);
    expect(intList('10,50,100')).toEqual([10, 50, 100]);
    for (const bad of ['10,,50', '0,5', '1.5']) expect(() => intList(bad)).toThrow(CommanderError);
  });
});

describe('each bench without flags', () => {
  it('runs with the defaults its documentation gives', () => {
    expect(parse(importBench, '')).toEqual({ rows: 1_000_000, city: 'design', seed: 2021, batch: DEFAULT_BATCH_SIZE, perRow: 10_000, sweep: [], sweepRows: 100_000, keep: false, reimport: true, floor: 200_000 });
    expect(parse(storageBench, '')).toEqual({ rows: 200_000, batch: 5000, lookups: 500, seed: 1 });
    expect(parse(traceBench, 'DIR')).toEqual({ dir: 'DIR', traces: 200, days: 3, horizonDays: 3, seed: 1, check: 10, profile: 200, duckdb: true, depth2Traces: 200, maxContacts: DEFAULT_MAX_CONTACTS, breakdown: 8, closeOnly: true });
    expect(parse(outbreakBench, '')).toEqual({ passages: 1_000_000, city: 'design', seed: 2021, cases: [1000], depths: [1, 2], reps: 3, day: 10, maxContacts: DEFAULT_OUTBREAK_MAX_CONTACTS, oneByOne: true, keep: false, loaded: false, store: false, closeOnly: false });
    expect(parse(pagesBench, '')).toEqual({ traces: 3, days: 3, pageSize: 1000, rounds: 3, minPeople: 5000, seed: 1 });
    const workers = process.env['TRUYVET_WORKERS'];
    delete process.env['TRUYVET_WORKERS'];
    try {
      expect(parse(scanBench, '')).toEqual({ connections: [10, 50, 100], seconds: 15, warmup: 30, codes: 20_000, logLevel: 'info', workers: 1, cityOnly: false, keep: false });
      expect(parse(apiBench, '')).toEqual({ connections: [4, 16], seconds: 20, cases: 200, days: 1, seed: 1, logLevel: 'info', workers: 1, keep: false });
      process.env['TRUYVET_WORKERS'] = '2';
      expect(parse(scanBench, '').workers).toBe(2);
      expect(parse(apiBench, '--workers 3').workers).toBe(3);
    } finally {
      if (workers === undefined) delete process.env['TRUYVET_WORKERS'];
      else process.env['TRUYVET_WORKERS'] = workers;
    }
  });
});

/** The command lines docs/benchmarks.md documents, as written there after `npm run `. */
const documented = {
  importSweep: 'bench:import -- --ten-million --sweep 1000,5000,20000 --floor 300000',
  importKeep: 'bench:import -- --ten-million --keep --per-row 0 --no-reimport --floor 0',
  importDense: 'bench:import -- --rows 2000 --city dense --batch 1000',
  importRemove: 'bench:import -- --remove bench123m-',
  storage: 'bench:storage -- --rows 200000 --batch 5000 --lookups 500 --seed 1',
  traceF0s: 'bench:trace -- DIR --traces 200 --depth2-traces 30 --f0s picks.json --breakdown 8 --no-duckdb',
  traceDepth2: 'bench:trace -- DIR --traces 20 --depth2-traces 50',
  scanWorkers: 'bench:scan -- --connections 10,100 --seconds 15 --warmup 15 --workers 2',
  scanCity: 'bench:scan -- --codes 500 --log-level warn --city-only --keep',
  apiWorkers: 'bench:api -- --workers 2 --connections 4,16 --seconds 15',
  apiCity: 'bench:api -- --city some/city --cases 30 --days 3 --seed 2 --keep',
  pages: 'bench:pages -- --traces 3 --days 3 --page-size 1000 --rounds 3 --min-people 5000 --seed 1',
} as const;
/** A documented line's flags, without its `bench:NAME --` script. */
const flags = (line: string): string => line.replace(/^bench:\w+ -- /, '');

describe('the command lines docs/benchmarks.md documents', () => {
  it('are written there as they are tested here', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'benchmarks.md'), 'utf8');
    expect(Object.values(documented).filter((line) => !doc.includes(`npm run ${line}\n`))).toEqual([]);
  });

  it('parse to the settings they name', () => {
    const d = documented;
    expect(parse(importBench, flags(d.importSweep))).toMatchObject({ rows: 10_000_000, sweep: [1000, 5000, 20000], floor: 300_000 });
    expect(parse(importBench, flags(d.importKeep))).toMatchObject({ rows: 10_000_000, keep: true, perRow: 0, reimport: false, floor: 0 });
    expect(parse(importBench, flags(d.importDense))).toMatchObject({ rows: 2000, city: 'dense', batch: 1000 });
    expect(parse(importBench, flags(d.importRemove))).toMatchObject({ remove: 'bench123m-' });
    expect(parse(storageBench, flags(d.storage))).toEqual({ rows: 200_000, batch: 5000, lookups: 500, seed: 1 });
    expect(parse(traceBench, flags(d.traceF0s))).toMatchObject({ dir: 'DIR', traces: 200, depth2Traces: 30, f0s: 'picks.json', breakdown: 8, duckdb: false });
    expect(parse(traceBench, flags(d.traceDepth2))).toMatchObject({ traces: 20, depth2Traces: 20 });
    expect(parse(scanBench, flags(d.scanWorkers))).toMatchObject({ connections: [10, 100], seconds: 15, warmup: 15, workers: 2 });
    expect(parse(scanBench, flags(d.scanCity))).toMatchObject({ codes: 500, logLevel: 'warn', cityOnly: true, keep: true });
    expect(parse(apiBench, flags(d.apiWorkers))).toMatchObject({ workers: 2, connections: [4, 16], seconds: 15 });
    expect(parse(apiBench, flags(d.apiCity)).city).toMatch(/^\/.*some\/city$/);
    expect(parse(pagesBench, flags(d.pages))).toMatchObject({ pageSize: 1000, minPeople: 5000 });
  });

  it('are refused with an unknown flag or a missing DIR, before anything runs', () => {
    expect(() => parse(storageBench, '--rowz 5')).toThrow(/unknown option '--rowz'/);
    expect(() => parse(traceBench, '--traces 5')).toThrow(/missing required argument 'dir'/);
    expect(() => parse(importBench, '--city lockdown')).toThrow(/Allowed choices are design, dense/);
    expect(() => parse(pagesBench, '--page-size 0')).toThrow(/must be at least 1/);
  });
});
