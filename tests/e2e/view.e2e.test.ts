import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { chromium, type BrowserContext, type Download, type Page } from 'playwright-core';
import { closeDriver } from '../../engine/db/driver';
import { pseudonym } from '../../engine/identity';
import { trace } from '../../engine/trace';
import type { TraceResult } from '../../engine/types';
import { buildViz } from '../../viz/build';
import { hotspotRuns } from '../../viz/src/hotspot-runs';
import { toLocalInput } from '../../viz/src/time';
import type { Hotspot, HotspotList } from '../../viz/src/types';
import { makeAccount } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { startInProcess, type TestServer } from '../helpers/server';
import { FILES } from '../../generator';
import { makeCity, type E2eCity, type PlantedCase } from './city';

/**
 * The tracers' view in a real headless Chromium (Debian's, driven by playwright-core; nothing is
 * downloaded) against the real API in process and the real Neo4j, on a generated city under this
 * run's ids: log in, trace a planted F0, compare the F1/F2 counts with the engine's own trace,
 * open a person's timeline, export the CSV and the graph, switch the language. Screenshots go to
 * test-output/e2e/; with TRUYVET_UPDATE_SCREENSHOT=1 the README's docs/screenshot.png too.
 */

const CHROMIUM = process.env['TRUYVET_CHROMIUM'] ?? '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '..', '..');
const SHOTS = path.join(ROOT, 'test-output', 'e2e');
const run = newRunId('e2e');

let city: E2eCity;
let planted: PlantedCase;
let server: TestServer;
let browser: BrowserContext;
let page: Page;
let engine: TraceResult;
/** The cells the API answered the view with, before the view merged them. */
let apiHotspots: Hotspot[] = [];
let account: { username: string; password: string };
let userDataDir: string;
let vizDir: string;
/** How far the server's clock runs ahead of the real one (the token refresh test moves it). */
let serverSkew = 0;
const requests: string[] = [];
const pageErrors: string[] = [];
/** Raw person key → pseudonymous id, for the people of the city. */
const pidOf = new Map<string, string>();

const count = (r: Pick<TraceResult, 'people'>, g: number) => r.people.filter((p) => p.generation === g).length;

/** People of generation g the graph stands for: each node counts its people (1, or a group's members). */
async function drawnPeople(g: number): Promise<number> {
  const counts = await page.locator(`#graph g.node[data-generation="${g}"]`).evaluateAll((ns) => ns.map((n) => Number(n.getAttribute('data-count'))));
  return counts.reduce((a, b) => a + b, 0);
}

/** The city's passages as its CSV has them (at, left_at), by passage id. */
function cityPassages(): Map<string, { at: number; leftAt: number | undefined }> {
  const rows = parse<Record<string, string>>(fs.readFileSync(path.join(city.dir, FILES.passages)), { columns: true, bom: true });
  return new Map(rows.map((r) => [r['passage_id']!, { at: Date.parse(r['at']!.length === 19 ? `${r['at']}+07:00` : r['at']!), leftAt: r['left_at'] ? Date.parse(r['left_at'].length === 19 ? `${r['left_at']}+07:00` : r['left_at']) : undefined }]));
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function downloadOf(click: () => Promise<void>): Promise<{ download: Download; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const file = await download.path();
  return { download, bytes: fs.readFileSync(file) };
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`the browser tests need Chromium at ${CHROMIUM}: apt-get install -y chromium (or set TRUYVET_CHROMIUM)`);
  }
  fs.mkdirSync(SHOTS, { recursive: true });
  vizDir = fs.mkdtempSync(path.join(os.tmpdir(), `truyvet-e2e-viz-${run}-`));
  await buildViz(vizDir);
  city = await makeCity(run, { people: 250, stations: 20, days: 3, seed: 7, start: '2021-08-01' });
  for (const raw of city.rawKeys) pidOf.set(raw, pseudonym(raw));
  planted = city.outbreaks[0]!;
  engine = await trace({ f0: pseudonym(planted.f0), from: Date.parse(planted.from), to: Date.parse(planted.to), depth: 2, toleranceSeconds: 900 });
  account = await makeAccount(run, 'tracer', 'tracer');
  server = await startInProcess(run, { settings: { vizDir }, now: () => Date.now() + serverSkew });

  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), `truyvet-e2e-chromium-${run}-`));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    viewport: { width: 1600, height: 1200 },
    acceptDownloads: true,
    locale: 'vi-VN',
    timezoneId: 'Europe/Paris', // the view must show Ho Chi Minh City time whatever the machine's zone
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(30_000);
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    // The wrong-password test provokes the one 401 the browser reports by itself.
    // A trace's progress is 404 before the server has it and once it has ended (docs/api.md): a poll
    // racing the start or the end is expected.
    const progress404 = m.text().includes('status of 404') && m.location().url.includes('/api/traces/progress/');
    if (m.type() === 'error' && !m.text().includes('status of 401') && !progress404) pageErrors.push(`${m.text()} (${m.location().url})`);
  });
}, 300_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.close().catch(() => undefined);
  await removeRun(run, { people: city?.rawKeys ?? [] });
  await closeDriver();
  for (const dir of [userDataDir, vizDir, city?.dir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('the tracers’ view in Chromium', () => {
  it('the planted F0 reaches F1s and F2s in the engine, few enough to draw them all (the scene is worth testing)', () => {
    expect(count(engine, 1)).toBeGreaterThan(3);
    expect(count(engine, 2)).toBeGreaterThan(3);
    expect(engine.people.length).toBeLessThanOrEqual(300);
  });

  it('is served at / by the API and asks a tracer to log in', async () => {
    await page.goto(server.url + '/');
    await page.waitForSelector('#login:not([hidden])');
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    expect(await page.textContent('#login-title')).toBe('Đăng nhập');
  });

  it('refuses a wrong password without saying more', async () => {
    await page.fill('#username', account.username);
    await page.fill('#password', 'not the password');
    await page.click('#login-submit');
    await page.waitForFunction(() => (document.querySelector('#login-error')?.textContent ?? '') !== '');
    expect(await page.textContent('#login-error')).toContain('Sai tên đăng nhập hoặc mật khẩu');
    expect(await page.isHidden('#workspace')).toBe(true);
  });

  it('logs a tracer in, keeping the token out of storage and cookies', async () => {
    await page.fill('#password', account.password);
    await page.click('#login-submit');
    await page.waitForSelector('#workspace:not([hidden])');
    expect(await page.textContent('#who')).toContain(account.username);
    const stored = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
    expect(stored).toEqual({ local: 0, session: 0, cookie: '' });
  });

  it('traces the planted F0 and shows the engine’s numbers of F1 and F2', async () => {
    await page.fill('#f0', planted.f0);
    await page.fill('#from', toLocalInput(planted.from));
    await page.fill('#to', toLocalInput(planted.to));
    await page.fill('#depth', '2');
    await page.fill('#tolerance', '15');
    await page.fill('#requestRef', '123/SYT-NVY');
    await page.fill('#purpose', 'Truy vết ca F0 theo công văn của Sở Y tế');
    const hotspotsAnswer = page.waitForResponse((r) => r.url().includes('/api/hotspots?'), { timeout: 120_000 });
    await page.click('#run-trace');
    await page.waitForSelector('[data-testid=count-f1]', { timeout: 120_000 });
    apiHotspots = ((await (await hotspotsAnswer).json()) as HotspotList).hotspots;
    expect(Number(await page.textContent('[data-testid=count-f1]'))).toBe(count(engine, 1));
    expect(Number(await page.textContent('[data-testid=count-f2]'))).toBe(count(engine, 2));

    // The counts and the list come first; the graph a frame later.
    await page.waitForSelector('#graph g.node');
    expect(await page.locator('#graph g.node[data-generation="0"]').count()).toBe(1);
    expect(await drawnPeople(1)).toBe(count(engine, 1));
    expect(await drawnPeople(2)).toBe(count(engine, 2));
    await page.waitForSelector('#hotspots tbody tr');
    await page.waitForSelector('#sensitivity table');
    await shot('01-trace-vi');
  }, 150_000);

  it('shows the sensitivity to the tolerance, agreeing with the trace at its own tolerance', async () => {
    const row = page.locator('#sensitivity tbody tr', { hasText: '15 phút' });
    expect(await row.locator('td[data-kind="all"]').allTextContents()).toEqual([String(count(engine, 1)), String(count(engine, 2))]);
    expect(await page.locator('#sensitivity tbody tr').count()).toBe(4);
  });

  it('clicking an F2 node shows their timeline and the evidence of each contact that reached them', async () => {
    const node = page.locator('#graph g.node[data-generation="2"][data-kind="person"]').first();
    const id = (await node.getAttribute('data-id'))!;
    await node.dispatchEvent('click');
    await page.waitForSelector('[data-testid=person-timeline] tbody tr');
    const raw = [...pidOf].find(([, pid]) => pid === id)![0];
    expect(await page.textContent('#details')).toContain(raw);
    const reachedBy = engine.contacts.filter((c) => c.target === id);
    expect(await page.locator('#evidence [data-testid=evidence-reached-by] tbody tr').count()).toBe(Math.min(reachedBy.length, 25));
    // Their passages used as evidence are marked in their movements.
    expect(await page.locator('[data-testid=person-timeline] tr.evidence-row').count()).toBeGreaterThan(0);
    // The timeline gives them a lane with their passages; the graph marks them as selected.
    expect(await page.locator(`#timeline g.lane[data-id="${id}"] rect.passage`).count()).toBeGreaterThan(0);
    expect(await node.getAttribute('aria-pressed')).toBe('true');
    // The list jumped to the page with their row, selected.
    expect(await page.getAttribute(`#people tr[data-id="${id}"]`, 'aria-selected')).toBe('true');
    await shot('02-person-vi');
  }, 120_000);

  it('works from the keyboard: Tab to a list row, Enter selects it', async () => {
    await page.selectOption('#people-generation', '1');
    const row = page.locator('#people tbody tr').nth(2);
    const id = (await row.getAttribute('data-id'))!;
    // The table's scroll region is one Tab stop (it scrolls sideways from the keyboard); its rows follow.
    await page.focus('#people .table-scroll');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-id'))).toBe(id);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`#people tr[data-id="${id}"][aria-selected="true"]`);
    expect(await page.getAttribute(`#graph g.node[data-id="${id}"]`, 'aria-pressed')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-id'))).toBe(id);
    await page.selectOption('#people-generation', '');
  }, 120_000);

  it('the graph is one Tab stop, on the person selected in the list; arrows walk the drawn nodes, Enter selects, Tab leaves', async () => {
    const active = () => page.evaluate(() => document.activeElement?.getAttribute('data-id') ?? document.activeElement?.id);
    const selected = (await page.getAttribute('#people tr[aria-selected="true"]', 'data-id'))!;
    expect(await page.locator('#graph g.node[tabindex="0"]').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-id')))).toEqual([selected]);
    await page.focus('#export-png');
    await page.keyboard.press('Tab');
    expect(await active()).toBe(selected);
    // The arrows walk the graph's nodes (F0, then generation by generation, earliest first, the
    // groups among them); Home is F0, End the last node (an F2).
    const order = await page.locator('#graph g.node').evaluateAll((ns) => ns.map((n) => [n.getAttribute('data-id'), n.getAttribute('data-kind')] as const));
    const ids = order.map(([id]) => id);
    const at = ids.indexOf(selected);
    expect(at).toBeGreaterThan(0);
    await page.keyboard.press('ArrowDown');
    expect(await active()).toBe(ids[at + 1]);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowUp');
    expect(await active()).toBe(ids[at - 1]);
    await page.keyboard.press('End');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-generation'))).toBe('2');
    await page.keyboard.press('Home');
    expect(await active()).toBe(pidOf.get(planted.f0));
    // To the first person drawn one by one after F0.
    const firstAt = order.findIndex(([, kind], i) => i > 0 && kind === 'person');
    for (let i = 0; i < firstAt; i++) await page.keyboard.press('ArrowRight');
    const first = ids[firstAt]!;
    expect(await active()).toBe(first);
    // The person's timeline is held back until the focus has left the graph (below).
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/people/*/timeline*', async (route) => {
      await held;
      await route.continue();
    });
    await page.keyboard.press('Enter');
    await page.waitForSelector(`#people tr[data-id="${first}"][aria-selected="true"]`);
    const raw = [...pidOf].find(([, pid]) => pid === first)![0];
    expect(await page.textContent('#details')).toContain(raw);
    // One Tab leaves the graph for the next control after it, in the details; they are drawn again
    // when the person's timeline arrives, and the focus stays put. Shift+Tab comes back to the stop.
    await page.keyboard.press('Tab');
    const after = () => page.evaluate(() => document.querySelector('#graph')!.compareDocumentPosition(document.activeElement!) & Node.DOCUMENT_POSITION_FOLLOWING);
    expect(await page.evaluate(() => !document.querySelector('#graph')!.contains(document.activeElement))).toBe(true);
    expect(await after()).toBeTruthy();
    const focusedBefore = await page.evaluate(() => document.activeElement?.getAttribute('data-focus'));
    release();
    await page.waitForSelector('[data-testid="person-timeline"] table');
    await page.unroute('**/api/people/*/timeline*');
    expect(await after()).toBeTruthy();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-focus'))).toBe(focusedBefore);
    await page.keyboard.press('Shift+Tab');
    expect(await active()).toBe(first);
  }, 120_000);

  it('exports the people as an Excel-friendly CSV with every person of the trace', async () => {
    const { download, bytes } = await downloadOf(() => page.click('#export-csv'));
    expect(download.suggestedFilename()).toMatch(/^truyvet-tr[0-9a-f]+-people\.csv$/);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows: string[][] = parse(bytes.toString('utf8').slice(1));
    expect(rows[0]![0]).toBe('Thế hệ');
    const body = rows.slice(1);
    expect(body).toHaveLength(1 + engine.people.length);
    expect(body[0]!.slice(0, 2)).toEqual(['F0', planted.f0]);
    const byGen = (g: string) => body.filter((r) => r[0] === g).length;
    expect([byGen('F1'), byGen('F2')]).toEqual([count(engine, 1), count(engine, 2)]);
    const keys = new Set(body.slice(1).map((r) => pidOf.get(r[1]!)));
    expect(keys).toEqual(new Set(engine.people.map((p) => p.id)));
    for (const r of body) for (const cell of r) expect(/^[=+\-@\t\r]/.test(cell)).toBe(false);
    fs.writeFileSync(path.join(SHOTS, 'people.csv'), bytes);
  });

  it('exports the people as an Excel workbook whose phones and ids are text cells (leading 0 kept), loading exceljs only then', async () => {
    const before = requests.filter((u) => u.endsWith('/exceljs.min.js')).length;
    expect(before).toBe(0);
    const { download, bytes } = await downloadOf(() => page.click('#export-xlsx'));
    expect(download.suggestedFilename()).toMatch(/^truyvet-tr[0-9a-f]+-people\.xlsx$/);
    expect(requests.filter((u) => u.endsWith('/exceljs.min.js'))).toHaveLength(1);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const header = ws.getRow(2).values as unknown[];
    const col = (name: string) => header.indexOf(name);
    expect(ws.getCell(2, 1).value).toBe('Thế hệ');
    expect(ws.rowCount).toBe(2 + 1 + engine.people.length);
    expect(ws.getCell(3, col('Mã định danh')).value).toBe(planted.f0);
    const phones = [];
    for (let r = 3; r <= ws.rowCount; r++) {
      const cell = ws.getCell(r, col('Điện thoại'));
      if (cell.value !== null) phones.push(cell);
    }
    expect(phones.length).toBeGreaterThan(0);
    for (const cell of phones) {
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.text).toMatch(/^0\d{9}$/);
    }
    const refs = new Set<unknown>();
    for (let r = 3; r <= ws.rowCount; r++) refs.add(ws.getCell(r, col('Số văn bản yêu cầu')).value);
    expect([...refs]).toEqual(['123/SYT-NVY']);
    // A second file reuses the script the first one loaded.
    await downloadOf(() => page.click('#export-xlsx'));
    expect(requests.filter((u) => u.endsWith('/exceljs.min.js'))).toHaveLength(1);
    fs.writeFileSync(path.join(SHOTS, 'people.xlsx'), bytes);
  });

  it('exports the graph as SVG and PNG', async () => {
    const svg = await downloadOf(() => page.click('#export-svg'));
    const text = svg.bytes.toString('utf8');
    expect(svg.download.suggestedFilename()).toMatch(/-graph\.svg$/);
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(text.match(/class="node"/g)?.length).toBe(await page.locator('#graph g.node').count());
    expect(text).not.toContain('tabindex');
    const png = await downloadOf(() => page.click('#export-png'));
    expect(png.download.suggestedFilename()).toMatch(/-graph\.png$/);
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.bytes.length).toBeGreaterThan(20_000);
    // A sensible size: at most 2400 px on the longer side (the PNG header holds width and height).
    const [w, hgt] = [png.bytes.readUInt32BE(16), png.bytes.readUInt32BE(20)];
    expect(Math.max(w, hgt)).toBeLessThanOrEqual(2400);
    expect(png.bytes.length).toBeLessThan(3_000_000);
    // Title, caption with "n of m shown" and the legend are drawn in the picture.
    expect(text).toContain('123/SYT-NVY');
    expect(text).toMatch(/Đang vẽ \d+ trên \d+ người/);
    expect(text).toContain('class="legend"');
    fs.writeFileSync(path.join(SHOTS, 'graph.svg'), svg.bytes);
    fs.writeFileSync(path.join(SHOTS, 'graph.png'), png.bytes);
  });

  it('lists adjacent hotspot cells of a station as one row, every cell of the API in exactly one row', async () => {
    const rows = await page.locator('#hotspots tbody tr').evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-station'), Number(r.getAttribute('data-cells'))]));
    expect(rows.reduce((n, [, cells]) => n + Number(cells), 0)).toBe(apiHotspots.length);
    expect(rows).toEqual(hotspotRuns(apiHotspots).map((r) => [r.stationId, r.cells]));
  });

  it('selecting a hotspot highlights its station on the map', async () => {
    await page.locator('#hotspots tbody tr').first().click();
    const picked = page.locator('#hotspots tbody tr[aria-selected="true"]');
    await picked.waitFor();
    const station = (await picked.getAttribute('data-station'))!;
    expect(await page.locator('#map circle.station[aria-pressed="true"]').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-id')))).toEqual([station]);
    expect(await page.locator('#timeline rect.hot-window').count()).toBe(1);
    await page.keyboard.press('Escape');
    await page.waitForSelector('#hotspots tbody tr[aria-selected="true"]', { state: 'detached' });
  });

  it('draws every generation: dense ones as groups with their place, time and count, says n of m shown, keeps labels readable (issue 23 point 1)', async () => {
    for (const g of [1, 2]) {
      expect(await page.locator(`#graph g.node[data-generation="${g}"]`).count()).toBeGreaterThan(0);
      expect(await drawnPeople(g)).toBe(count(engine, g));
      expect(await page.textContent(`[data-testid=graph-shown-f${g}]`)).toContain(String(count(engine, g)));
    }
    // 89 F1s do not fit their ring: the biggest first-contact groups are drawn as one node each.
    const groups = await page.locator('#graph g.node[data-generation="1"][data-kind="group"]').evaluateAll((ns) =>
      ns.map((n) => ({ id: n.getAttribute('data-id')!, count: Number(n.getAttribute('data-count')), label: n.getAttribute('aria-label') ?? '' })),
    );
    expect(groups.length).toBeGreaterThan(0);
    const biggest = [...groups].sort((a, b) => b.count - a.count)[0]!;
    expect(biggest.count).toBeGreaterThan(1);
    expect(biggest.label).toMatch(new RegExp(`\\d\\d:\\d\\d \\d\\d/\\d\\d · ${biggest.count} F1`));
    expect(await page.textContent('[data-testid=graph-shown-f1]')).toMatch(new RegExp(`\\d+/${count(engine, 1)}`));
    // Labels on screen are at least 11 px high, and there are some.
    const heights = await page.locator('#graph text.node-label').evaluateAll((ts) => ts.filter((t) => t.getAttribute('display') !== 'none').map((t) => t.getBoundingClientRect().height));
    expect(heights.length).toBeGreaterThan(4);
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(11);

    // Selecting the group lists its people and draws one by one the F2s they reached.
    await page.locator(`#graph g.node[data-id="${biggest.id}"]`).dispatchEvent('click');
    await page.waitForSelector('#details ul.members');
    const members = new Set(
      (await page.locator('#details ul.members button').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-focus')?.replace(/^member:/, '')))).filter((x): x is string => !!x),
    );
    expect(members.size).toBe(Math.min(biggest.count, 60));
    const f2 = new Set(engine.people.filter((p) => p.generation === 2).map((p) => p.id));
    const reached = engine.people.filter((p) => engine.contacts.some((c) => c.target === p.id && members.has(c.source) && f2.has(p.id))).map((p) => p.id);
    expect(reached.length).toBeGreaterThan(0);
    const persons = new Set(await page.locator('#graph g.node[data-generation="2"][data-kind="person"]').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-id'))));
    for (const id of reached.slice(0, 40)) expect(persons.has(id)).toBe(true);
    expect(await drawnPeople(2)).toBe(count(engine, 2));
    await shot('04-group-vi');

    // First contact only (on by itself for a dense trace) and all contacts differ visibly: the tree has fewer arrows.
    const arrows = () => page.locator('#graph line.link').count();
    const firstOnly = (await page.getAttribute('#graph-links', 'aria-pressed')) === 'true';
    const before = await arrows();
    await page.click('#graph-links');
    expect(await page.getAttribute('#graph-links', 'aria-pressed')).toBe(String(!firstOnly));
    const after = await arrows();
    const [tree, all] = firstOnly ? [before, after] : [after, before];
    expect(tree).toBeLessThan(all);
    // Still a link into every node but F0.
    expect(tree).toBeGreaterThanOrEqual((await page.locator('#graph g.node').count()) - 1);
    await page.click('#graph-links');
    await page.keyboard.press('Escape');
  }, 120_000);

  it('the evidence of a contact gives both passages’ times, the gap, the tolerance, stays and trust, in a card wide enough (issue 23 point 2)', async () => {
    // An F1 of the list's first page reached by F0 through two passages that did not overlap (scans at a checkpoint, say).
    const firstPage = engine.people.filter((p) => p.generation === 1).slice(0, 50);
    const apart = firstPage.map((p) => engine.contacts.find((c) => c.target === p.id && c.overlapSeconds === 0)).find((c) => c !== undefined);
    expect(apart).toBeDefined();
    const contact = apart!;
    await page.selectOption('#people-generation', '1');
    await page.locator(`#people tr[data-id="${contact.target}"]`).click();
    const row = page.locator('#evidence [data-testid=evidence-reached-by] tbody tr', { has: page.locator(`td.passage[data-passage="${contact.passages[1]}"]`) }).first();
    await row.locator('td.passage[data-at]').nth(1).waitFor();
    const times = cityPassages();
    const cells = await row.locator('td.passage').evaluateAll((tds) => tds.map((td) => ({ id: td.getAttribute('data-passage'), at: td.getAttribute('data-at'), leftAt: td.getAttribute('data-left-at'), text: td.textContent ?? '' })));
    expect(cells.map((c) => c.id)).toEqual([contact.passages[0], contact.passages[1]]);
    for (const c of cells) {
      // The passage's own arrival, to the second, as the city's file has it; its stay and trust written out.
      expect(Date.parse(c.at!)).toBe(times.get(c.id!)!.at);
      expect(c.text).toMatch(/\d\d:\d\d:\d\d/);
      expect(c.text).toMatch(/ở lại|quét mã/);
      expect(c.text).toMatch(/tin cậy/);
    }
    // The gap between the two passages, and the tolerance that made it a contact.
    const [a, b] = cells;
    const gap = Math.max(0, (Math.max(Date.parse(a!.at!), Date.parse(b!.at!)) - Math.min(Date.parse(a!.leftAt!), Date.parse(b!.leftAt!))) / 1000);
    expect(Number(await row.getAttribute('data-gap'))).toBe(gap);
    expect(gap).toBeLessThanOrEqual(900);
    const why = (await row.locator('td.why').textContent())!;
    expect(why).toContain('dung sai 15 phút');
    expect(why).toContain(gap > 0 ? 'cách nhau' : 'ở cùng nhau');
    expect(why).not.toMatch(/0 giây$/);
    // The card spans the page: no column cut off at 1600 px.
    const box = (await page.locator('#evidence-card').boundingBox())!;
    expect(box.width).toBeGreaterThan(1000);
    const wrap = await page.locator('#evidence [data-testid=evidence-reached-by]').evaluate((w) => ({ scroll: w.scrollWidth, client: w.clientWidth }));
    expect(wrap.scroll).toBeLessThanOrEqual(wrap.client + 1);
    await shot('05-evidence-vi');
    await page.selectOption('#people-generation', '');
    await page.keyboard.press('Escape');
  }, 120_000);

  it('the map draws the districts, names the busiest stations, shows a station on select, its focus ring on top (issue 23 point 6)', async () => {
    await page.waitForSelector('#map path.district');
    expect(await page.locator('#map path.district').count()).toBe(22);
    expect(requests.some((u) => u.endsWith('/data/hcmc-districts-2021.geojson'))).toBe(true);
    // The busiest station of the trace (most passages in its contacts) is named without hovering.
    const passages = new Map<string, Set<string>>();
    for (const c of engine.contacts) {
      const set = passages.get(c.stationId) ?? new Set<string>();
      set.add(c.passages[0]).add(c.passages[1]);
      passages.set(c.stationId, set);
    }
    const busiest = [...passages].sort((x, y) => y[1].size - x[1].size || x[0].localeCompare(y[0]))[0]![0];
    const names = await page.locator('#map text.station-name').evaluateAll((ts) => ts.map((t) => [t.getAttribute('data-id'), t.getBoundingClientRect().height] as const));
    expect(names.map(([id]) => id)).toContain(busiest);
    for (const [, height] of names) expect(height).toBeGreaterThanOrEqual(11);
    // Selecting a station shows its details: the engine's contacts there, the people, their times.
    const here = engine.contacts.filter((c) => c.stationId === busiest);
    await page.locator(`#map circle.station[data-id="${busiest}"]`).dispatchEvent('click');
    await page.waitForSelector('[data-testid=station-details]');
    expect(await page.textContent('[data-testid=station-contacts]')).toBe(String(here.length));
    expect(Number(await page.textContent('[data-testid=station-people]'))).toBe(new Set(here.flatMap((c) => [c.source, c.target])).size);
    expect(await page.locator('#map circle.picked-ring').count()).toBe(1);
    // The keyboard's focus ring is drawn after (above) every station circle.
    await page.focus(`#map circle.station[data-id="${busiest}"]`);
    expect(await page.getAttribute('#map circle.focus-ring', 'visibility')).toBe('visible');
    expect(
      await page.evaluate(() => {
        const circles = [...document.querySelectorAll('#map circle.station')];
        const ring = document.querySelector('#map circle.focus-ring')!;
        return circles.every((c) => (c.compareDocumentPosition(ring) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0);
      }),
    ).toBe(true);
    await page.locator('#map-card').screenshot({ path: path.join(SHOTS, '06-map-vi.png') }).catch(() => page.locator('#map').screenshot({ path: path.join(SHOTS, '06-map-vi.png') }));
  }, 120_000);

  it('on a phone (390×844) the map, its names and the evidence fit the screen (issue 23 points 2, 6)', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.waitForFunction(() => (document.querySelector('#map svg')?.getBoundingClientRect().width ?? 999) <= 390);
      expect(await page.locator('#map text.station-name').count()).toBeGreaterThan(0);
      await page.waitForSelector('[data-testid=station-details]');
      // An F1 with its evidence: the card keeps to the screen, its tables scroll inside it.
      const f1 = page.locator('#graph g.node[data-generation="1"][data-kind="person"]').first();
      await f1.dispatchEvent('click');
      await page.waitForSelector('#evidence [data-testid=evidence-reached-by] td.passage[data-at]');
      const card = (await page.locator('#evidence-card').boundingBox())!;
      expect(card.x).toBeGreaterThanOrEqual(0);
      expect(card.x + card.width).toBeLessThanOrEqual(390);
      await page.locator('#evidence-card').screenshot({ path: path.join(SHOTS, '07-evidence-phone.png') });
    } finally {
      await page.setViewportSize({ width: 1600, height: 1200 });
      await page.keyboard.press('Escape');
    }
  }, 120_000);

  it('switches to English, with dates still in Ho Chi Minh City time', async () => {
    expect(await page.textContent('#trace-status')).toMatch(/^Xong: \d+ người; đã chờ \d+ giây \(máy chủ truy vết \d+ ms\)\.$/);
    await page.click('#lang-en');
    expect(await page.textContent('#graph-title')).toBe('Transmission graph');
    // What was said before the switch is said again in English.
    expect(await page.textContent('#trace-status')).toMatch(/^Done: \d+ people; you waited \d+ s \(the engine took \d+ ms\)\.$/);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    const from = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
      Date.parse(planted.from),
    );
    expect(await page.textContent('#summary')).toContain(from);
    expect(await page.locator('#sensitivity tbody tr', { hasText: '15 min' }).count()).toBe(1);
    // An F2 for the picture: the details then show a whole chain F0 → F1 → F2.
    const node = page.locator('#graph g.node[data-generation="2"][data-kind="person"]').nth(1);
    await node.dispatchEvent('click');
    await page.waitForSelector('[data-testid=person-timeline] tbody tr');
    expect(await page.textContent('#details')).toContain('Chain from F0');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('03-person-en');
    if (process.env['TRUYVET_UPDATE_SCREENSHOT'] === '1') {
      await page.screenshot({ path: path.join(ROOT, 'docs', 'screenshot.png'), clip: { x: 0, y: 0, width: 1600, height: 1200 } });
    }
  }, 120_000);

  it('says that a trace request waits for approval when the server needs one (202), keeping the trace shown', async () => {
    const settings = server.app.truyvet.settings as { traceApproval: string };
    settings.traceApproval = 'required';
    try {
      await page.fill('#requestRef', '124/SYT-NVY');
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/traces') && r.request().method() === 'POST');
      await page.click('#run-trace');
      expect((await answer).status()).toBe(202);
      await page.waitForFunction(() => (document.querySelector('#trace-status')?.textContent ?? '').includes('waits for approval'));
      expect(await page.textContent('#trace-status')).toMatch(/^Request 124\/SYT-NVY waits for approval \(id tr[0-9a-f]{24}\); nothing is traced yet\./);
      expect(await drawnPeople(1)).toBe(count(engine, 1));
    } finally {
      settings.traceApproval = 'off';
    }
  });

  it('traces close contacts only when asked, and shows close and all counts in the summary and the sensitivity panel (issue 25)', async () => {
    // The engine's own answers, close-only and not (CONTRACT-25 fields, read loosely until every branch has them).
    const base = { f0: pseudonym(planted.f0), from: Date.parse(planted.from), to: Date.parse(planted.to), depth: 2, toleranceSeconds: 900 };
    const closeOnlyParams = { ...base, closeOnly: true };
    const onlyClose = await trace(closeOnlyParams);
    const classOf = (p: unknown) => (p as { class?: string }).class;
    const closeIn = (r: TraceResult, g: number) => r.people.filter((p) => p.generation === g && classOf(p) === 'close').length;
    expect(engine.people.every((p) => classOf(p) === 'close' || classOf(p) === 'brief')).toBe(true);
    expect(onlyClose.people.every((p) => classOf(p) === 'close')).toBe(true);
    expect(count(onlyClose, 1)).toBeLessThanOrEqual(count(engine, 1));
    expect(count(onlyClose, 1)).toBeGreaterThan(0);

    const run = async (ref: string) => {
      await page.fill('#requestRef', ref);
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/traces') && r.request().method() === 'POST', { timeout: 120_000 });
      await page.click('#run-trace');
      const res = await answer;
      expect(res.status()).toBe(201);
      await page.waitForFunction((r) => (document.querySelector('#summary')?.textContent ?? '').includes(r), ref, { timeout: 60_000 });
      await page.waitForSelector('#sensitivity table');
      return JSON.parse(res.request().postData() ?? '{}') as { closeOnly?: boolean };
    };

    // Everyone, with the close ones counted beside each generation and in the sensitivity table.
    const all = await run('126/SYT-NVY');
    expect(all.closeOnly).toBeUndefined();
    for (const g of [1, 2]) {
      expect(Number(await page.textContent(`[data-testid=count-f${g}]`))).toBe(count(engine, g));
      expect(await page.textContent(`[data-testid=count-close-f${g}]`)).toBe(`close: ${closeIn(engine, g)}`);
    }
    const closeTotal = engine.people.filter((p) => classOf(p) === 'close').length;
    expect(await page.textContent('[data-testid=close-summary]')).toBe(`${closeTotal} of ${engine.people.length} people are close contacts (together 15 min or more, without the tolerance).`);
    const row = page.locator('#sensitivity tbody tr', { hasText: '15 min' });
    expect(await row.locator('td[data-kind="all"]').allTextContents()).toEqual([String(count(engine, 1)), String(count(engine, 2))]);
    expect(await row.locator('td[data-kind="close"]').allTextContents()).toEqual([String(closeIn(engine, 1)), String(closeIn(engine, 2))]);
    expect(await page.locator('#sensitivity thead th').allTextContents()).toEqual(['Tolerance', 'F1', 'F1 close', 'F2', 'F2 close']);
    expect(await page.locator('#sensitivity path.close').count()).toBe(2);

    // The switch: only close contacts, at every generation.
    await page.check('#close-only');
    try {
      const only = await run('127/SYT-NVY');
      expect(only.closeOnly).toBe(true);
      for (const g of [1, 2]) {
        expect(Number(await page.textContent(`[data-testid=count-f${g}]`))).toBe(count(onlyClose, g));
        expect(await page.textContent(`[data-testid=count-close-f${g}]`)).toBe(`close: ${count(onlyClose, g)}`);
      }
      expect(await page.textContent('#summary')).toContain('close contacts only (15 min or more)');
      expect(await page.textContent('[data-testid=close-summary]')).toBe(`Close contacts only: all ${onlyClose.people.length} people were together 15 min or more.`);
      expect(await page.locator('#people tbody .badge.brief').count()).toBe(0);
      expect(await drawnPeople(1)).toBe(count(onlyClose, 1));
    } finally {
      await page.uncheck('#close-only');
    }
  }, 240_000);

  it('on a phone (390×844): nothing scrolls the page sideways, the people table scrolls in its card, the graph fills its card, and a trace scrolls to its results', async () => {
    // A tab opened at the phone's size, as a phone would load the view.
    const tab = await browser.newPage();
    tab.setDefaultTimeout(30_000);
    tab.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await tab.setViewportSize({ width: 390, height: 844 });
      await tab.goto(server.url + '/');
      await tab.fill('#username', account.username);
      await tab.fill('#password', account.password);
      await tab.click('#login-submit');
      await tab.waitForSelector('#workspace:not([hidden])');
      await tab.fill('#f0', planted.f0);
      await tab.fill('#from', toLocalInput(planted.from));
      await tab.fill('#to', toLocalInput(planted.to));
      await tab.fill('#depth', '2');
      await tab.fill('#tolerance', '15');
      await tab.fill('#requestRef', '125/SYT-NVY');
      await tab.fill('#purpose', 'Truy vết ca F0 trên điện thoại');
      const answer = tab.waitForResponse((r) => r.url().endsWith('/api/traces') && r.request().method() === 'POST', { timeout: 120_000 });
      await tab.click('#run-trace');
      expect((await answer).status()).toBe(201);
      await tab.waitForFunction(() => (document.querySelector('#trace-status')?.textContent ?? '').startsWith('Xong:'), undefined, { timeout: 60_000 });
      await tab.waitForSelector('#sensitivity table');
      // The results are brought into view: the summary's top is at the top of the screen.
      const summaryTop = await tab.evaluate(() => document.querySelector('#summary-card')!.getBoundingClientRect().top);
      expect(summaryTop).toBeGreaterThanOrEqual(-1);
      expect(summaryTop).toBeLessThan(60);
      expect(await tab.evaluate(() => window.scrollY)).toBeGreaterThan(300);
      // Nothing is wider than the screen (outside a box that scrolls by itself).
      const wide = await tab.evaluate(() => {
        const clipped = (el: Element) => {
          for (let a = el.parentElement; a; a = a.parentElement) if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true;
          return false;
        };
        return [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > 391 && !clipped(el))
          .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.getAttribute('class') ?? ''} ${Math.round(el.getBoundingClientRect().right)}`)
          .slice(0, 10);
      });
      expect(wide).toEqual([]);
      expect(await tab.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const rights = await tab.locator('section.card:visible').evaluateAll((cs) => cs.map((c) => Math.round(c.getBoundingClientRect().right)));
      expect(rights.length).toBeGreaterThan(5);
      for (const r of rights) expect(r).toBeLessThanOrEqual(390);
      // The people table keeps readable columns and scrolls inside its card to its last column.
      const region = tab.locator('#people .table-scroll');
      const widths = await region.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      expect(widths.scroll).toBeGreaterThan(widths.client);
      const nameWidth = await tab.locator('#people thead th', { hasText: 'Họ tên' }).evaluate((th) => th.getBoundingClientRect().width);
      expect(nameWidth).toBeGreaterThanOrEqual(90);
      await region.evaluate((el) => (el.scrollLeft = el.scrollWidth));
      const lastRight = await tab.locator('#people thead th').last().evaluate((th) => th.getBoundingClientRect().right);
      expect(lastRight).toBeLessThanOrEqual(390);
      // The graph is about as tall as it is wide, and its drawing fills it (not a small ring in a tall box).
      const svg = (await tab.locator('#graph svg').boundingBox())!;
      expect(svg.width).toBeGreaterThan(300);
      expect(svg.height).toBeLessThanOrEqual(svg.width * 1.2);
      const drawing = (await tab.locator('#graph g.viewport').boundingBox())!;
      // Fitted: it spans the card one way (the outer ring's labels make it wider than tall) and more than half the other.
      expect(Math.max(drawing.width / svg.width, drawing.height / svg.height)).toBeGreaterThan(0.85);
      expect(Math.min(drawing.width / svg.width, drawing.height / svg.height)).toBeGreaterThan(0.5);
      const card = (await tab.locator('#graph-card').boundingBox())!;
      // Beside the graph: its toolbar, legend and the "n of m shown" lines of each generation.
      expect(card.height).toBeLessThan(svg.height + 420);
      if (process.env['TRUYVET_UPDATE_SCREENSHOT'] === '1') {
        // The phone's screen as the tracer sees it once the trace is done: the summary and the graph.
        await tab.locator('#summary-card').evaluate((el) => el.scrollIntoView({ block: 'start' }));
        await tab.screenshot({ path: path.join(ROOT, 'docs', 'screenshot-phone.png') });
      }
      await tab.evaluate(() => window.scrollTo(0, 0));
      await tab.screenshot({ path: path.join(SHOTS, '05-phone.png'), fullPage: true });
    } finally {
      await tab.close();
    }
  }, 150_000);

  it('never asked another origin for anything, and raised no script error', () => {
    const foreign = requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('blob:') && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('logging out forgets the trace', async () => {
    await page.click('#logout');
    await page.waitForSelector('#login:not([hidden])');
    expect(await page.isHidden('#workspace')).toBe(true);
    expect(await page.locator('#graph g.node').count()).toBe(0);
    expect(await page.textContent('#summary')).toBe('');
  });

  it('refreshes the token of an active tracer past its 15 minutes, and logs an idle page out', async () => {
    // A new tab on a fake clock moved forward without waiting; the server's clock moves with it.
    const MIN = 60_000;
    const tab = await browser.newPage();
    try {
      await tab.clock.install();
      await tab.goto(server.url + '/');
      await tab.fill('#username', account.username);
      await tab.fill('#password', account.password);
      await tab.click('#login-submit');
      await tab.waitForSelector('#workspace:not([hidden])');
      await tab.clock.fastForward(MIN);
      await tab.click('#f0');
      serverSkew = 13 * MIN;
      const refreshed = tab.waitForResponse((r) => r.url().endsWith('/api/auth/refresh'));
      await tab.clock.fastForward(12 * MIN);
      expect((await refreshed).status()).toBe(200);
      // Past the first token's expiry: still logged in.
      serverSkew = 17 * MIN;
      await tab.clock.fastForward(4 * MIN);
      expect(await tab.isVisible('#workspace')).toBe(true);
      // No key or click since: the second token (13 → 28 min) runs out and the page asks to log in.
      await tab.clock.fastForward(11 * MIN + 1000);
      await tab.waitForSelector('#login:not([hidden])');
      expect(await tab.textContent('#login-error')).toContain('Phiên đăng nhập đã hết hạn');
      expect(await tab.locator('#workspace').isHidden()).toBe(true);
    } finally {
      await tab.close();
    }
  });
});
