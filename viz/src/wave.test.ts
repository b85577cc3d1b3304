import { ApiError } from './api';
import { changeRefusal } from './followups-page';
import { t } from './i18n';
import { clusterLayout, curveQuery, curveWindow, dayStart, hcmcDay, peoplePerGeneration, runEnded } from './wave';
import type { OutbreakLink } from './types';

const link = (from: string, to: string, stationId: string): OutbreakLink => ({
  from,
  to,
  stationId,
  generation: 1,
  at: '2021-08-02T03:00:00.000Z',
  overlapSeconds: 600,
  passages: ['p1', 'p2'],
  class: 'close',
});

describe('the epidemic-wave pages, pure parts', () => {
  it('counts a run’s people per generation, in generation order', () => {
    expect(peoplePerGeneration([{ generation: 2 }, { generation: 1 }, { generation: 2 }, { generation: 3 }])).toEqual([
      { generation: 1, people: 1 },
      { generation: 2, people: 2 },
      { generation: 3, people: 1 },
    ]);
    expect(peoplePerGeneration([])).toEqual([]);
  });

  it('knows when a run has ended', () => {
    expect(['queued', 'running', 'done', 'failed', 'cancelled'].map((status) => runEnded({ status } as never))).toEqual([false, false, true, true, true]);
  });

  it('takes days in Ho Chi Minh City time (UTC+7)', () => {
    expect(hcmcDay('2021-08-01T16:59:00Z')).toBe('2021-08-01');
    expect(hcmcDay('2021-08-01T17:00:00Z')).toBe('2021-08-02');
    expect(dayStart('2021-08-02')).toBe('2021-08-01T17:00:00.000Z');
    expect(curveQuery('2021-08-01', '2021-08-03')).toEqual({ from: '2021-07-31T17:00:00.000Z', to: '2021-08-03T17:00:00.000Z' });
  });

  it('sets the curve’s window from the cases listed, at most 92 days, or the last 30 days without cases', () => {
    const now = Date.parse('2021-09-30T05:00:00Z');
    expect(curveWindow([], now)).toEqual({ from: '2021-09-01', to: '2021-09-30' });
    expect(curveWindow([{ confirmedAt: '2021-08-03T02:00:00Z' }, { confirmedAt: '2021-08-01T18:00:00Z' }], now)).toEqual({ from: '2021-08-02', to: '2021-08-03' });
    const w = curveWindow([{ confirmedAt: '2021-01-01T02:00:00Z' }, { confirmedAt: '2021-08-01T02:00:00Z' }], now);
    expect(w.to).toBe('2021-08-01');
    expect((Date.parse(w.to) - Date.parse(w.from)) / 86_400_000).toBe(91);
  });

  it('lays a cluster out by confirmation day, links between its own cases only, stations underneath tied to the cases of their links', () => {
    const cluster = {
      cases: [
        { id: 'c2', confirmedAt: '2021-08-02T03:00:00Z', status: 'confirmed', home: null },
        { id: 'c1', confirmedAt: '2021-08-01T03:00:00Z', status: 'confirmed', home: null },
        { id: 'c3', confirmedAt: '2021-08-02T04:00:00Z', status: 'confirmed', home: null },
      ],
      stations: [{ id: 's1', name: 'Chợ Bến Thành', province: null, district: null, commune: null, links: 2 }],
    };
    const l = clusterLayout(cluster, [link('c1', 'c2', 's1'), link('c1', 'c3', 's1'), link('c1', 'elsewhere', 's1'), link('c1', 'c2', 's1')], 400, 300);
    expect(l.days).toEqual(['2021-08-01', '2021-08-02']);
    const at = new Map(l.nodes.map((n) => [n.id, n]));
    expect(at.get('c1')!.x).toBeLessThan(at.get('c2')!.x);
    expect(at.get('c2')!.x).toBe(at.get('c3')!.x);
    expect(at.get('c2')!.y).toBeLessThan(at.get('c3')!.y);
    expect(at.get('station:s1')).toMatchObject({ kind: 'station', label: 'Chợ Bến Thành', links: 2 });
    expect(at.get('station:s1')!.y).toBeGreaterThan(at.get('c3')!.y);
    expect(l.edges.filter((e) => e.kind === 'link')).toEqual([
      { from: 'c1', to: 'c2', kind: 'link' },
      { from: 'c1', to: 'c3', kind: 'link' },
    ]);
    expect(l.edges.filter((e) => e.kind === 'at').map((e) => e.from).sort()).toEqual(['c1', 'c2', 'c3']);
    for (const n of l.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(0);
      expect(n.x).toBeLessThanOrEqual(400);
      expect(n.y).toBeGreaterThanOrEqual(0);
      expect(n.y).toBeLessThanOrEqual(300);
    }
  });
});

describe('a refused follow-up change', () => {
  it('shows a 409’s reason as the server gave it, and other errors in the page’s words', () => {
    const reason = 'a follow-up cannot go from reached to released: from reached it may become quarantined, tested_positive';
    expect(changeRefusal('vi', new ApiError(409, 'conflict', reason))).toBe(`Không đổi được: ${reason}`);
    expect(changeRefusal('en', new ApiError(409, 'conflict', reason))).toBe(`Not changed: ${reason}`);
    expect(changeRefusal('en', new ApiError(0, 'network', 'x'))).toBe(t('en', 'error.network'));
  });
});
