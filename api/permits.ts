/**
 * Permits to run one of a limited kind of work (traces, imports), handed out first come, first
 * served. `localPermits` counts them in this process; api/shared-permits.ts counts them for all
 * workers of `serve --workers N` in the primary. The trace gate and the import queue take their
 * permits from either without knowing which.
 */
export interface Permits {
  /** Asks for a permit; the answer says whether it was granted, or refused at once because `waiting` others already wait. */
  request(): PermitRequest;
}

export type PermitAnswer = { readonly granted: true } | { readonly granted: false; readonly waiting: number };

export interface PermitRequest {
  readonly answer: Promise<PermitAnswer>;
  /**
   * Gives the permit back once the work is done, or gives up waiting for it. Idempotent; after a
   * refusal it does nothing.
   */
  release(): void;
}

/** `concurrency` at once, at most `queue` waiting (beyond that, refused at once). */
export function localPermits(concurrency: number, queue = Infinity): Permits {
  let held = 0;
  const waiting: { grant: () => void }[] = [];
  const next = (): void => {
    while (held < concurrency && waiting.length > 0) {
      held++;
      waiting.shift()!.grant();
    }
  };
  return {
    request(): PermitRequest {
      if (held < concurrency) {
        held++;
        let holding = true;
        return {
          answer: Promise.resolve({ granted: true }),
          release: () => {
            if (!holding) return;
            holding = false;
            held--;
            next();
          },
        };
      }
      if (waiting.length >= queue) return { answer: Promise.resolve({ granted: false, waiting: waiting.length }), release: () => undefined };
      let state: 'waiting' | 'holding' | 'done' = 'waiting';
      let resolve: (a: PermitAnswer) => void = () => undefined;
      const answer = new Promise<PermitAnswer>((r) => (resolve = r));
      const me = {
        grant: () => {
          state = 'holding';
          resolve({ granted: true });
        },
      };
      waiting.push(me);
      return {
        answer,
        release: () => {
          if (state === 'waiting') {
            waiting.splice(waiting.indexOf(me), 1);
          } else if (state === 'holding') {
            held--;
            next();
          }
          state = 'done';
        },
      };
    },
  };
}
