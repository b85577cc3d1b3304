/** Stops what global setup started (a container, or the launcher's server if it was not running). */
export default async function globalTeardown(): Promise<void> {
  const neo = globalThis.__truyvetNeo4j;
  globalThis.__truyvetNeo4j = undefined;
  if (neo) await neo.release();
}
