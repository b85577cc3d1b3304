import { quarantineDays } from '../config';
import { eligible } from './candidates';
import { checkTransition, FOLLOW_UP_STATUSES, isOpen, nextStatuses, quarantineUntil, type FollowUpStatus } from './status';

const DAY = 86_400_000;
const EXPOSED = Date.UTC(2021, 7, 2, 1, 0);
const END = quarantineUntil(EXPOSED, 14);
const before = { quarantineUntil: END, now: END - 1 };
const after = { quarantineUntil: END, now: END };

describe('the follow-up status machine', () => {
  it.each<[FollowUpStatus, FollowUpStatus]>([
    ['to_contact', 'reached'],
    ['to_contact', 'unreachable'],
    ['unreachable', 'reached'],
    ['unreachable', 'quarantined'],
    ['reached', 'quarantined'],
    ['quarantined', 'tested_positive'],
    ['to_contact', 'tested_positive'],
  ])('lets %s become %s', (from, to) => {
    expect(checkTransition(from, to, before)).toBe(true);
  });

  it.each<[FollowUpStatus, FollowUpStatus]>([
    ['to_contact', 'quarantined'],
    ['to_contact', 'released'],
    ['reached', 'to_contact'],
    ['reached', 'unreachable'],
    ['quarantined', 'reached'],
    ['released', 'quarantined'],
    ['tested_positive', 'released'],
  ])('refuses %s → %s as a conflict naming both and what may follow', (from, to) => {
    let thrown: unknown;
    try {
      checkTransition(from, to, after);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: 'conflict' });
    expect((thrown as Error).message).toContain(`from ${from} to ${to}`);
  });

  it('says a closed follow-up is closed', () => {
    expect(() => checkTransition('released', 'reached', after)).toThrow('a follow-up that is released is closed');
    expect(nextStatuses('tested_positive')).toEqual([]);
  });

  it('treats the same status again as no change', () => {
    for (const s of FOLLOW_UP_STATUSES) expect(checkTransition(s, s, before)).toBe(false);
  });

  it('releases a quarantine only once it has ended, naming the end', () => {
    expect(() => checkTransition('quarantined', 'released', before)).toThrow(`the quarantine runs until ${new Date(END).toISOString()}`);
    expect(checkTransition('quarantined', 'released', after)).toBe(true);
  });

  it('keeps a follow-up open until released or tested positive', () => {
    expect(FOLLOW_UP_STATUSES.filter(isOpen)).toEqual(['to_contact', 'reached', 'unreachable', 'quarantined']);
  });
});

describe('the quarantine date', () => {
  it('is the exposure plus Q whole days', () => {
    expect(quarantineUntil(EXPOSED, 14)).toBe(EXPOSED + 14 * DAY);
    expect(new Date(quarantineUntil(EXPOSED, 14)).toISOString()).toBe('2021-08-16T01:00:00.000Z');
    expect(quarantineUntil(EXPOSED, 21)).toBe(EXPOSED + 21 * DAY);
  });

  it('takes Q from TRUYVET_QUARANTINE_DAYS, 14 when not given, refusing what is not 1–60 whole days', () => {
    expect(quarantineDays(14, {})).toBe(14);
    expect(quarantineDays(14, { TRUYVET_QUARANTINE_DAYS: '21' })).toBe(21);
    expect(() => quarantineDays(14, { TRUYVET_QUARANTINE_DAYS: '0' })).toThrow('TRUYVET_QUARANTINE_DAYS=0 must be a whole number from 1 to 60');
    expect(() => quarantineDays(14, { TRUYVET_QUARANTINE_DAYS: '7.5' })).toThrow('TRUYVET_QUARANTINE_DAYS=7.5');
  });
});

describe('who becomes a follow-up', () => {
  const c = (generation: number, cls: 'close' | 'brief') => ({ personId: 'p', generation, exposureAt: EXPOSED, class: cls });
  it('is a close F1 by default, not a brief one nor an F2', () => {
    expect(eligible(c(1, 'close'), {})).toBe(true);
    expect(eligible(c(1, 'brief'), {})).toBe(false);
    expect(eligible(c(2, 'close'), {})).toBe(false);
  });

  it('takes close F2s with the flag, brief contacts only when promoted, never F3s', () => {
    expect(eligible(c(2, 'close'), { includeF2: true })).toBe(true);
    expect(eligible(c(2, 'brief'), { includeF2: true })).toBe(false);
    expect(eligible(c(1, 'brief'), { includeBrief: true })).toBe(true);
    expect(eligible(c(3, 'close'), { includeF2: true, includeBrief: true })).toBe(false);
  });
});
