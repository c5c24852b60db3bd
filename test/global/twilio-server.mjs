// Vitest global setup (runs in Node): the local Twilio stand-in (scripts/dev-twilio.mjs)
// on 127.0.0.1:TEST_PORT_BASE + 50, accepting only the test auth token; tests read what
// it received from GET /messages?to=.
import { startTwilioServer } from '../../scripts/dev-twilio.mjs';
import { TWILIO_TEST_AUTH_TOKEN } from './twilio-account';

export default async function setup() {
  const server = await startTwilioServer({ port: Number(process.env.TEST_PORT_BASE ?? 2526) + 50, authToken: TWILIO_TEST_AUTH_TOKEN });
  return () => server.close();
}
