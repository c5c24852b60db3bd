// The Twilio credentials the local Twilio server (test/global/twilio-server.mjs) accepts,
// shared by the server (Node) and the tests (workerd).

/** The auth token the server takes; any other gets Twilio's 401 (code 20003). */
export const TWILIO_TEST_AUTH_TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

/** An Account SID shaped like Twilio's (the server checks the shape, not the value). */
export const TWILIO_TEST_ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
