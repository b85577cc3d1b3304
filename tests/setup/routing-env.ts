import fs from 'node:fs';
import { connectionSettings, usesLocalNeo4j } from '../../engine/config';
import { localPasswordFile } from '../../engine/db/driver';

// The routing project runs suites against the same server through a `neo4j://` routing URI
// (issue 24 point 4): the driver then asks the server for its routing table and sends reads to
// READ members and writes to the WRITE member, as it would on a cluster.
process.env['TZ'] = 'UTC';
const local = usesLocalNeo4j();
const c = connectionSettings();
const routed = c.uri.replace(/^(bolt|neo4j)(\+s|\+ssc)?:\/\//, (_m, _scheme: string, tls: string | undefined) => `neo4j${tls ?? ''}://`);
if (!routed.startsWith('neo4j')) throw new Error(`cannot make a routing URI from ${c.uri}`);
process.env['NEO4J_URI'] = routed;
process.env['NEO4J_USER'] ??= c.user;
// Setting NEO4J_URI means "not the local server" to the driver, so the local password moves
// into the environment the way an operator would give it.
if (local && process.env['NEO4J_PASSWORD'] === undefined) {
  process.env['NEO4J_PASSWORD'] = fs.readFileSync(localPasswordFile(), 'utf8').trim();
}
