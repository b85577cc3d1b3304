import neo4j from 'neo4j-driver';
import { connectionSettings } from '../../engine/config';
import { closeDriver, getDriver, readQuery, writeTx } from '../../engine/db/driver';
import { newRunId } from '../helpers/cleanup';

const run = newRunId('rt');

afterAll(async () => {
  await writeTx((tx) => tx.run('MATCH (n:RoutingProbe {run: $run}) DELETE n', { run }));
  await closeDriver();
});

describe('a neo4j:// routing URI', () => {
  it('is what this project connects with', () => {
    expect(connectionSettings().uri).toMatch(/^neo4j(\+s|\+ssc)?:\/\//);
  });

  it('gets a routing table with read and write members from the server', async () => {
    const r = await getDriver().executeQuery('CALL dbms.routing.getRoutingTable({}) YIELD servers RETURN servers', {}, { routing: neo4j.routing.READ });
    const roles = (r.records[0]!.get('servers') as { role: string; addresses: string[] }[]).map((s) => s.role).sort();
    expect(roles).toEqual(['READ', 'ROUTE', 'WRITE']);
  });

  it('writes through write routing and reads the write back through read routing', async () => {
    await writeTx((tx) => tx.run('CREATE (:RoutingProbe {run: $run, at: datetime()})', { run }));
    const n = await readQuery('MATCH (n:RoutingProbe {run: $run}) RETURN count(n) AS n', { run }, (rec: { n: number }) => rec.n);
    expect(n).toEqual([1]);
  });
});

describe('causal consistency across sessions', () => {
  it('hands every session the bookmark of the process\'s last write, so a routed read waits for it', async () => {
    const manager = getDriver().executeQueryBookmarkManager;
    const before = [...(await manager.getBookmarks())];
    await writeTx((tx) => tx.run('CREATE (:RoutingProbe {run: $run, at: datetime()})', { run }));
    const after = [...(await manager.getBookmarks())];
    expect(after.length).toBeGreaterThan(0);
    expect(after).not.toEqual(before);
  });
});
