import { hotspotRows, mapData, stationExposures, stationRadius } from './map-data';
import { A, D, sampleTrace, stations } from './testing/sample';

describe('station map data', () => {
  const trace = sampleTrace();

  it('counts contacts and distinct people reached at each station', () => {
    const e = stationExposures(trace);
    expect(e.get('ST1')!.exposures).toBe(2);
    expect([...e.get('ST1')!.people].sort()).toEqual([A, D].sort());
    expect(e.get('ST3')!.exposures).toBe(2);
    expect(e.has('ST4')).toBe(false);
  });

  it('projects every contact station inside the box, north up and east right', () => {
    const d = mapData({ contacts: [...trace.contacts, { ...trace.contacts[0]!, stationId: 'ST4' }] }, stations, { width: 400, height: 300 });
    for (const s of d.stations) {
      expect(s.x).toBeGreaterThanOrEqual(23);
      expect(s.x).toBeLessThanOrEqual(377);
      expect(s.y).toBeGreaterThanOrEqual(23);
      expect(s.y).toBeLessThanOrEqual(277);
    }
    const at = (id: string) => d.stations.find((s) => s.station.id === id)!;
    expect(at('ST2').y).toBeLessThan(at('ST3').y); // ST2 lies further north
    expect(at('ST4').x).toBeGreaterThan(at('ST3').x); // ST4 lies further east
  });

  it('draws the busiest stations first, lists the kinds with exposures, and flags contact stations it does not know', () => {
    const d = mapData(trace, stations.slice(0, 2), { width: 400, height: 300 });
    expect(d.stations.map((s) => s.station.id)).toEqual(['ST1', 'ST2']);
    expect(d.kinds).toEqual(['checkpoint', 'market']);
    expect(d.unknownStations).toEqual(['ST3']);
    expect(d.maxExposures).toBe(2);
  });

  it('frames the contact stations, leaving the others as context outside if need be', () => {
    const far = { ...stations[3]!, id: 'FAR', lat: 11.2, lon: 106.4 };
    const d = mapData(trace, [...stations, far], { width: 400, height: 300 });
    const at = (id: string) => d.stations.find((s) => s.station.id === id)!;
    expect(at('FAR').y).toBeLessThan(0);
    expect(at('ST1').y).toBeGreaterThan(0);
  });

  it('can leave out the stations without exposures', () => {
    expect(mapData(trace, stations, { width: 400, height: 300 }, false).stations.map((s) => s.station.id).sort()).toEqual(['ST1', 'ST2', 'ST3']);
  });

  it('frames a single station without dividing by zero', () => {
    const d = mapData(trace, stations.slice(0, 1), { width: 400, height: 300 });
    expect(Number.isFinite(d.stations[0]!.x) && Number.isFinite(d.stations[0]!.y)).toBe(true);
  });

  it('sizes circles by exposures, area-wise, with a floor for none', () => {
    expect(stationRadius(0, 10)).toBe(2);
    expect(stationRadius(10, 10)).toBe(18);
    expect(stationRadius(1, 10)).toBeLessThan(stationRadius(4, 10));
  });

  it('names hotspots from the station list when the API gives no name', () => {
    const rows = hotspotRows(
      [
        { stationId: 'ST1', stationName: '', windowStart: '2021-08-01T00:30:00.000Z', windowEnd: '2021-08-01T00:45:00.000Z', cases: 3, passages: 4, people: [A, D] },
        { stationId: 'ST9', stationName: 'Ở đâu đó', windowStart: '2021-08-01T00:30:00.000Z', windowEnd: '2021-08-01T00:45:00.000Z', cases: 2, passages: 2, people: [A] },
      ],
      new Map(stations.map((s) => [s.id, s])),
    );
    expect(rows.map((r) => [r.rank, r.stationName])).toEqual([
      [1, 'Chợ Bến Thành'],
      [2, 'Ở đâu đó'],
    ]);
  });
});
