import { csvDateTime, formatDateTime, formatDay, formatDuration, formatSpan, formatTime, fromLocalInput, toLocalInput, wallTime, zoneOffsetMs } from './time';

describe('dates in Asia/Ho_Chi_Minh', () => {
  it('the test process runs in UTC, so these checks prove the zone is named, not the machine’s', () => {
    expect(new Date('2021-07-31T17:00:00Z').getHours()).toBe(17);
  });

  it('formats an instant as Ho Chi Minh City wall time in both languages', () => {
    expect(formatDateTime('2021-07-31T17:00:00.000Z', 'vi')).toBe('00:00 01/08/2021');
    expect(formatDateTime('2021-07-31T17:00:00.000Z', 'en')).toBe('01 Aug 2021, 00:00');
    expect(formatTime('2021-08-01T00:30:00.000Z', 'vi')).toBe('07:30');
    expect(formatDay('2021-08-01T18:00:00.000Z', 'vi')).toBe('02/08');
    expect(formatDay('2021-08-01T18:00:00.000Z', 'en')).toBe('02 Aug');
  });

  it('writes the end of a span with its date only when it falls on another day', () => {
    expect(formatSpan('2021-08-01T00:00:00.000Z', '2021-08-01T01:00:00.000Z', 'vi')).toBe('07:00 01/08/2021 – 08:00');
    expect(formatSpan('2021-08-01T16:45:00.000Z', '2021-08-01T17:00:00.000Z', 'vi')).toBe('23:45 01/08/2021 – 00:00');
    expect(formatSpan('2021-08-01T16:30:00.000Z', '2021-08-01T17:15:00.000Z', 'en')).toBe('01 Aug 2021, 23:30 – 02 Aug 2021, 00:15');
  });

  it('reads a datetime-local value as Ho Chi Minh City time, with the offset written out', () => {
    expect(fromLocalInput('2021-08-01T00:00')).toBe('2021-08-01T00:00:00+07:00');
    expect(Date.parse(fromLocalInput('2021-08-01T07:30')!)).toBe(Date.parse('2021-08-01T00:30:00Z'));
    expect(fromLocalInput('2021-08-01T07:30:15')).toBe('2021-08-01T07:30:15+07:00');
  });

  it('refuses text that is not a wall time', () => {
    for (const bad of ['', '2021-08-01', '2021-02-30T10:00', '2021-08-01T24:00', 'yesterday']) expect(fromLocalInput(bad)).toBeUndefined();
  });

  it('shows a stored instant back in the input as the same wall time', () => {
    expect(toLocalInput('2021-07-31T17:00:00.000Z')).toBe('2021-08-01T00:00');
    expect(fromLocalInput(toLocalInput('2021-08-02T09:45:00.000Z'))).toBe('2021-08-02T16:45:00+07:00');
  });

  it('knows the offset is seven hours, and gives wall-clock fields', () => {
    expect(zoneOffsetMs(Date.parse('2021-08-01T00:00:00Z'))).toBe(7 * 3_600_000);
    expect(wallTime('2021-12-31T17:30:05Z')).toEqual({ year: 2022, month: 1, day: 1, hour: 0, minute: 30, second: 5 });
  });

  it('writes CSV times in local time, sortable', () => {
    expect(csvDateTime('2021-08-01T00:30:00.000Z')).toBe('2021-08-01 07:30:00');
  });

  it('formats durations in words of each language', () => {
    expect(formatDuration(40, 'en')).toBe('40 s');
    expect(formatDuration(900, 'en')).toBe('15 min');
    expect(formatDuration(3900, 'en')).toBe('1 h 05 min');
    expect(formatDuration(3600, 'vi')).toBe('1 giờ');
    expect(formatDuration(900, 'vi')).toBe('15 phút');
  });
});
