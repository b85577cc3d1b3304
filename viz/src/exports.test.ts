import { exportFileName, graphTitle, pngSize } from './exports';
import { sampleTrace } from './testing/sample';

describe('the exports of a trace', () => {
  const trace = sampleTrace();

  it('name each file by the trace and what it holds', () => {
    expect(exportFileName(trace.id, 'people.csv')).toBe('truyvet-tr0123456789abcdef01234567-people.csv');
    expect(exportFileName(trace.id, 'graph.svg')).toBe('truyvet-tr0123456789abcdef01234567-graph.svg');
    expect(exportFileName(trace.id, 'graph.png')).toBe('truyvet-tr0123456789abcdef01234567-graph.png');
  });

  it('title the graph with F0 and the request', () => {
    expect(graphTitle(trace)).toBe('truyvet · Nguyễn Văn An (079090005444) · 123/SYT-NVY');
    expect(graphTitle(undefined)).toBe('truyvet');
  });

  it('draw the PNG at twice the graph’s size, at most 8000 pixels on its longer side', () => {
    expect(pngSize(900, 640)).toEqual({ width: 1800, height: 1280 });
    expect(pngSize(10_000, 2_500)).toEqual({ width: 8000, height: 2000 });
    expect(pngSize(3000, 6000)).toEqual({ width: 4000, height: 8000 });
  });
});
