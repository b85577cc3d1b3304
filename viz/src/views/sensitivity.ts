import { line, scaleLinear, select } from 'd3';
import { generationColor } from '../colors';
import { h } from '../dom';
import { t, type Lang } from '../i18n';
import { sensitivitySeries } from '../sensitivity';
import type { LoadedTrace } from '../types';

/** The sensitivity panel: F1, F2, … counts against the tolerance, as a small line chart. */

const SVG_NS = 'http://www.w3.org/2000/svg';

export function renderSensitivity(host: HTMLElement, trace: LoadedTrace | undefined, lang: Lang): void {
  host.replaceChildren();
  if (!trace) return;
  const rows = trace.sensitivity;
  if (!rows || rows.length === 0) {
    host.append(h('p', { class: 'note', 'data-testid': 'sensitivity-missing' }, t(lang, 'sens.unavailable')));
    return;
  }
  const { series, maxCount, tolerances, hasClose } = sensitivitySeries(rows, trace.params.depth);
  const width = 340;
  const height = 190;
  const m = { l: 40, r: 14, t: 12, b: 34 };
  const x = scaleLinear()
    .domain([Math.min(...tolerances), Math.max(...tolerances, Math.min(...tolerances) + 1)])
    .range([m.l, width - m.r]);
  const y = scaleLinear()
    .domain([0, Math.max(1, maxCount)])
    .nice()
    .range([height - m.b, m.t]);
  const svg = select(document.createElementNS(SVG_NS, 'svg'))
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('width', '100%')
    .attr('role', 'img')
    .attr('aria-label', t(lang, 'sens.aria'))
    .attr('font-size', 10);
  host.append(svg.node()!);
  for (const v of y.ticks(4)) {
    svg.append('line').attr('x1', m.l).attr('x2', width - m.r).attr('y1', y(v)).attr('y2', y(v)).attr('stroke', '#e3e6ea');
    svg.append('text').attr('x', m.l - 4).attr('y', y(v) + 3).attr('text-anchor', 'end').text(String(v));
  }
  for (const v of tolerances) {
    svg.append('text').attr('x', x(v)).attr('y', height - m.b + 14).attr('text-anchor', 'middle').text(String(v));
  }
  svg.append('text').attr('x', (m.l + width - m.r) / 2).attr('y', height - 4).attr('text-anchor', 'middle').text(t(lang, 'sens.xAxis'));
  const current = trace.params.toleranceSeconds / 60;
  svg.append('line').attr('x1', x(current)).attr('x2', x(current)).attr('y1', m.t).attr('y2', height - m.b).attr('stroke', '#333').attr('stroke-dasharray', '3,3');
  const path = line<{ toleranceMinutes: number; count: number }>()
    .x((p) => x(p.toleranceMinutes))
    .y((p) => y(p.count));
  for (const s of series) {
    const color = generationColor(s.generation);
    // The close people of each generation: the same colour, dashed, below the solid line of all.
    if (hasClose) {
      const close = s.points.map((p) => ({ toleranceMinutes: p.toleranceMinutes, count: p.closeCount ?? 0 }));
      svg.append('path').attr('class', 'close').attr('d', path(close) ?? '').attr('fill', 'none').attr('stroke', color).attr('stroke-width', 2).attr('stroke-dasharray', '5,3');
    }
    svg.append('path').attr('d', path([...s.points]) ?? '').attr('fill', 'none').attr('stroke', color).attr('stroke-width', 2);
    for (const p of s.points) {
      svg
        .append('circle')
        .attr('cx', x(p.toleranceMinutes))
        .attr('cy', y(p.count))
        .attr('r', 3)
        .attr('fill', color)
        .attr('stroke', '#222')
        .append('title')
        .text(`F${s.generation} · ${p.toleranceMinutes} ${t(lang, 'unit.min')}: ${p.count}`);
    }
  }
  const legend = h('div', { class: 'legend' });
  for (const s of series) legend.append(h('span', { class: 'key' }, h('span', { class: 'swatch', style: `background:${generationColor(s.generation)}` }), `F${s.generation}`));
  if (hasClose) legend.append(h('span', { class: 'note' }, t(lang, 'sens.closeLegend')));
  host.append(legend);
  const closeHead = (g: number) => (hasClose ? [h('th', { scope: 'col' }, t(lang, 'sens.closeHead', { g }))] : []);
  const closeCell = (p: { closeCount?: number } | undefined, g: number) => (hasClose ? [h('td', { 'data-generation': g, 'data-kind': 'close' }, String(p?.closeCount ?? 0))] : []);
  const table = h(
    'table',
    { class: 'compact' },
    h('caption', { class: 'sr-only' }, t(lang, 'sens.title')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t(lang, 'sens.tolerance')), ...series.flatMap((s) => [h('th', { scope: 'col' }, `F${s.generation}`), ...closeHead(s.generation)]))),
    h(
      'tbody',
      {},
      tolerances.map((tol, i) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, `${tol} ${t(lang, 'unit.min')}`),
          ...series.flatMap((s) => [h('td', { 'data-generation': s.generation, 'data-kind': 'all' }, String(s.points[i]?.count ?? 0)), ...closeCell(s.points[i], s.generation)]),
        ),
      ),
    ),
  );
  host.append(table);
}
