// scratch (not committed): depth-2 traces of the API bench city: passages read vs edges, time split
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import neo4j from 'neo4j-driver';
import { getDriver, closeDriver } from './engine/db/driver';
import { pseudonym } from './engine/identity';
import { trace, contactsFromFrontier } from './engine/trace';
import { drawCases } from './bench/http';

async function main() {
  const file = path.join(os.homedir(), '.cache/truyvet/bench-city-34000/passages.csv');
  const cases = await drawCases(file, 30, 1, 1);
  let tot = { ms: 0, stmt: 0, server: 0, pair: 0, shape: 0, read: 0, edges: 0, people: 0, statements: 0, cells: 0 };
  for (const round of [0, 1]) {
    tot = { ms: 0, stmt: 0, server: 0, pair: 0, shape: 0, read: 0, edges: 0, people: 0, statements: 0, cells: 0 };
    for (const c of cases) {
      const gens: { gen: number; frontier: number; read: number; edges: number; stmt: number; ms: number }[] = [];
      const t0 = performance.now();
      const r = await trace({ f0: pseudonym(c.f0), from: Date.parse(c.from), to: Date.parse(c.to), depth: 2 }, {
        maxContacts: 1_000_000,
        runGeneration: async (q) => {
          const g = { gen: q.generation, frontier: q.frontier.length, read: 0, edges: 0, stmt: 0, ms: 0, server: 0, statements: 0, cells: 0 };
          const g0 = performance.now();
          const session = getDriver().session({ defaultAccessMode: neo4j.session.READ });
          try {
            const edges = await contactsFromFrontier(q, {}, async (cypher, params) => {
              const s0 = performance.now();
              const res = await session.run(cypher, params);
              const recs = res.records;
              g.stmt += performance.now() - s0;
              const sum = res.summary;
              g.server += Number(sum.resultAvailableAfter) + Number(sum.resultConsumedAfter);
              g.statements++;
              if (cypher.includes('$cells')) g.cells += (params['cells'] as unknown[]).length;
              if (cypher.includes('$cells')) for (const rec of recs) g.read += (rec.get(1) as unknown[]).length;
              return recs;
            });
            g.edges = edges.length;
            return edges;
          } finally {
            await session.close();
            g.ms = performance.now() - g0;
            gens.push(g);
          }
        },
      }).catch(() => undefined);
      const ms = performance.now() - t0;
      if (!r) continue;
      const stmt = gens.reduce((s, g) => s + g.stmt, 0);
      const gms = gens.reduce((s, g) => s + g.ms, 0);
      tot.ms += ms; tot.stmt += stmt; tot.server += gens.reduce((s, g) => s + g.server, 0); tot.statements += gens.reduce((s, g) => s + g.statements, 0); tot.cells += gens.reduce((s, g) => s + g.cells, 0); tot.pair += gms - stmt; tot.shape += ms - gms; tot.read += gens.reduce((s, g) => s + g.read, 0); tot.edges += r.contacts.length; tot.people += r.people.length;
      if (round === 1 && r.people.length > 9000) console.log(JSON.stringify({ people: r.people.length, ms: Math.round(ms), gens: gens.map((g) => ({ ...g, stmt: Math.round(g.stmt), ms: Math.round(g.ms) })) }));
    }
  }
  console.log(JSON.stringify(Object.fromEntries(Object.entries(tot).map(([k, v]) => [k, Math.round(v)]))));
  await closeDriver();
}
void main();
