import { exportFileName, framedSvg, graphFrame, graphTitle, PNG_MAX_SIDE, pngSize } from './exports';
import { sampleTrace } from './testing/sample';

describe('the exports of a trace', () => {
  const trace = sampleTrace();

  it('name each file by the trace and what it holds', () => {
    expect(exportFileName(trace.id, 'people.csv')).toBe('truyvet-tr0123456789abcdef01234567-people.csv');
    expect(exportFileName(trace.id, 'graph.svg')).toBe('truyvet-tr0123456789abcdef01234567-graph.svg');
    expect(exportFileName(trace.id, 'people.xlsx')).toBe('truyvet-tr0123456789abcdef01234567-people.xlsx');
    expect(exportFileName(trace.id, 'graph.png')).toBe('truyvet-tr0123456789abcdef01234567-graph.png');
  });

  it('title the graph with F0 and the request', () => {
    expect(graphTitle(trace)).toBe('truyvet · Nguyễn Văn An (079090005444) · 123/SYT-NVY');
    expect(graphTitle(undefined)).toBe('truyvet');
  });

  it('draw the PNG at twice the picture’s size, at most 2400 pixels on its longer side (not 5738 px, 9 MB)', () => {
    expect(PNG_MAX_SIDE).toBe(2400);
    expect(pngSize(900, 640)).toEqual({ width: 1800, height: 1280 });
    expect(pngSize(2869, 2869)).toEqual({ width: 2400, height: 2400 });
    expect(pngSize(10_000, 2_500)).toEqual({ width: 2400, height: 600 });
    expect(pngSize(3000, 6000)).toEqual({ width: 1200, height: 2400 });
  });

  it('caption the graph with the period, when it was made and "n of m shown", in the view’s language', () => {
    const frame = graphFrame(trace, { drawn: 300, total: 2142 }, 'en', new Date('2021-08-03T01:00:00Z'));
    expect(frame.title).toBe(graphTitle(trace));
    expect(frame.caption).toContain('made 03 Aug 2021, 08:00');
    expect(frame.caption).toContain('Drawing 300 of 2142 people');
    expect(frame.legend.map((k) => k.label)).toEqual(['F0', 'F1', 'F2']);
    expect(graphFrame(trace, { drawn: 4, total: 4 }, 'vi').caption).toContain('Đang vẽ 4 trên 4 người');
  });

  it('frame the graph’s SVG with the title and caption above and the legend below, escaping the text', () => {
    const inner = { svg: '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"><g class="node"/></svg>', width: 300, height: 200 };
    const out = framedSvg(inner, { title: 'A & <B>', caption: 'Drawing 1 of 2 people', legend: [{ color: '#111111', label: 'F0' }, { color: '#222222', label: 'F1' }] });
    expect(out.width).toBe(640);
    expect(out.height).toBe(64 + 200 + 40);
    expect(out.svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="304"')).toBe(true);
    expect(out.svg).toContain('<svg x="170" y="64" xmlns="http://www.w3.org/2000/svg" width="300" height="200"><g class="node"/></svg>');
    expect(out.svg).toContain('>A &amp; &lt;B&gt;</text>');
    expect(out.svg).toContain('>Drawing 1 of 2 people</text>');
    expect(out.svg.match(/<circle /g)).toHaveLength(2);
    expect(out.svg).toContain('fill="#222222"');
  });
});
