import neo4j from 'neo4j-driver';
import { AUDIT_PAGE, VERIFY_PAGE } from '../../engine/db/audit';
import { CANDIDATES, FRONTIER, NATIONAL_AT_STATIONS } from '../../engine/db/contacts';
import { closeDriver, getDriver } from '../../engine/db/driver';
import { HOTSPOTS } from '../../engine/db/hotspots';
import { OF_PERSON } from '../../engine/db/passages';
import { migrate } from '../../engine/db/schema';
import { AT_STATION } from '../../engine/db/scoped-passages';
import { CONTEXT } from '../../engine/db/scans';

/**
 * The statements that run on every trace, scan and timeline must seek their indexes whatever the
 * statistics say: a plan made while a label is nearly empty is cached and kept as the label grows
 * (a scan of the whole Scan(pid, at) index per checkpoint scan once cost 2–8 ms of Neo4j CPU per
 * scan). EXPLAIN shows the plan the database would run now, on the test database's statistics.
 */

// Operators that read a whole label, a whole index or every node.
const WHOLE_READS = /^(AllNodesScan|NodeByLabelScan|NodeIndexScan|NodeIndexContainsScan|NodeIndexEndsWithScan|UnionNodeByLabelsScan|IntersectionNodeByLabelsScan|DirectedRelationshipTypeScan|UndirectedRelationshipTypeScan|DirectedAllRelationshipsScan|UndirectedAllRelationshipsScan)$/;

interface PlanNode {
  readonly operatorType: string;
  readonly arguments?: { readonly Details?: string };
  readonly children?: readonly PlanNode[];
}

async function operators(cypher: string): Promise<{ type: string; details: string }[]> {
  const session = getDriver().session({ defaultAccessMode: neo4j.session.READ });
  try {
    const res = await session.run(`EXPLAIN ${cypher}`);
    const out: { type: string; details: string }[] = [];
    const walk = (p: PlanNode): void => {
      out.push({ type: p.operatorType.replace(/@.*$/, ''), details: String(p.arguments?.Details ?? '') });
      for (const c of p.children ?? []) walk(c);
    };
    walk(res.summary.plan as unknown as PlanNode);
    return out;
  } finally {
    await session.close();
  }
}

const HOT: Record<string, { cypher: string; seeks: RegExp[] }> = {
  'trace frontier (a person’s passages)': { cypher: FRONTIER, seeks: [/Passage\(pid, at, leftAt, station, id\)/] },
  'trace candidates (passages of a station cell)': { cypher: CANDIDATES, seeks: [/Passage\(station, span, at, leftAt, pid, id\)/] },
  'trace trust (national-QR passages at the result’s stations)': { cypher: NATIONAL_AT_STATIONS, seeks: [/Passage\(trust, station, at, id\)/] },
  'timeline (a person’s passages)': { cypher: OF_PERSON, seeks: [/Passage\(pid, at, leftAt, station, id\)/] },
  'hotspots (the cases’ passages)': { cypher: HOTSPOTS, seeks: [/Passage\(pid, at, leftAt, station, id\)/] },
  'an officer’s station passages': { cypher: AT_STATION, seeks: [/Passage\(station, span, at, leftAt, pid, id\)/] },
  'scan context (station, replay, code, isolation, newer code, neighbouring scans)': {
    cypher: CONTEXT,
    seeks: [
      /Station\(id\)/,
      /Scan\(id\)/,
      /Declaration\(qrCodeId\)/,
      /Isolation\(pid\)/,
      /Person\(id\)/,
      /Scan\(pid, at\) WHERE pid = pid AND at <= row\.at/,
      /Scan\(pid, at\) WHERE pid = pid AND at > row\.at/,
    ],
  },
  'audit page': { cypher: AUDIT_PAGE, seeks: [/AuditEvent\(chain, seq\)/] },
  'audit verify page': { cypher: VERIFY_PAGE, seeks: [/AuditEvent\(chain, seq\)/] },
};

beforeAll(() => migrate());
afterAll(closeDriver);

describe('hot statements seek their indexes', () => {
  it.each(Object.keys(HOT))('%s', async (name) => {
    const { cypher, seeks } = HOT[name]!;
    // A bare USING INDEX is also met by a scan of the whole index: only SEEK pins the plan,
    // whatever statistics the database has when it plans (which no test can fix in advance).
    expect(cypher.match(/USING INDEX (?!SEEK )/g) ?? []).toEqual([]);
    expect((cypher.match(/USING INDEX SEEK /g) ?? []).length).toBeGreaterThanOrEqual(seeks.length);
    const ops = await operators(cypher);
    expect(ops.filter((o) => WHOLE_READS.test(o.type)).map((o) => `${o.type} ${o.details}`)).toEqual([]);
    const seekDetails = ops.filter((o) => /Seek/.test(o.type)).map((o) => o.details);
    for (const s of seeks) expect(seekDetails.some((d) => s.test(d))).toBe(true);
  });
});
