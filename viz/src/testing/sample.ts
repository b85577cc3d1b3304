import type { LoadedTrace, Station, TraceContact, TracePage, TracePerson } from '../types';

/**
 * A small hand-made trace for the unit tests (no real person): F0 met A twice and B once; A
 * reached C and D, B reached D. Identities carry the awkward values the CSV export must survive.
 */

export const pid = (c: string) => `p${c.repeat(24)}`;

export const F0 = pid('0');
export const A = pid('a');
export const B = pid('b');
export const C = pid('c');
export const D = pid('d');

export const people: TracePerson[] = [
  { id: A, generation: 1, exposureAt: '2021-08-01T00:30:00.000Z', via: [F0], score: 0.632, class: 'brief' },
  { id: B, generation: 1, exposureAt: '2021-08-01T02:05:00.000Z', via: [F0], score: 0.393, class: 'brief' },
  { id: C, generation: 2, exposureAt: '2021-08-01T05:00:00.000Z', via: [A], score: 0.196, class: 'brief' },
  { id: D, generation: 2, exposureAt: '2021-08-01T05:10:00.000Z', via: [A, B], score: 0.316, class: 'brief' },
];

const contact = (source: string, target: string, stationId: string, at: string, generation: number, n: number): TraceContact => ({
  source,
  target,
  stationId,
  at,
  overlapSeconds: 600,
  generation,
  passages: [`P${n}s`, `P${n}t`],
  class: 'brief',
});

export const contacts: TraceContact[] = [
  contact(F0, A, 'ST1', '2021-08-01T00:30:00.000Z', 1, 1),
  contact(F0, A, 'ST2', '2021-08-01T02:00:00.000Z', 1, 2),
  contact(F0, B, 'ST2', '2021-08-01T02:05:00.000Z', 1, 3),
  contact(A, C, 'ST3', '2021-08-01T05:00:00.000Z', 2, 4),
  contact(A, D, 'ST3', '2021-08-01T05:10:00.000Z', 2, 5),
  // D's own passage was a scan of the national QR code: lower-trust evidence.
  { ...contact(B, D, 'ST1', '2021-08-01T06:00:00.000Z', 2, 6), trust: ['standard', 'national'] },
];

export const identities: TracePage['identities'] = {
  [F0]: { rawKey: '079090005444', registered: true, fullName: 'Nguyễn Văn An', birthDate: '1990-01-02', sex: 'M', phone: '0901234567' },
  [A]: { rawKey: '079190000001', registered: true, fullName: '=HYPERLINK("http://x.invalid")', phone: '0902000001' },
  [B]: { rawKey: '@SUM(1)', registered: false },
  [C]: { rawKey: '079190000003', registered: true, fullName: 'Trần Thị "Bé", Ba', phone: '+84903000003' },
  [D]: { rawKey: '079190000004', registered: true, fullName: 'Lê Văn Dũng', phone: '0904000004' },
};

export const params: TracePage['params'] = {
  from: '2021-07-31T17:00:00.000Z',
  to: '2021-08-02T17:00:00.000Z',
  depth: 2,
  toleranceSeconds: 900,
  mode: 'time-respecting',
  closeSeconds: 900,
  closeOnly: false,
};

export function sampleTrace(overrides: Partial<LoadedTrace> = {}): LoadedTrace {
  return {
    id: 'tr0123456789abcdef01234567',
    f0: F0,
    params,
    people,
    contacts,
    identities,
    stats: { people: 4, contacts: 6, milliseconds: 12 },
    requestRef: '123/SYT-NVY',
    purpose: 'unit test',
    createdAt: '2021-08-03T00:00:00.000Z',
    truncated: false,
    peopleFound: 4,
    totalPeople: 4,
    ...overrides,
  };
}

/** The same result as the API would page it, `size` people a page. */
export function samplePages(size: number): TracePage[] {
  const pages: TracePage[] = [];
  const totalPages = Math.max(1, Math.ceil(people.length / size));
  for (let n = 1; n <= totalPages; n++) {
    const slice = people.slice((n - 1) * size, n * size);
    const ids = new Set(slice.map((p) => p.id));
    pages.push({
      id: 'tr0123456789abcdef01234567',
      f0: F0,
      params,
      people: slice,
      contacts: contacts.filter((c) => ids.has(c.target)),
      stats: { people: 4, contacts: 6, milliseconds: 12 },
      requestRef: '123/SYT-NVY',
      purpose: 'unit test',
      createdAt: '2021-08-03T00:00:00.000Z',
      owner: 'tracer1',
      page: { number: n, size, totalPeople: people.length, totalPages },
      truncated: false,
      peopleFound: 4,
      identities: Object.fromEntries([F0, ...ids].map((id) => [id, identities[id]!])),
      outside: {},
      status: 'ready',
    });
  }
  return pages;
}

export const stations: Station[] = [
  { id: 'ST1', name: 'Chợ Bến Thành', province: '79', district: '760', commune: '26755', lat: 10.77, lon: 106.698, tz: 'Asia/Ho_Chi_Minh', kind: 'market' },
  { id: 'ST2', name: 'Chốt Cầu Sài Gòn', province: '79', district: '769', commune: '26800', lat: 10.798, lon: 106.724, tz: 'Asia/Ho_Chi_Minh', kind: 'checkpoint' },
  { id: 'ST3', name: 'Trạm Y tế Phường 9', province: '79', district: '776', commune: '27403', lat: 10.746, lon: 106.666, tz: 'Asia/Ho_Chi_Minh', kind: 'clinic' },
  { id: 'ST4', name: 'Nhà thuốc Long Châu', province: '79', district: '778', commune: '27475', lat: 10.735, lon: 106.732, tz: 'Asia/Ho_Chi_Minh', kind: 'pharmacy' },
];
