import { generationColor } from './colors';
import { peopleCsv } from './csv';
import { byId, download } from './dom';
import { peopleTable } from './export-rows';
import { t, type Lang } from './i18n';
import { errorMessage } from './messages';
import type { Page } from './page';
import { personLabel } from './result';
import type { State } from './store';
import { formatDateTime, formatSpan } from './time';
import type { LoadedTrace } from './types';
import type { GraphView } from './views/graph';
import { loadExcel, peopleWorkbook, xlsxBlob, type ExcelModule } from './xlsx';

/** The exports of a trace: its people as CSV (csv.ts) or Excel (xlsx.ts), its graph as SVG or PNG. */

export type ExportKind = 'people.csv' | 'people.xlsx' | 'graph.svg' | 'graph.png';

export function exportFileName(traceId: string, kind: ExportKind): string {
  return `truyvet-${traceId}-${kind}`;
}

/** Written above the exported graph: whose trace, under which request. */
export function graphTitle(trace: LoadedTrace | undefined): string {
  return trace ? `truyvet · ${personLabel(trace.f0, trace.identities)} · ${trace.requestRef}` : 'truyvet';
}

/** The PNG's longer side at most: sharp on a slide or an A4 page, a few hundred kB, not 9 MB. */
export const PNG_MAX_SIDE = 2400;

/** The PNG is drawn at twice the picture's size, but never wider or taller than PNG_MAX_SIDE pixels. */
export function pngSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(2, PNG_MAX_SIDE / Math.max(width, height));
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

export interface GraphFrame {
  /** First line: whose trace, under which request. */
  readonly title: string;
  /** Second line: period, when the file was made, "n of m shown". */
  readonly caption: string;
  readonly legend: readonly { readonly color: string; readonly label: string }[];
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** What is written around the exported graph, in the view's language. */
export function graphFrame(trace: LoadedTrace, shown: { drawn: number; total: number } | undefined, lang: Lang, now: Date = new Date()): GraphFrame {
  const parts = [formatSpan(trace.params.from, trace.params.to, lang), t(lang, 'export.made', { at: formatDateTime(now.getTime(), lang) })];
  if (shown) parts.push(t(lang, 'export.shown', { drawn: shown.drawn, total: shown.total }));
  const legend = [];
  for (let g = 0; g <= trace.params.depth; g++) legend.push({ color: generationColor(g), label: `F${g}` });
  return { title: graphTitle(trace), caption: parts.join(' · '), legend };
}

const FRAME_TOP = 64;
const FRAME_BOTTOM = 40;
const FRAME_MIN_WIDTH = 640;

/**
 * The graph's SVG inside a picture that says what it is: the title and caption above (the PNG has
 * no file metadata a reader would see), the generations' colours below. Pure string work.
 */
export function framedSvg(graph: { svg: string; width: number; height: number }, frame: GraphFrame): { svg: string; width: number; height: number } {
  const width = Math.max(FRAME_MIN_WIDTH, graph.width);
  const height = FRAME_TOP + graph.height + FRAME_BOTTOM;
  const inner = graph.svg.replace(/^<svg\b/, `<svg x="${Math.round((width - graph.width) / 2)}" y="${FRAME_TOP}"`);
  const legendY = FRAME_TOP + graph.height + 26;
  const legend = frame.legend
    .map((k, i) => `<circle cx="${24 + i * 64}" cy="${legendY - 5}" r="8" fill="${xml(k.color)}"/><text x="${36 + i * 64}" y="${legendY}" font-size="15" fill="#1f2933">${xml(k.label)}</text>`)
    .join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">` +
    `<title>${xml(frame.title)}</title><rect width="${width}" height="${height}" fill="#ffffff"/>` +
    `<text x="16" y="26" font-size="18" font-weight="bold" fill="#1f2933">${xml(frame.title)}</text>` +
    `<text x="16" y="50" font-size="14" fill="#1f2933">${xml(frame.caption)}</text>` +
    inner +
    `<g class="legend">${legend}</g></svg>`;
  return { svg, width, height };
}

export function exportCsv(state: State): void {
  const trace = state.trace;
  if (!trace) return;
  const csv = peopleCsv(trace, state.stations, state.lang);
  download(exportFileName(trace.id, 'people.csv'), new Blob([csv], { type: 'text/csv;charset=utf-8' }));
}

/** The people as an Excel workbook; exceljs is fetched on the first call (xlsx.ts). */
export async function exportXlsx(state: State, load: () => Promise<ExcelModule> = loadExcel): Promise<void> {
  const trace = state.trace;
  if (!trace) return;
  const lang = state.lang;
  const table = peopleTable(trace, state.stations, lang);
  const excel = await load();
  const bytes = await peopleWorkbook(excel, table, { sheet: t(lang, 'export.sheet'), title: graphTitle(trace), createdAt: new Date() });
  download(exportFileName(trace.id, 'people.xlsx'), xlsxBlob(bytes));
}

type Graph = Pick<GraphView, 'exportSvg' | 'shown'>;

function framedGraph(state: State, trace: LoadedTrace, graph: Graph): { svg: string; width: number; height: number } {
  return framedSvg(graph.exportSvg(graphTitle(trace)), graphFrame(trace, graph.shown(), state.lang));
}

export function exportSvg(state: State, graph: Graph): void {
  const trace = state.trace;
  if (!trace) return;
  const { svg } = framedGraph(state, trace, graph);
  download(exportFileName(trace.id, 'graph.svg'), new Blob([svg], { type: 'image/svg+xml;charset=utf-8' }));
}

export async function exportPng(state: State, graph: Graph): Promise<void> {
  const trace = state.trace;
  if (!trace) return;
  const { svg, width, height } = framedGraph(state, trace, graph);
  const size = pngSize(width, height);
  const img = new Image();
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the SVG could not be drawn'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no canvas');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('the PNG could not be made');
    download(exportFileName(trace.id, 'graph.png'), blob);
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function wireExports(page: Page, graph: Graph): void {
  const state = page.store.state;
  byId('export-csv').addEventListener('click', () => exportCsv(state));
  const xlsxButton = byId('export-xlsx');
  xlsxButton.addEventListener('click', () => {
    // The first click fetches exceljs (~0.9 MB): say so, and keep a second click from starting another file.
    xlsxButton.setAttribute('aria-busy', 'true');
    (xlsxButton as HTMLButtonElement).disabled = true;
    // On the progress line, so the trace's own status (what it found, how long it took) stays.
    page.lines.say('trace-progress', (l) => t(l, 'export.loading'));
    exportXlsx(state)
      .catch((e: unknown) => page.lines.say('trace-status', (l) => errorMessage(l, e), true))
      .finally(() => {
        page.lines.say('trace-progress', undefined);
        xlsxButton.removeAttribute('aria-busy');
        (xlsxButton as HTMLButtonElement).disabled = false;
      });
  });
  byId('export-svg').addEventListener('click', () => exportSvg(state, graph));
  byId('export-png').addEventListener('click', () => {
    exportPng(state, graph).catch((e: unknown) => page.lines.say('trace-status', (l) => errorMessage(l, e), true));
  });
}
