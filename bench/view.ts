/**
 * The tracers' view on screen, in headless Chromium (Debian's, driven by playwright-core; nothing
 * downloaded), run by hand; prints one JSON document:
 *
 *   npm run bench:view -- [--people 3000] [--stations 150] [--days 14] [--seed 1] [--depth 2] [--rounds 3] [--keep] [--city FILE] [--profile DIR]
 *
 * A city like `npm start`'s demo (3,000 people, 150 stations, 14 days, seed 1) is generated and
 * imported under a run prefix, as the browser tests do (tests/e2e/city.ts); the real API serves
 * the built view in this process. Each round reloads the page, logs in, traces the city's first
 * planted F0 (depth `--depth`, tolerance 15 min, the sensitivity rows on, as the form's default)
 * and waits until the page is quiet. Times are read in the page, from the moment the answer of
 * `POST /api/traces` arrived (its resource timing's responseEnd):
 *
 * - `counts`: the counts per generation on screen (the view's `truyvet:counts` mark when it has
 *   one; else the first `[data-testid=count-f1]`, seen by a MutationObserver);
 * - `f1List`: the first row of the people list;
 * - `graph`, `map`, `timeline`, `hotspots`, `sensitivity`: each panel's first content;
 * - `view`: the last change in the panels before a second of quiet (`truyvet:view` is also read);
 * - `longTasks`: main-thread tasks over 50 ms after the answer (count, sum, longest).
 *
 * The engine's own time (`stats.milliseconds`) and the answer's round trip are given beside.
 * `--keep` keeps the city (and writes FILE, default ~/.cache/truyvet/view-city-PEOPLE.json) for
 * `--city FILE` to reuse; without `--keep` it is removed at the end. `--profile DIR` writes a
 * Chromium CPU profile of each round (open in Chrome's DevTools, Performance), from an unminified
 * bundle (so the times are a little higher).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { pseudonym } from '../engine/identity';
import { trace } from '../engine/trace';
import { buildViz } from '../viz/build';
import { toLocalInput } from '../viz/src/time';
import { makeAccount } from '../tests/helpers/builders';
import { newRunId, removeRun } from '../tests/helpers/cleanup';
import { startInProcess } from '../tests/helpers/server';
import { makeCity, type E2eCity } from '../tests/e2e/city';
import { countFrom1, defineBench, log, machine, percentiles, printResult, round, whole } from './harness';

interface Args {
  people: number;
  stations: number;
  days: number;
  seed: number;
  depth: number;
  rounds: number;
  keep: boolean;
  city: string | undefined;
  profile: string | undefined;
}

const CHROMIUM = process.env['TRUYVET_CHROMIUM'] ?? '/usr/bin/chromium';

/** What the page records from the start (an init script): when each panel first showed content. */
const OBSERVER = `(() => {
  const seen = {};
  const panels = {
    counts: '[data-testid=count-f1]',
    f1List: '#people tbody tr',
    graph: '#graph g.node',
    map: '#map circle.station',
    timeline: '#timeline g.lane',
    hotspots: '#hotspots tbody tr',
    sensitivity: '#sensitivity table',
  };
  const rec = { seen, lastChange: 0, longTasks: [] };
  window.__truyvetBench = rec;
  new PerformanceObserver((list) => { for (const e of list.getEntries()) rec.longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
  const look = () => {
    const now = performance.now();
    for (const [name, sel] of Object.entries(panels)) if (seen[name] === undefined && document.querySelector(sel)) seen[name] = now;
  };
  document.addEventListener('DOMContentLoaded', () => {
    const views = document.getElementById('workspace');
    new MutationObserver(() => { rec.lastChange = performance.now(); look(); }).observe(views, { subtree: true, childList: true, attributes: true, characterData: true });
  });
})();`;

interface Round {
  engineMs: number;
  answerMs: number;
  people: number;
  counts: number;
  f1List: number;
  graph: number;
  map: number;
  timeline: number;
  hotspots: number;
  sensitivity: number;
  view: number;
  marks: Record<string, number>;
  longTasks: { count: number; sumMs: number; maxMs: number };
}

function cityFile(a: Args): string {
  return a.city ?? path.join(os.homedir(), '.cache', 'truyvet', `view-city-${a.people}.json`);
}

async function oneRound(page: Page, url: string, account: { username: string; password: string }, city: E2eCity, depth: number): Promise<Round> {
  const planted = city.outbreaks[0]!;
  await page.goto(url + '/');
  await page.fill('#username', account.username);
  await page.fill('#password', account.password);
  await page.click('#login-submit');
  await page.waitForSelector('#workspace:not([hidden])');
  await page.fill('#f0', planted.f0);
  await page.fill('#from', toLocalInput(planted.from));
  await page.fill('#to', toLocalInput(planted.to));
  await page.fill('#depth', String(depth));
  await page.fill('#tolerance', '15');
  await page.fill('#requestRef', 'BENCH-1');
  await page.fill('#purpose', 'bench of the view');
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/traces') && r.request().method() === 'POST', { timeout: 300_000 });
  await page.click('#run-trace');
  const body = (await (await answer).json()) as { stats: { milliseconds: number }; page: { totalPeople: number } };
  await page.waitForSelector('#sensitivity table', { timeout: 300_000 });
  await page.waitForSelector('#hotspots tbody tr', { timeout: 300_000 });
  // Quiet: nothing changed in the panels for a second.
  await page.waitForFunction(() => {
    const rec = (window as unknown as { __truyvetBench: { lastChange: number } }).__truyvetBench;
    return performance.now() - rec.lastChange > 1000;
  }, undefined, { timeout: 300_000, polling: 200 });
  const got = await page.evaluate(() => {
    const rec = (window as unknown as { __truyvetBench: { seen: Record<string, number>; lastChange: number; longTasks: [number, number][] } }).__truyvetBench;
    const post = performance
      .getEntriesByType('resource')
      .filter((e) => e.name.endsWith('/api/traces'))
      .at(-1) as PerformanceResourceTiming | undefined;
    const marks: Record<string, number> = {};
    for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('truyvet:')) marks[m.name] = m.startTime;
    return { seen: rec.seen, lastChange: rec.lastChange, longTasks: rec.longTasks, answeredAt: post?.responseEnd ?? NaN, askedAt: post?.startTime ?? NaN, marks };
  });
  const after = (t: number | undefined) => (t === undefined ? NaN : round(t - got.answeredAt));
  const tasks = got.longTasks.filter(([start]) => start + 1 >= got.answeredAt).map(([, d]) => d);
  const marks = Object.fromEntries(Object.entries(got.marks).map(([k, v]) => [k, after(v)]));
  return {
    engineMs: body.stats.milliseconds,
    answerMs: round(got.answeredAt - got.askedAt),
    people: body.page.totalPeople,
    counts: marks['truyvet:counts'] ?? after(got.seen['counts']),
    f1List: after(got.seen['f1List']),
    graph: after(got.seen['graph']),
    map: after(got.seen['map']),
    timeline: after(got.seen['timeline']),
    hotspots: after(got.seen['hotspots']),
    sensitivity: after(got.seen['sensitivity']),
    view: marks['truyvet:view'] ?? after(got.lastChange),
    marks,
    longTasks: { count: tasks.length, sumMs: round(tasks.reduce((s, d) => s + d, 0)), maxMs: round(Math.max(0, ...tasks)) },
  };
}

async function main(a: Args): Promise<void> {
  const file = cityFile(a);
  let city: E2eCity;
  if (a.city !== undefined || (a.keep && fs.existsSync(file))) {
    city = JSON.parse(fs.readFileSync(file, 'utf8')) as E2eCity;
    log(`reusing the city ${city.run} (${file})`);
  } else {
    const run = newRunId('bv');
    log(`generating and importing a city of ${a.people} people, ${a.stations} stations, ${a.days} days under ${run}`);
    const t0 = Date.now();
    city = await makeCity(run, { people: a.people, stations: a.stations, days: a.days, seed: a.seed, start: '2021-08-01' });
    log(`${city.passages} passages in ${round((Date.now() - t0) / 1000)} s`);
    if (a.keep) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(city));
      log(`kept: ${file}`);
    }
  }
  const planted = city.outbreaks[0]!;
  const engine = await trace({ f0: pseudonym(planted.f0), from: Date.parse(planted.from), to: Date.parse(planted.to), depth: a.depth, toleranceSeconds: 900 });
  const byGen: Record<string, number> = {};
  for (const p of engine.people) byGen[`F${p.generation}`] = (byGen[`F${p.generation}`] ?? 0) + 1;
  log(`the planted F0 reaches ${engine.people.length} people (${JSON.stringify(byGen)}), ${engine.contacts.length} contacts`);

  const vizDir = fs.mkdtempSync(path.join(os.tmpdir(), `truyvet-bench-viz-`));
  // A profile names the view's own functions: the bundle is not minified then.
  await buildViz(vizDir, { minify: a.profile === undefined });
  const run = newRunId('bva');
  const account = await makeAccount(run, 'tracer', 'tracer');
  const server = await startInProcess(run, { settings: { vizDir } });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const rounds: Round[] = [];
  try {
    for (let i = 0; i < a.rounds; i++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
      await context.addInitScript(OBSERVER);
      const page = await context.newPage();
      page.setDefaultTimeout(120_000);
      const cdp = a.profile !== undefined ? await context.newCDPSession(page) : undefined;
      if (cdp) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      const r = await oneRound(page, server.url, account, city, a.depth);
      if (cdp && a.profile !== undefined) {
        const { profile } = await cdp.send('Profiler.stop');
        fs.mkdirSync(a.profile, { recursive: true });
        fs.writeFileSync(path.join(a.profile, `view-round-${i + 1}.cpuprofile`), JSON.stringify(profile));
      }
      log(`round ${i + 1}: counts ${r.counts} ms, view ${r.view} ms after the answer (engine ${r.engineMs} ms)`);
      rounds.push(r);
      await context.close();
    }
  } finally {
    await browser.close().catch(() => undefined);
    await server.close().catch(() => undefined);
    await removeRun(run);
    if (!a.keep && a.city === undefined) await removeRun(city.run, { people: city.rawKeys });
    fs.rmSync(vizDir, { recursive: true, force: true });
    if (!a.keep) fs.rmSync(city.dir, { recursive: true, force: true });
  }
  const p = (k: keyof Omit<Round, 'marks' | 'longTasks'>) => percentiles(rounds.map((r) => r[k]));
  printResult({
    bench: 'view',
    date: new Date().toISOString(),
    machine: machine(),
    chromium: browser.version(),
    city: { people: a.people, stations: a.stations, days: a.days, seed: a.seed, passages: city.passages },
    trace: { depth: a.depth, people: engine.people.length, generations: byGen, contacts: engine.contacts.length },
    afterAnswerMs: { counts: p('counts'), f1List: p('f1List'), graph: p('graph'), map: p('map'), timeline: p('timeline'), hotspots: p('hotspots'), view: p('view') },
    engineMs: p('engineMs'),
    answerMs: p('answerMs'),
    rounds,
  });
}

export default defineBench(
  module,
  {
    name: 'view',
    description: "the tracers' view in Chromium: counts and the whole view on screen after the trace's answer",
    migrate: true,
    options: (c) =>
      c
        .option('--people <n>', 'people of the city', countFrom1, 3000)
        .option('--stations <n>', 'stations of the city', countFrom1, 150)
        .option('--days <n>', 'days of movement', countFrom1, 14)
        .option('--seed <n>', 'seed of the city', whole, 1)
        .option('--depth <n>', 'depth of the trace', countFrom1, 2)
        .option('--rounds <n>', 'traces, each on a freshly loaded page', countFrom1, 3)
        .option('--keep', 'keep the city (and reuse a kept one)', false)
        .option('--city <file>', 'reuse the city a --keep run wrote')
        .option('--profile <dir>', 'write a Chromium CPU profile of each round there'),
  },
  main,
);
