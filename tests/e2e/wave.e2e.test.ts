import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { pseudonym } from '../../engine/identity';
import { trace } from '../../engine/trace';
import { buildViz } from '../../viz/build';
import { toLocalInput } from '../../viz/src/time';
import { makeAccount } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { startInProcess, type TestServer } from '../helpers/server';
import { makeCity, type E2eCity, type PlantedCase } from './city';

/**
 * The epidemic-wave pages (issue 23 point 9) in a real headless Chromium against the real API and
 * Neo4j, on a small generated city under this run's ids: a tracer runs an outbreak trace of the
 * run's registered cases from the form and sees its counts (checked against the API's own answer),
 * a cluster's graph and the epidemic curve; an officer of a commune a close F1 lives in logs in,
 * lands on the follow-up list, changes a status (and sees the reason of a refused one) and
 * downloads the call list.
 */

const CHROMIUM = process.env['TRUYVET_CHROMIUM'] ?? '/usr/bin/chromium';
const SHOTS = path.resolve(__dirname, '..', '..', 'test-output', 'e2e');
const run = newRunId('e2w');
const DAY = 86_400_000;
// A start no other test's city uses: the run takes every case of the province confirmed in the window.
const START = '2020-02-03';

let city: E2eCity;
let planted: PlantedCase;
let server: TestServer;
let browser: BrowserContext;
let page: Page;
let userDataDir: string;
let vizDir: string;
let tracerToken = '';
let tracer: { username: string; password: string };
let caseIds: string[] = [];
let runId = '';
const pageErrors: string[] = [];

interface RunBody {
  id: string;
  status: string;
  stats?: { people: number; links: number; clusters: number };
  people?: { generation: number }[];
  page?: { totalPages: number };
}

async function logIn(who: { username: string; password: string }): Promise<void> {
  await page.goto(server.url + '/');
  await page.waitForSelector('#login:not([hidden])');
  await page.fill('#username', who.username);
  await page.fill('#password', who.password);
  await page.click('#login-submit');
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`the browser tests need Chromium at ${CHROMIUM}`);
  fs.mkdirSync(SHOTS, { recursive: true });
  vizDir = fs.mkdtempSync(path.join(os.tmpdir(), `truyvet-e2e-viz-${run}-`));
  await buildViz(vizDir, { minify: false });
  city = await makeCity(run, { people: 200, stations: 15, days: 3, seed: 7, start: START });
  planted = city.outbreaks[0]!;
  // The planted F0 and two of its registered F1s are confirmed cases: the run links them into a cluster.
  const engine = await trace({ f0: pseudonym(planted.f0), from: Date.parse(planted.from), to: Date.parse(planted.to), depth: 1, toleranceSeconds: 900 });
  const rawOf = new Map(city.rawKeys.map((raw) => [pseudonym(raw), raw]));
  const registered = new Set(
    (await readQuery('UNWIND $ids AS id MATCH (i:Identity {pid: id}) WHERE i.commune IS NOT NULL RETURN i.pid AS id', { ids: engine.people.map((p) => p.id) }, (r) => r['id'] as string)),
  );
  const f1s = engine.people.filter((p) => p.generation === 1 && registered.has(p.id)).slice(0, 2);
  expect(f1s).toHaveLength(2);
  const to = Date.parse(planted.to);
  const cases = [
    { caseId: `${run}-A`, personId: planted.f0, confirmedAt: new Date(to).toISOString() },
    ...f1s.map((p, i) => ({ caseId: `${run}-F${i + 1}`, personId: rawOf.get(p.id)!, confirmedAt: new Date(to + (i + 1) * DAY).toISOString() })),
  ];
  caseIds = cases.map((c) => c.caseId);

  // A tracer of the city's province (79): a national one would also list other tests' cases, some sealed with other keys.
  tracer = await makeAccount(run, 'tracer', 'tracer', { province: '79' });
  server = await startInProcess(run, { settings: { vizDir } });
  tracerToken = await server.login(tracer.username, tracer.password);
  const r = await server.request('POST', '/api/cases', { token: tracerToken, json: { cases } });
  expect(r.status).toBe(201);

  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), `truyvet-e2e-chromium-${run}-`));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
    locale: 'vi-VN',
    timezoneId: 'Europe/Paris',
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    // The refused status change is a 409 the browser reports by itself.
    if (m.type() === 'error' && !m.text().includes('status of 409')) pageErrors.push(`${m.text()} (${m.location().url})`);
  });
}, 300_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.close().catch(() => undefined);
  await removeRun(run, { people: city?.rawKeys ?? [] });
  await closeDriver();
  for (const dir of [userDataDir, vizDir, city?.dir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('the epidemic-wave page of a tracer', () => {
  it('is reached from the top bar and lists the confirmed cases', async () => {
    await logIn(tracer);
    await page.waitForSelector('#pages:not([hidden])');
    await page.click('#to-wave');
    await page.waitForSelector('#wave:not([hidden])');
    expect(await page.isHidden('#workspace')).toBe(true);
    for (const id of caseIds) await page.waitForSelector(`#cases tr[data-case="${id}"]`);
  });

  it('runs an outbreak trace from the form and shows its counts per generation, links and clusters, as the API has them', async () => {
    await page.fill('#ob-since', toLocalInput(Date.parse(planted.to) - DAY));
    await page.fill('#ob-until', toLocalInput(Date.parse(planted.to) + 3 * DAY));
    await page.fill('#ob-depth', '2');
    await page.fill('#ob-ref', 'SYT-E2E/23');
    await page.fill('#ob-purpose', 'e2e: the wave page');
    await page.click('#ob-run');
    await page.waitForSelector('[data-testid="ob-counts"]', { timeout: 120_000 });
    const list = await server.request<{ runs: RunBody[] }>('GET', '/api/outbreaks?limit=1', { token: tracerToken });
    runId = list.body.runs[0]!.id;
    const first = (await server.request<RunBody>('GET', `/api/outbreaks/${runId}?page=1&pageSize=1000`, { token: tracerToken })).body;
    expect(first.status).toBe('done');
    const people = [...(first.people ?? [])];
    for (let p = 2; p <= (first.page?.totalPages ?? 1); p++) people.push(...((await server.request<RunBody>('GET', `/api/outbreaks/${runId}?page=${p}&pageSize=1000`, { token: tracerToken })).body.people ?? []));
    const shown = async (sel: string): Promise<number> => Number(await page.textContent(`[data-testid="ob-counts"] tr${sel} td`));
    for (const g of [1, 2]) expect(await shown(`[data-generation="${g}"]`)).toBe(people.filter((p) => p.generation === g).length);
    expect(await shown(`[data-generation="1"]`)).toBeGreaterThan(0);
    expect(await shown('[data-count="people"]')).toBe(first.stats!.people);
    expect(await shown('[data-count="links"]')).toBe(first.stats!.links);
    expect(await shown('[data-count="clusters"]')).toBe(first.stats!.clusters);
    expect(first.stats!.links).toBeGreaterThanOrEqual(2);
    expect(await page.textContent('#ob-status')).toContain('3 ca');
  }, 180_000);

  it('lists the clusters and draws the selected one: its cases over the days joined by links, with the stations', async () => {
    const clusters = await server.request<{ clusters: { id: string; cases: { id: string }[] }[] }>('GET', '/api/clusters?limit=1000', { token: tracerToken });
    const ours = clusters.body.clusters.find((c) => c.cases.some((k) => k.id === `${run}-A`));
    expect(ours).toBeDefined();
    await page.click(`#clusters-list button[data-cluster="${ours!.id}"]`);
    await page.waitForSelector('#cluster-graph svg g.case');
    const drawn = await page.locator('#cluster-graph svg g.case').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-case')));
    expect(drawn.sort()).toEqual(ours!.cases.map((c) => c.id).sort());
    expect(await page.locator('#cluster-graph svg path.link').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#cluster-graph svg g.station').count()).toBeGreaterThanOrEqual(1);
  });

  it('draws the epidemic curve of the jurisdiction by confirmation day, as /api/stats/daily counts it', async () => {
    const day = (ms: number): string => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);
    const to = Date.parse(planted.to);
    await page.fill('#curve-from', day(to - 2 * DAY));
    await page.fill('#curve-to', day(to + 4 * DAY));
    await page.click('#curve-show');
    await page.waitForFunction((d) => document.querySelector(`#curve g.bar[data-day="${d}"]`) !== null, day(to + 4 * DAY));
    const bars = await page.locator('#curve g.bar').evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-day'), Number(g.getAttribute('data-cases'))] as const));
    expect(bars).toHaveLength(7);
    // The run's three cases are on three days (the province may have other tests' cases too: at least ours).
    for (let i = 0; i < 3; i++) expect(bars.find(([d]) => d === day(to + i * DAY))?.[1]).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#curve g.bar rect').count()).toBe(7);
    await page.screenshot({ path: path.join(SHOTS, 'wave.png'), fullPage: true });
  });

  it('speaks English too, counts and curve included, and fits a phone without scrolling sideways', async () => {
    await page.click('#lang-en');
    expect(await page.textContent('#to-wave')).toBe('Epidemic wave');
    expect(await page.textContent('#ob-title')).toBe('Outbreak trace');
    expect(await page.textContent('[data-testid="ob-counts"] tr[data-count="links"] th')).toBe('Links between cases');
    expect(await page.textContent('[data-testid="curve-total"]')).toMatch(/cases over 7 days/);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(SHOTS, 'wave-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.click('#lang-vi');
  });
});

describe('the follow-up page of an officer', () => {
  let officer: { username: string; password: string };
  let followUpId = '';

  beforeAll(async () => {
    // An officer of the commune where one of the run's followed-up F1s lives.
    const [home] = await readQuery(
      "MATCH (f:FollowUp) WHERE ('run:' + $run) IN f.sources AND f.commune <> '' RETURN f.id AS id, f.province AS province, f.district AS district, f.commune AS commune ORDER BY f.id LIMIT 1",
      { run: runId },
      (r) => r as { id: string; province: string; district: string; commune: string },
    );
    expect(home).toBeDefined();
    followUpId = home!.id;
    officer = await makeAccount(run, 'officer', 'officer', { province: home!.province, district: home!.district, commune: home!.commune });
    await page.click('#logout');
  });

  it('lands on the follow-up list with name, phone, status and quarantine end', async () => {
    await logIn(officer);
    await page.waitForSelector('#followups:not([hidden])');
    expect(await page.isHidden('#workspace')).toBe(true);
    expect(await page.isHidden('#pages')).toBe(true);
    const row = page.locator(`#fu-list tr[data-followup="${followUpId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('to_contact');
    const cells = await row.locator('td').allTextContents();
    expect(cells[0]).not.toBe('—');
    expect(cells[1]).toMatch(/^\+?\d{9,}$/);
    expect(cells[3]).not.toBe('');
  });

  it('changes a status through the select, and shows the reason when the server refuses a change (409)', async () => {
    await page.selectOption(`#fu-list select[data-followup="${followUpId}"]`, 'reached');
    await page.waitForSelector(`#fu-list tr[data-followup="${followUpId}"][data-status="reached"]`);
    const [stored] = await readQuery('MATCH (f:FollowUp {id: $id}) RETURN f.status AS status', { id: followUpId }, (r) => r['status'] as string);
    expect(stored).toBe('reached');
    // Released before the quarantine has ended (and straight from reached): the machine says no.
    await page.selectOption(`#fu-list select[data-followup="${followUpId}"]`, 'released');
    const error = page.locator(`#fu-list tr[data-followup="${followUpId}"] .error`);
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^Không đổi được: .*reached/);
    expect(await page.getAttribute(`#fu-list tr[data-followup="${followUpId}"]`, 'data-status')).toBe('reached');
  });

  it('downloads the call list with the token', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#fu-export')]);
    expect(download.suggestedFilename()).toMatch(/^danh-sach-goi-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = fs.readFileSync(await download.path(), 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain('follow_up_id');
    expect(text).toContain(followUpId);
    await page.screenshot({ path: path.join(SHOTS, 'followups.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
