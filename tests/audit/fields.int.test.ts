import { eventHashV1, type AuditEvent } from '../../engine/audit/chain';
import { appendAudit, listAudit, verifyAudit } from '../../engine/audit/store';
import { int } from '../../engine/db/convert';
import { closeDriver, readQuery, writeQuery } from '../../engine/db/driver';
import { newRunId, removeRun } from '../helpers/cleanup';
import { runCli } from '../helpers/cli';

/**
 * Every stored property of an audit event is covered by the chain (issue 20, point 4): the test
 * reads the properties an event actually has (`keys(e)`), so a property added to events later is
 * covered here without editing the test. Each is changed, removed and retyped in turn, and a
 * property is added; `audit verify` must name the event every time, and be intact again once the
 * edit is undone.
 */

const run = newRunId('af');
const chain = `${run}c`;
const T = Date.UTC(2021, 7, 2, 3, 0);
const SEQ = 3;
const oldChain = `${run}o`;

type Value = string | number;
interface Prop {
  readonly key: string;
  readonly type: string;
  readonly value: Value;
}

async function storedProps(): Promise<Prop[]> {
  return readQuery(
    'MATCH (e:AuditEvent {chain: $chain, seq: $seq}) UNWIND keys(e) AS k RETURN k AS key, valueType(e[k]) AS type, e[k] AS value ORDER BY k',
    { chain, seq: SEQ },
    (r) => ({ key: r['key'] as string, type: r['type'] as string, value: r['value'] as Value }),
  );
}

/** Runs a statement on the event (found by its element id, so edits of chain or seq still find it). */
async function onEvent(id: string, cypher: string, params: Record<string, unknown> = {}): Promise<void> {
  await writeQuery(`MATCH (e:AuditEvent) WHERE elementId(e) = $id ${cypher}`, { id, ...params }, () => undefined);
}

/** Sets one property; a JS number goes in as an INTEGER unless `float`, null removes it. */
async function setProp(id: string, key: string, value: Value | null, float = false): Promise<void> {
  const v = typeof value === 'number' && !float ? int(value) : value;
  await onEvent(id, 'SET e += $m', { m: { [key]: v } });
}

async function restore(id: string, p: Prop): Promise<void> {
  await setProp(id, p.key, p.value);
}

async function namesTheEvent(what: string): Promise<void> {
  const report = await verifyAudit(chain);
  expect({ what, ok: report.ok }).toEqual({ what, ok: false });
  expect({ what, seqs: report.problems.map((p) => p.seq) }).toEqual({ what, seqs: expect.arrayContaining([SEQ]) as unknown });
}

/** Makes an edit, checks that verify names the event, and undoes the edit whatever happened. */
async function tamper(what: string, edit: () => Promise<void>, undo: () => Promise<void>): Promise<void> {
  await edit();
  try {
    await namesTheEvent(what);
  } finally {
    await undo();
  }
  expect({ what, undone: (await verifyAudit(chain)).ok }).toEqual({ what, undone: true });
}

let elementId = '';

beforeAll(async () => {
  for (let i = 1; i <= 5; i++) {
    await appendAudit(
      { actor: `${run}-u`, role: 'tracer', action: 'trace.create', outcome: 'ok', target: `t-${i}`, requestRef: `R-${i}`, purpose: 'test', count: i, details: { depth: 2, truncated: false } },
      T + i * 60_000,
      chain,
    );
  }
  const [id] = await readQuery('MATCH (e:AuditEvent {chain: $chain, seq: $seq}) RETURN elementId(e) AS id', { chain, seq: SEQ }, (r) => r['id'] as string);
  elementId = id!;
});
afterAll(async () => {
  await removeRun(run);
  await closeDriver();
});

describe('every stored property of an audit event is in the chain', () => {
  it('starts intact', async () => {
    expect(await verifyAudit(chain)).toMatchObject({ ok: true, events: 5 });
  });

  it('names the event when any stored property is changed, and is intact once it is changed back', async () => {
    const props = await storedProps();
    // What an event written with every field holds: if this list grows, the loop covers the new one.
    expect(props.map((p) => p.key)).toEqual(expect.arrayContaining(['action', 'actor', 'at', 'atMs', 'chain', 'count', 'details', 'hash', 'outcome', 'prev', 'purpose', 'requestRef', 'role', 'seq', 'target']));
    for (const p of props) {
      // +1000 for integers keeps a changed seq clear of the (chain, seq) constraint.
      expect({ key: p.key, type: p.type }).toEqual({ key: p.key, type: expect.stringMatching(/^(INTEGER|STRING) NOT NULL$/) as unknown });
      await tamper(
        `changed ${p.key}`,
        () => setProp(elementId, p.key, typeof p.value === 'number' ? p.value + 1000 : `${p.value}x`),
        () => restore(elementId, p),
      );
    }
  });

  it('names the event when any stored property is removed', async () => {
    for (const p of await storedProps()) {
      await tamper(`removed ${p.key}`, () => setProp(elementId, p.key, null), () => restore(elementId, p));
    }
  });

  it('names the event when a property keeps its value but changes its type', async () => {
    for (const p of (await storedProps()).filter((x) => x.type.startsWith('INTEGER'))) {
      await tamper(`${p.key} as a float`, () => setProp(elementId, p.key, p.value, true), () => restore(elementId, p));
    }
    const atMs = (await storedProps()).find((p) => p.key === 'atMs')!;
    await tamper('atMs as a string', () => setProp(elementId, 'atMs', String(atMs.value)), () => restore(elementId, atMs));
  });

  it('names the event when a property is added', async () => {
    await tamper('added note', () => onEvent(elementId, "SET e.note = 'added later'"), () => onEvent(elementId, 'REMOVE e.note'));
  });

  it('an event moved in time by its atMs leaves the time filter and is named by truyvet audit verify', async () => {
    const at = T + SEQ * 60_000;
    expect((await listAudit({ chain, from: at, to: at })).map((e) => e.seq)).toEqual([SEQ]);
    await onEvent(elementId, 'SET e.atMs = e.atMs + 86400000');
    try {
      expect(await listAudit({ chain, from: at, to: at })).toEqual([]);
      const cli = await runCli(['audit', 'verify', '--chain', chain]);
      expect(cli.code).toBe(1);
      expect(cli.stdout).toMatch(new RegExp(`first bad seq ${SEQ}`));
    } finally {
      await onEvent(elementId, 'SET e.atMs = e.atMs - 86400000');
    }
    expect((await verifyAudit(chain)).ok).toBe(true);
  });
});

describe('a chain begun by the code before format 2 (a database upgraded in place)', () => {
  // Written as that code did: its CREATE statement and its hash (no `v`, atMs not hashed).
  async function writeOld(seq: number, prev: string): Promise<string> {
    const e: Omit<AuditEvent, 'hash'> = { chain: oldChain, seq, at: new Date(T + seq * 1000).toISOString(), actor: `${run}-u`, role: 'tracer', action: 'trace.read', outcome: 'ok', target: 't-1', count: 1, prev };
    const hash = eventHashV1(e);
    await writeQuery(
      `MERGE (h:AuditHead {chain: $chain}) SET h.seq = $seq, h.hash = $hash
       CREATE (:AuditEvent {chain: $chain, seq: $seq, at: $at, atMs: $atMs, actor: $actor, role: $role, action: $action,
         outcome: $outcome, target: $target, requestRef: null, purpose: null, count: $count, details: null, prev: $prev, hash: $hash})`,
      { ...e, seq: int(seq), atMs: int(T + seq * 1000), count: int(1), hash },
      () => undefined,
    );
    return hash;
  }

  it('keeps verifying the old events next to new ones, and names an old event whose atMs was moved', async () => {
    const h1 = await writeOld(1, '');
    await writeOld(2, h1);
    await appendAudit({ actor: `${run}-u`, role: 'tracer', action: 'trace.read', outcome: 'ok' }, T + 3000, oldChain);
    expect(await verifyAudit(oldChain)).toMatchObject({ ok: true, events: 3 });
    const [v] = await readQuery('MATCH (e:AuditEvent {chain: $chain}) RETURN collect(e.v) AS v', { chain: oldChain }, (r) => r['v'] as number[]);
    expect(v).toEqual([2]);
    await writeQuery('MATCH (e:AuditEvent {chain: $chain, seq: 2}) SET e.atMs = e.atMs + 86400000', { chain: oldChain }, () => undefined);
    const report = await verifyAudit(oldChain);
    expect(report.problems).toEqual([{ seq: 2, reason: expect.stringMatching(/atMs/) as unknown }]);
  });
});
