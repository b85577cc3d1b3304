import { summaryTexts } from './summary';
import { sampleTrace } from './testing/sample';

describe('the summary card', () => {
  const trace = sampleTrace();

  it('names F0 and says the period, the parameters, the counts, the figures and the reference', () => {
    const s = summaryTexts(trace, 'en');
    expect(s.f0).toBe('Nguyễn Văn An (079090005444)');
    expect(s.period).toBe('01 Aug 2021, 00:00 – 03 Aug 2021, 00:00');
    expect(s.params).toBe('depth 2 · tolerance 15 min · Time-respecting');
    expect([...s.counts]).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(s.stats).toBe('4 people, 6 contacts, 12 ms');
    expect(s.ref).toBe(`Request 123/SYT-NVY · trace ${trace.id}`);
    expect(s.warnings).toEqual([]);
  });

  it('says the horizon only when it differs from the end of the period', () => {
    expect(summaryTexts({ ...trace, params: { ...trace.params, until: trace.params.to } }, 'en').period).toBe('01 Aug 2021, 00:00 – 03 Aug 2021, 00:00');
    expect(summaryTexts({ ...trace, params: { ...trace.params, until: '2021-08-04T17:00:00.000Z' } }, 'en').period).toBe('01 Aug 2021, 00:00 – 03 Aug 2021, 00:00 (Horizon (optional): 05 Aug 2021, 00:00)');
  });

  it('warns when the server cut the result, and when the view loaded fewer people than the server holds', () => {
    expect(summaryTexts({ ...trace, truncated: true, peopleFound: 9000, totalPeople: 4 }, 'en').warnings).toHaveLength(1);
    const both = summaryTexts({ ...trace, truncated: true, peopleFound: 9000, totalPeople: 5000 }, 'vi').warnings;
    expect(both).toEqual(['Tìm thấy 9000 người nhưng máy chủ chỉ lưu 5000 người đầu tiên (giới hạn kết quả).', 'Mới tải 4 trên 5000 người.']);
  });

  it('while only the first page is shown, counts every generation from the trace’s own sensitivity row (issue 23 point 10)', () => {
    const firstPage = {
      ...trace,
      people: trace.people.filter((p) => p.generation === 1),
      totalPeople: 9,
      sensitivity: [
        { toleranceSeconds: 300, counts: { '1': 1, '2': 1 } },
        { toleranceSeconds: trace.params.toleranceSeconds, counts: { '1': 3, '2': 6 } },
      ],
    };
    expect([...summaryTexts(firstPage, 'en', true).counts]).toEqual([
      [1, 3],
      [2, 6],
    ]);
    // Once every page is there, the people loaded are counted.
    expect([...summaryTexts(firstPage, 'en', false).counts]).toEqual([
      [1, 2],
      [2, 0],
    ]);
    // No sensitivity row at the trace's tolerance: the loaded people, and the warning says so.
    expect([...summaryTexts({ ...firstPage, sensitivity: [] }, 'en', true).counts]).toEqual([
      [1, 2],
      [2, 0],
    ]);
  });
});
