import v8 from 'node:v8';
import { performance } from 'node:perf_hooks';
import vm from 'node:vm';

/**
 * A soft memory ceiling for long imports. V8 sizes its heap from the machine's memory (GBs here)
 * and lets garbage pile up before a full collection: an import makes tens of MB of short-lived
 * rows a second while its live set stays ~30 MB, so its RSS saws between ~200 and ~310 MB. Past
 * the soft limit a full collection runs before the next batch (at most once a second), which keeps
 * the importer under its 300-MB promise without a command-line flag.
 */
export const SOFT_RSS_BYTES = 240 * 1024 * 1024;

let collect: (() => void) | undefined;

function collector(): () => void {
  if (collect === undefined) {
    // `gc` is only exposed behind a flag; setting the flag at run time and reading `gc` from a
    // fresh context gets it without restarting node (a known idiom, not a public API).
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  return collect;
}

/**
 * At most one collection a second: an import makes ~30 MB of garbage a second, so the overshoot
 * stays small, and a process whose live heap alone is past the limit is not collected per batch.
 */
const MIN_INTERVAL_MS = 1000;
let last = -Infinity;

/** Runs a full collection when the process is past the soft limit; true if it did. */
export function collectIfOver(limit: number = SOFT_RSS_BYTES, now: number = performance.now()): boolean {
  if (process.memoryUsage.rss() <= limit || now - last < MIN_INTERVAL_MS) return false;
  last = now;
  collector()();
  return true;
}
