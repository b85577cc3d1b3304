import { z } from 'zod';
import { FOLLOW_UP_STATUSES, OPEN_STATUSES, type FollowUpStatus } from './status';

/**
 * The follow-up statuses a list asks for, read by one parser for the API (`?status=`) and the
 * command line (`--status`): statuses separated by commas, `open` for the open ones (the default)
 * or `all`. An unknown word is refused, naming it and the words allowed.
 */
export const followUpStatusFilter = z
  .string()
  .trim()
  .default('open')
  .transform((text, ctx): FollowUpStatus[] => {
    const out = new Set<FollowUpStatus>();
    for (const word of text.split(',').map((w) => w.trim()).filter((w) => w !== '')) {
      if (word === 'open') OPEN_STATUSES.forEach((s) => out.add(s));
      else if (word === 'all') FOLLOW_UP_STATUSES.forEach((s) => out.add(s));
      else if ((FOLLOW_UP_STATUSES as readonly string[]).includes(word)) out.add(word as FollowUpStatus);
      else {
        ctx.addIssue({ code: 'custom', message: `'${word}' is not a follow-up status: use ${FOLLOW_UP_STATUSES.join(', ')}, open or all (comma-separated)` });
        return z.NEVER;
      }
    }
    return out.size === 0 ? [...OPEN_STATUSES] : FOLLOW_UP_STATUSES.filter((s) => out.has(s));
  })
  .meta({ description: `comma-separated statuses (${FOLLOW_UP_STATUSES.join(', ')}), open (default: to_contact, reached, unreachable, quarantined) or all` });
