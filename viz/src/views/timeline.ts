import { scaleLinear, select } from 'd3';
import { generationColor } from '../colors';
import { t, type Lang } from '../i18n';
import { localTicks, type LaneData } from '../lanes';
import { personLabel } from '../result';
import { hasSelection, selectedStation, selectsPerson, type Selection } from '../store';
import { formatDateTime, formatDay, formatTime } from '../time';
import type { LoadedTrace, Station } from '../types';

/**
 * The timeline: one lane per person, their passages as bars (a stay) or ticks (a scan), the
 * trace's contacts as vertical links between lanes at the contact time, the infectious period
 * shaded. Time reads in Ho Chi Minh City: ticks fall on local hours and midnights.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * Text colours of the lanes' labels: a lane the selection does not concern fades its marks, never
 * its label below 4.5:1 on the lane's background (contrast.test.ts checks the pairs).
 */
export const LANE_TEXT = '#14181f';
export const FADED_LANE_TEXT = '#4b5563';
/** Opacity of the marks (not the label) of a lane the selection does not concern. */
export const FADED_MARKS = 0.45;
/** Label of the infectious period, on its band (#E69F00 at 13 % over white). */
export const INFECTIOUS_TEXT = '#8a5a00';
const LANE = 28;
const LEFT = 170;
const TOP = 34;

export class TimelineView {
  constructor(
    private readonly host: HTMLElement,
    private readonly onSelect: (id: string) => void,
  ) {}

  render(trace: LoadedTrace | undefined, data: LaneData | undefined, stations: ReadonlyMap<string, Station>, lang: Lang, selection: Selection): void {
    const focused = this.host.querySelector(':focus')?.closest('g.lane')?.getAttribute('data-id');
    this.host.replaceChildren();
    if (!trace || !data) return;
    this.draw(trace, data, stations, lang, selection);
    if (focused) this.host.querySelector<SVGGElement>(`g.lane[data-id="${CSS.escape(focused)}"] g.lane-label`)?.focus();
  }

  private draw(trace: LoadedTrace, data: LaneData, stations: ReadonlyMap<string, Station>, lang: Lang, selection: Selection): void {
    const width = Math.max(640, this.host.clientWidth || 900);
    const height = TOP + data.lanes.length * LANE + 10;
    const x = scaleLinear().domain(data.domain).range([LEFT, width - 12]);
    const laneY = new Map(data.lanes.map((l, i) => [l.id, TOP + i * LANE + LANE / 2]));
    const stationName = (id: string) => stations.get(id)?.name ?? id;
    const any = hasSelection(selection);
    const station = selectedStation(selection);
    const faded = (l: LaneData['lanes'][number]) => any && !selectsPerson(selection, l.id) && !(station !== undefined && l.marks.some((m) => m.stationId === station));

    const svg = select(document.createElementNS(SVG_NS, 'svg'))
      .attr('class', 'timeline')
      .attr('width', width)
      .attr('height', height)
      .attr('role', 'group')
      .attr('aria-label', t(lang, 'timeline.aria'))
      .attr('font-size', 10);
    this.host.append(svg.node()!);

    const [from, to] = data.infectious;
    svg
      .append('rect')
      .attr('class', 'infectious')
      .attr('x', x(from))
      .attr('y', TOP - 6)
      .attr('width', Math.max(0, x(to) - x(from)))
      .attr('height', height - TOP)
      .attr('fill', '#E69F00')
      .attr('opacity', 0.13)
      .append('title')
      .text(`${t(lang, 'timeline.infectious')}: ${formatDateTime(from, lang)} – ${formatDateTime(to, lang)}`);
    svg.append('text').attr('x', x(from) + 4).attr('y', TOP - 10).attr('fill', INFECTIOUS_TEXT).text(t(lang, 'timeline.infectious'));

    if (selection.hotspot) {
      const a = Date.parse(selection.hotspot.windowStart);
      const b = Date.parse(selection.hotspot.windowEnd);
      svg
        .append('rect')
        .attr('class', 'hot-window')
        .attr('x', x(a))
        .attr('y', TOP - 6)
        .attr('width', Math.max(2, x(b) - x(a)))
        .attr('height', height - TOP)
        .attr('fill', '#0072B2')
        .attr('opacity', 0.25);
    }

    const axis = svg.append('g').attr('class', 'axis');
    for (const tick of localTicks(data.domain[0], data.domain[1])) {
      axis
        .append('line')
        .attr('x1', x(tick.at))
        .attr('x2', x(tick.at))
        .attr('y1', TOP - 4)
        .attr('y2', height)
        .attr('stroke', tick.midnight ? '#9aa3ad' : '#e3e6ea');
      axis
        .append('text')
        .attr('x', x(tick.at))
        .attr('y', 12)
        .attr('text-anchor', 'middle')
        .attr('font-weight', tick.midnight ? 700 : 400)
        .text(tick.midnight ? formatDay(tick.at, lang) : formatTime(tick.at, lang));
    }

    const lanes = svg
      .append('g')
      .selectAll('g')
      .data(data.lanes)
      .join('g')
      .attr('class', 'lane')
      .attr('data-id', (l) => l.id)
      .attr('data-faded', (l) => String(faded(l)));
    lanes
      .append('rect')
      .attr('x', 0)
      .attr('y', (l) => (laneY.get(l.id) ?? 0) - LANE / 2)
      .attr('width', width)
      .attr('height', LANE)
      .attr('fill', (l, i) => (selection.person === l.id ? '#fff3c4' : i % 2 ? '#f7f8fa' : 'none'));
    const label = lanes
      .append('g')
      .attr('class', 'lane-label')
      .attr('tabindex', 0)
      .attr('role', 'button')
      .attr('aria-label', (l) => `F${l.generation} ${personLabel(l.id, trace.identities)}`)
      .style('cursor', 'pointer')
      .on('click', (_e, l) => this.onSelect(l.id))
      .on('keydown', (e: KeyboardEvent, l) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          this.onSelect(l.id);
        }
      });
    label
      .append('circle')
      .attr('cx', 10)
      .attr('cy', (l) => laneY.get(l.id) ?? 0)
      .attr('r', 7)
      .attr('fill', (l) => generationColor(l.generation))
      .attr('stroke', '#222');
    label
      .append('text')
      .attr('x', 22)
      .attr('y', (l) => (laneY.get(l.id) ?? 0) + 3.5)
      .attr('font-weight', (l) => (selection.person === l.id ? 700 : 400))
      .attr('fill', (l) => (faded(l) ? FADED_LANE_TEXT : LANE_TEXT))
      .text((l) => `F${l.generation} ${l.label}${l.loaded ? '' : ' …'}`);
    label.append('title').text((l) => (l.loaded ? personLabel(l.id, trace.identities) : t(lang, 'timeline.notLoaded')));

    lanes.each(function (l) {
      const y = laneY.get(l.id) ?? 0;
      // Faded marks in a group of their own: the label keeps its contrast.
      const g = select(this).append('g').attr('class', 'marks').attr('opacity', faded(l) ? FADED_MARKS : 1);
      for (const m of l.marks) {
        const hot = station !== undefined && m.stationId === station;
        const mark = m.point
          ? g.append('rect').attr('x', x(m.start) - 1).attr('width', 2.5).attr('y', y - 8).attr('height', 16)
          : g.append('rect').attr('x', x(m.start)).attr('width', Math.max(2, x(m.end) - x(m.start))).attr('y', y - 5).attr('height', 10).attr('rx', 2);
        mark.attr('class', 'passage').attr('fill', hot ? '#0072B2' : '#5b6675');
        mark.append('title').text(`${m.stationName || stationName(m.stationId)}\n${formatDateTime(m.start, lang)}${m.point ? '' : ` – ${formatTime(m.end, lang)}`}`);
      }
    });

    const links = svg.append('g').attr('class', 'contacts');
    for (const c of data.links) {
      const y1 = laneY.get(c.source) ?? 0;
      const y2 = laneY.get(c.target) ?? 0;
      const cx = x(c.at);
      const hot = !any || selection.person === c.source || selection.person === c.target || c.stationId === station;
      const g = links.append('g').attr('class', 'contact').attr('opacity', hot ? 1 : 0.2);
      g.append('line').attr('x1', cx).attr('x2', cx).attr('y1', y1).attr('y2', y2).attr('stroke', generationColor(c.generation)).attr('stroke-width', 2);
      g.append('circle').attr('cx', cx).attr('cy', y1).attr('r', 3).attr('fill', generationColor(c.generation - 1)).attr('stroke', '#222');
      g.append('circle').attr('cx', cx).attr('cy', y2).attr('r', 3.5).attr('fill', generationColor(c.generation)).attr('stroke', '#222');
      g.append('title').text(
        `${formatDateTime(c.at, lang)} · ${stationName(c.stationId)}\n${personLabel(c.source, trace.identities)} → ${personLabel(c.target, trace.identities)}`,
      );
    }
  }
}
