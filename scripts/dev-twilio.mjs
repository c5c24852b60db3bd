// A local stand-in for Twilio's Messages API: it answers the Worker's texts the way
// Twilio does (a message resource, or Twilio's error shape) and sends nothing anywhere.
// `npm start` runs it for development (TWILIO_API_BASE points at it); the tests run it
// too (test/global/twilio-server.mjs) with a fixed auth token.
//
//   POST /2010-04-01/Accounts/:AccountSid/Messages.json   form: To, From | MessagingServiceSid, Body, StatusCallback
//   GET  /messages?to=+1…                                 what it received, JSON (every request, answered or not)
//
// Magic To numbers, by how they start (so tests can add digits and keep their own):
// +15005550001… → 400 21211 (invalid number), +15005550009… → 400 21614 (not a mobile),
// +15005550610… → 400 21610 (replied STOP), +15005550500… → 500, +15005550504… → never answers.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const MAGIC_PREFIXES = [
  ['+15005550001', { status: 400, code: 21211, message: (to) => `The 'To' number ${to} is not a valid phone number.` }],
  ['+15005550009', { status: 400, code: 21614, message: (to) => `'To' number ${to} is not a valid mobile number` }],
  ['+15005550610', { status: 400, code: 21610, message: () => 'Attempt to send to unsubscribed recipient' }],
  ['+15005550500', { status: 500, code: 20500, message: () => 'An internal server error has occurred' }],
];
const STALLING_PREFIX = '+15005550504';
const MAX_FORM_BYTES = 64 * 1024;

function twilioError(res, status, code, message) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) reject(new Error('form too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

/** The account SID and token of a Basic authorization header, or null. */
function basicAuth(header) {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { user: decoded.slice(0, colon), token: decoded.slice(colon + 1) } : null;
}

/**
 * Starts the server. `authToken`: the only token accepted (any other is 401 20003); null
 * accepts any. `log`: called with each message accepted.
 */
export async function startTwilioServer({ port, host = '127.0.0.1', authToken = null, log = () => {} }) {
  const received = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/messages') {
      const to = url.searchParams.get('to');
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(to ? received.filter((m) => m.to === to) : received));
    }
    const path = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(url.pathname);
    if (req.method !== 'POST' || !path) return twilioError(res, 404, 20404, 'The requested resource was not found');
    const accountSid = decodeURIComponent(path[1]);
    const auth = basicAuth(req.headers.authorization);
    if (!auth || auth.user !== accountSid || !/^AC[0-9a-f]{32}$/i.test(accountSid) || (authToken !== null && auth.token !== authToken)) return twilioError(res, 401, 20003, 'Authenticate');
    let form;
    try {
      form = await readForm(req);
    } catch {
      return twilioError(res, 413, 20413, 'Request entity too large');
    }
    const message = {
      accountSid,
      to: form.get('To'),
      from: form.get('From'),
      messagingServiceSid: form.get('MessagingServiceSid'),
      body: form.get('Body'),
      statusCallback: form.get('StatusCallback'),
      receivedAt: Date.now(),
      sid: null,
      answered: null,
    };
    received.push(message);
    const answerError = (status, code, text) => {
      message.answered = status;
      twilioError(res, status, code, text);
    };
    if (!message.to) return answerError(400, 21604, "A 'To' phone number is required.");
    if (!/^\+[1-9]\d{6,14}$/.test(message.to)) return answerError(400, 21211, `The 'To' number ${message.to} is not a valid phone number.`);
    if (Boolean(message.from) === Boolean(message.messagingServiceSid)) return answerError(400, 21603, "Give exactly one of 'From' and 'MessagingServiceSid'.");
    if (!message.body) return answerError(400, 21602, 'Message body is required.');
    if (message.body.length > 1600) return answerError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    // Holds the request open: the client's timeout decides.
    if (message.to.startsWith(STALLING_PREFIX)) return;
    const magic = MAGIC_PREFIXES.find(([prefix]) => message.to.startsWith(prefix))?.[1];
    if (magic) return answerError(magic.status, magic.code, magic.message(message.to));
    message.sid = `SM${randomBytes(16).toString('hex')}`;
    message.answered = 201;
    log(message);
    const now = new Date().toUTCString().replace('GMT', '+0000');
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        account_sid: accountSid,
        api_version: '2010-04-01',
        body: message.body,
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: message.from,
        messaging_service_sid: message.messagingServiceSid,
        num_media: '0',
        num_segments: String(Math.ceil(message.body.length / 153) || 1),
        price: null,
        price_unit: 'USD',
        sid: message.sid,
        status: message.messagingServiceSid ? 'accepted' : 'queued',
        subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}/Media.json` },
        to: message.to,
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}.json`,
      }),
    );
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}
