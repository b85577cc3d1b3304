import { peopleCsv } from './csv';
import { byId, download } from './dom';
import { errorMessage } from './messages';
import type { Page } from './page';
import { personLabel } from './result';
import type { State } from './store';
import type { LoadedTrace } from './types';
import type { GraphView } from './views/graph';

/** The exports of a trace: its people as CSV (csv.ts), its graph as SVG or PNG. */

export type ExportKind = 'people.csv' | 'graph.svg' | 'graph.png';

export function exportFileName(traceId: string, kind: ExportKind): string {
  return `truyvet-${traceId}-${kind}`;
}

/** Written above the exported graph: whose trace, under which request. */
export function graphTitle(trace: LoadedTrace | undefined): string {
  return trace ? `truyvet · ${personLabel(trace.f0, trace.identities)} · ${trace.requestRef}` : 'truyvet';
}

/** The PNG is drawn at twice the graph's size, but never wider or taller than 8000 pixels. */
export function pngSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(2, 8000 / Math.max(width, height));
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

export function exportCsv(state: State): void {
  const trace = state.trace;
  if (!trace) return;
  const csv = peopleCsv(trace, state.stations, state.lang);
  download(exportFileName(trace.id, 'people.csv'), new Blob([csv], { type: 'text/csv;charset=utf-8' }));
}

type Graph = Pick<GraphView, 'exportSvg'>;

export function exportSvg(state: State, graph: Graph): void {
  const trace = state.trace;
  if (!trace) return;
  const { svg } = graph.exportSvg(graphTitle(trace));
  download(exportFileName(trace.id, 'graph.svg'), new Blob([svg], { type: 'image/svg+xml;charset=utf-8' }));
}

export async function exportPng(state: State, graph: Graph): Promise<void> {
  const trace = state.trace;
  if (!trace) return;
  const { svg, width, height } = graph.exportSvg(graphTitle(trace));
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
  byId('export-svg').addEventListener('click', () => exportSvg(state, graph));
  byId('export-png').addEventListener('click', () => {
    exportPng(state, graph).catch((e: unknown) => page.lines.say('trace-status', (l) => errorMessage(l, e), true));
  });
}
