import { TZDate } from '@date-fns/tz';
import { DEFAULT_TZ } from '../time';

/**
 * When the server's daily purge runs next: the first `HH:MM` wall-clock time in `tz` strictly
 * after `now`. Pure (now is a parameter), so the schedule is tested without waiting a day.
 */
export function nextDailyRun(now: number, hhmm: string, tz: string = DEFAULT_TZ): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new Error(`'${hhmm}' is not HH:MM`);
  const [h, mi] = [Number(m[1]), Number(m[2])];
  const local = new TZDate(now, tz);
  for (let add = 0; add <= 2; add++) {
    const t = new TZDate(local.getFullYear(), local.getMonth(), local.getDate() + add, h, mi, 0, 0, tz).getTime();
    if (t > now) return t;
  }
  throw new Error('no next run found');
}

/** `21d`, `12h`, `90m`: a retention period in ms. Undefined when the text is not one. */
export function parseRetention(text: string): number | undefined {
  const m = /^(\d+)([dhm])$/.exec(text.trim().toLowerCase());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (n <= 0) return undefined;
  return n * ({ d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as 'd' | 'h' | 'm']);
}
