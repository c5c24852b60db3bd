// Vitest global setup (runs in Node): the local DNS-over-HTTPS resolver (scripts/dev-doh.mjs)
// on 127.0.0.1:TEST_PORT_BASE + 60, with canned answers per name (see there).
import { startDohServer } from '../../scripts/dev-doh.mjs';

export default async function setup() {
  const server = await startDohServer({ port: Number(process.env.TEST_PORT_BASE ?? 2526) + 60 });
  return () => server.close();
}
