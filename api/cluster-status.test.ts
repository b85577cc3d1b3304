import { gatherWorkerStatus, statusOfWorkers, type LiveWorker, type ProcessFigures, type WorkerStatus } from './cluster-status';

/**
 * `GET /api/status` across the workers of `serve --workers N`, with the primary and its workers in
 * one process: messages travel asynchronously, as over node:cluster's channels.
 */

const figuresOf = (pid: number, running: number): ProcessFigures => ({
  pid,
  uptimeSeconds: 10,
  memory: { rssMB: 100 + pid, heapUsedMB: 50 },
  traces: { running, waiting: 0, refused: pid % 2 },
});

function cluster(workers: { id: number; index: number; pid: number; running: number; silent?: boolean }[], answerMs = 200) {
  const toWorker = new Map<number, (m: unknown) => void>();
  let toPrimary: (id: number, m: unknown) => void = () => undefined;
  const live: LiveWorker[] = workers.map(({ id, index, pid }) => ({ id, index, pid }));
  gatherWorkerStatus(
    {
      workers: () => live,
      send: (id, m) => {
        const deliver = toWorker.get(id);
        if (deliver === undefined) throw new Error('channel closed');
        setImmediate(() => deliver(m));
      },
      onMessage: (l) => (toPrimary = l),
    },
    answerMs,
  );
  const ask = new Map<number, () => Promise<WorkerStatus[]>>();
  for (const w of workers) {
    ask.set(
      w.id,
      statusOfWorkers(
        () => figuresOf(w.pid, w.running),
        {
          send: (m) => setImmediate(() => toPrimary(w.id, m)),
          onMessage: (l) => {
            if (!w.silent) toWorker.set(w.id, l);
            else toWorker.set(w.id, () => undefined);
          },
        },
        2_000,
      ),
    );
  }
  return { ask: (id: number) => ask.get(id)!(), live };
}

it("gives every worker's figures, by place, whichever worker asks", async () => {
  const c = cluster([
    { id: 7, index: 2, pid: 1002, running: 1 },
    { id: 3, index: 1, pid: 1001, running: 0 },
  ]);
  const expected = [
    { index: 1, answered: true, ...figuresOf(1001, 0) },
    { index: 2, answered: true, ...figuresOf(1002, 1) },
  ];
  expect(await c.ask(7)).toEqual(expected);
  expect(await c.ask(3)).toEqual(expected);
});

it('keeps questions asked at once apart', async () => {
  const c = cluster([
    { id: 1, index: 1, pid: 11, running: 2 },
    { id: 2, index: 2, pid: 12, running: 3 },
  ]);
  const all = await Promise.all([c.ask(1), c.ask(2), c.ask(1)]);
  for (const r of all) expect(r.map((w) => w.answered && w.traces.running)).toEqual([2, 3]);
});

it('lists a worker that does not answer in time as silent, after the wait', async () => {
  const c = cluster(
    [
      { id: 1, index: 1, pid: 11, running: 0 },
      { id: 2, index: 2, pid: 12, running: 0, silent: true },
    ],
    150,
  );
  const t0 = Date.now();
  const r = await c.ask(1);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  expect(r).toEqual([
    { index: 1, answered: true, ...figuresOf(11, 0) },
    { index: 2, pid: 12, answered: false },
  ]);
});

it('lists a worker whose channel has closed as silent', async () => {
  const c = cluster([{ id: 1, index: 1, pid: 11, running: 0 }], 100);
  c.live.push({ id: 9, index: 2, pid: 19 });
  expect(await c.ask(1)).toEqual([
    { index: 1, answered: true, ...figuresOf(11, 0) },
    { index: 2, pid: 19, answered: false },
  ]);
});

it('gives up when the primary does not reply', async () => {
  const ask = statusOfWorkers(() => figuresOf(1, 0), { send: () => undefined, onMessage: () => undefined }, 50);
  await expect(ask()).rejects.toThrow('the primary did not answer');
});

it("answers the primary's asks and leaves other messages alone", () => {
  const sent: unknown[] = [];
  let listener: (m: unknown) => void = () => undefined;
  statusOfWorkers(() => figuresOf(1, 0), { send: (m) => sent.push(m), onMessage: (l) => (listener = l) });
  listener({ type: 'rate-limit', ask: 1 });
  listener(null);
  listener({ tag: 'truyvet-status', ask: 4 });
  expect(sent).toEqual([{ tag: 'truyvet-status', answer: 4, figures: figuresOf(1, 0) }]);
});
