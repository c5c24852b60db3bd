// The local mailbox: an SMTP server that catches every message the Worker sends in
// development (PLATFORM_SMTP_URL=smtp://dev:dev@127.0.0.1:2525) and a small web page to
// read them at http://127.0.0.1:8025. Nothing is ever relayed anywhere.
//
//   npm run mailbox                      run it on its own
//   import { startMailbox } from ...     run it inside another script (scripts/start.mjs)
//
// Env: MAILBOX_SMTP_PORT (2525), MAILBOX_HTTP_PORT (8025), MAILBOX_DIR (.mailbox/).
//
// HTTP:  GET /                      the inbox, newest first
//        GET /messages/:id          one message: headers, HTML (in a sandboxed frame), text
//        GET /messages/:id/html     the HTML part alone, sandboxed by its CSP (no script, opaque origin)
//        GET /messages/:id/raw      the .eml as received
//        POST /messages/:id/one-click  do what a mailbox provider does with RFC 8058 headers
//        GET /api/messages          JSON [{ id, from, to, subject, date, receivedAt, headers, html, text }]
//                                   (?to=address keeps only messages to that address)
//        DELETE /api/messages       forget every message (memory and disk)
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const HOST = '127.0.0.1';
const DEFAULT_DIR = fileURLToPath(new URL('../.mailbox/', import.meta.url));
const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

// ---------------------------------------------------------------------------
// Messages: parsed for display, raw kept on disk so they survive restarts.

/** A new message id: receive time first so ids (and file names) sort oldest to newest. */
function newMessageId(receivedAt) {
  return `${receivedAt}-${randomBytes(4).toString('hex')}`;
}

/** Header lines as { lower-case name: value } (a list when the header repeats), unfolded. */
function headersFromLines(headerLines) {
  const headers = {};
  for (const { key, line } of headerLines) {
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    if (key in headers) headers[key] = [].concat(headers[key], value);
    else headers[key] = value;
  }
  return headers;
}

/** mailparser gives one address object, or a list of them when the header repeats. */
function addressText(field) {
  if (!field) return '';
  return []
    .concat(field)
    .map((address) => address.text)
    .join(', ');
}

/** Parses a raw message into what the page and the API show. */
async function parseMessage({ id, raw, receivedAt, envelope }) {
  const parsed = await simpleParser(raw);
  return {
    id,
    from: addressText(parsed.from) || envelope?.mailFrom || '',
    // Without a To header (Bcc-only sends), show who the envelope was addressed to.
    to: addressText(parsed.to) || envelope?.rcptTo?.join(', ') || '',
    subject: parsed.subject ?? '',
    date: new Date(parsed.date?.getTime() || receivedAt).toISOString(),
    receivedAt: new Date(receivedAt).toISOString(),
    headers: headersFromLines(parsed.headerLines),
    html: parsed.html || null,
    text: parsed.text ?? null,
    raw,
  };
}

/** The JSON form of a message: everything except the raw bytes. */
function messageJson({ raw, ...message }) {
  return message;
}

/** Keeps caught messages in memory (newest first) and mirrors each raw .eml into `dir`. */
function createMessageStore(dir, log) {
  let messages = [];

  function emlPath(id) {
    return join(dir, `${id}.eml`);
  }

  async function loadSaved() {
    mkdirSync(dir, { recursive: true });
    const files = readdirSync(dir).filter((name) => name.endsWith('.eml'));
    for (const name of files) {
      const id = name.slice(0, -'.eml'.length);
      const file = join(dir, name);
      // The id starts with the receive time; a hand-copied .eml falls back to its mtime.
      const receivedAt = Number(id.split('-')[0]) || statSync(file).mtimeMs;
      try {
        messages.push(await parseMessage({ id, raw: readFileSync(file), receivedAt }));
      } catch (err) {
        log(`skipped unreadable ${name}: ${err.message}`);
      }
    }
    sortNewestFirst();
  }

  function sortNewestFirst() {
    messages.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || b.id.localeCompare(a.id));
  }

  async function add(raw, envelope) {
    const receivedAt = Date.now();
    const id = newMessageId(receivedAt);
    const message = await parseMessage({ id, raw, receivedAt, envelope });
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(emlPath(id), raw);
    } catch (err) {
      // Still show it; it just will not survive a restart.
      log(`could not save ${id}.eml: ${err.message}`);
    }
    messages.unshift(message);
    sortNewestFirst();
    return message;
  }

  function clear() {
    for (const { id } of messages) {
      try {
        unlinkSync(emlPath(id));
      } catch {
        // Already gone (someone cleaned the folder by hand): nothing to do.
      }
    }
    const count = messages.length;
    messages = [];
    return count;
  }

  return {
    loadSaved,
    add,
    clear,
    list: () => messages,
    get: (id) => messages.find((message) => message.id === id),
  };
}

// ---------------------------------------------------------------------------
// SMTP: accept any login and any message, as a catch-all test server should.

function envelopeOf(session) {
  return {
    mailFrom: session.envelope.mailFrom?.address ?? '',
    rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
  };
}

function createSmtpServer(store, log) {
  return new SMTPServer({
    // Plain SMTP on localhost: no STARTTLS (its built-in self-signed certificate would only
    // trip up clients), and AUTH is offered without TLS so `smtp://dev:dev@...` URLs work.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    authMethods: ['PLAIN', 'LOGIN'],
    size: MAX_MESSAGE_BYTES,
    banner: 'dev mailbox (catches everything, delivers nothing)',
    logger: false,
    // No reverse DNS of 127.0.0.1 clients: pointless here and slow when offline.
    disableReverseLookup: true,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username || 'dev' });
    },
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (chunk) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', async () => {
        if (stream.sizeExceeded) {
          const err = new Error(`message exceeds ${MAX_MESSAGE_BYTES} bytes`);
          err.responseCode = 552;
          return callback(err);
        }
        try {
          const message = await store.add(Buffer.concat(chunks), envelopeOf(session));
          log(`caught "${message.subject}" from ${message.from} to ${message.to}`);
          callback(null, `queued as ${message.id}`);
        } catch (err) {
          log(`could not store a message: ${err.message}`);
          callback(err);
        }
      });
    },
  });
}

// ---------------------------------------------------------------------------
// HTML pages. Every value printed comes from a message someone else wrote: escape it all.

function escapeHtml(value) {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
  :root { color-scheme: light; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; }
  body { margin: 0; background: #f6f8fa; }
  header { display: flex; align-items: center; gap: 16px; padding: 12px 24px; background: #1f2328; color: #fff; }
  header a { color: #fff; text-decoration: none; font-weight: 600; }
  header .spacer { flex: 1; }
  main { max-width: 1100px; margin: 24px auto; padding: 0 24px; }
  table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; }
  th, td { text-align: left; padding: 8px 12px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
  th { background: #f6f8fa; font-weight: 600; }
  tr:last-child td { border-bottom: 0; }
  td.when { white-space: nowrap; color: #57606a; }
  a { color: #0969da; }
  h1 { font-size: 20px; margin: 0 0 12px; }
  h2 { font-size: 15px; margin: 24px 0 8px; }
  .empty { padding: 32px; text-align: center; color: #57606a; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; }
  .headers td:first-child { white-space: nowrap; color: #57606a; width: 1%; }
  .headers td { word-break: break-all; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
  iframe { width: 100%; height: 640px; border: 1px solid #d0d7de; border-radius: 6px; background: #fff; resize: vertical; }
  pre { white-space: pre-wrap; word-break: break-word; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 12px; }
  button { font: inherit; padding: 4px 12px; border-radius: 6px; border: 1px solid #d0d7de; background: #fff; cursor: pointer; }
  header button { background: transparent; color: #fff; border-color: #57606a; }
  .note { color: #57606a; }
  main form { margin: 12px 0; }
`;

function renderPage({ title, body, refreshSeconds }) {
  const refresh = refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${refresh}<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><header><a href="/">Dev mailbox</a><span class="spacer"></span>
<form method="post" action="/clear"><button type="submit">Delete all</button></form></header>
<main>${body}</main></body></html>`;
}

function formatTime(iso) {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function renderInbox(messages) {
  const rows = messages
    .map(
      (m) => `<tr><td class="when">${escapeHtml(formatTime(m.receivedAt))}</td><td>${escapeHtml(m.from)}</td>
<td>${escapeHtml(m.to)}</td><td><a href="/messages/${encodeURIComponent(m.id)}">${escapeHtml(m.subject || '(no subject)')}</a></td></tr>`,
    )
    .join('\n');
  const list = messages.length
    ? `<table><thead><tr><th>Received</th><th>From</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows}</tbody></table>`
    : `<div class="empty">No messages yet. Anything sent to SMTP on 127.0.0.1 lands here.</div>`;
  // The inbox refreshes itself so new mail shows up without reloading by hand.
  return renderPage({ title: `Dev mailbox (${messages.length})`, refreshSeconds: 10, body: `<h1>Inbox (${messages.length})</h1>${list}` });
}

/** The http(s) URL of a List-Unsubscribe header, when the message offers RFC 8058 one-click. */
function oneClickUnsubscribeUrl(headers) {
  const post = [].concat(headers['list-unsubscribe-post'] ?? []).join(' ');
  if (!/List-Unsubscribe=One-Click/i.test(post)) return null;
  const list = [].concat(headers['list-unsubscribe'] ?? []).join(',');
  return [...list.matchAll(/<(https?:[^>]+)>/gi)].map((match) => match[1])[0] ?? null;
}

function renderHeaders(headers) {
  const rows = Object.entries(headers).flatMap(([name, value]) => [].concat(value).map((v) => `<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(v)}</td></tr>`));
  return `<table class="headers"><tbody>${rows.join('\n')}</tbody></table>`;
}

function renderMessage(m) {
  const id = encodeURIComponent(m.id);
  // The HTML comes from its own URL under its own sandbox policy (HTML_PART_HEADERS), not a
  // srcdoc: it then never shares this page's origin, even when opened on its own.
  const html = m.html
    ? `<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer" title="HTML body" src="/messages/${id}/html"></iframe>`
    : '<p class="note">No HTML part.</p>';
  const text = m.text ? `<pre>${escapeHtml(m.text)}</pre>` : '<p class="note">No text part.</p>';
  const oneClick = oneClickUnsubscribeUrl(m.headers)
    ? `<form method="post" action="/messages/${id}/one-click"><button type="submit">Unsubscribe (one-click, as a mailbox provider would)</button></form>`
    : '';
  const body = `<h1>${escapeHtml(m.subject || '(no subject)')}</h1>
<table><tbody>
<tr><th>From</th><td>${escapeHtml(m.from)}</td></tr>
<tr><th>To</th><td>${escapeHtml(m.to)}</td></tr>
<tr><th>Date</th><td>${escapeHtml(m.date)}</td></tr>
<tr><th>Received</th><td>${escapeHtml(formatTime(m.receivedAt))} · <a href="/messages/${id}/raw">raw .eml</a></td></tr>
</tbody></table>
${oneClick}
<h2>HTML</h2>${html}
<h2>Text</h2>${text}
<h2>Headers</h2>${renderHeaders(m.headers)}`;
  return renderPage({ title: m.subject || '(no subject)', body });
}

function renderNotice(title, text) {
  return renderPage({ title, body: `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p><p><a href="/">Back to the inbox</a></p>` });
}

// ---------------------------------------------------------------------------
// HTTP

const SECURITY_HEADERS = {
  // Nothing may run; the only frame is a message's HTML part, from this server.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  // Not no-referrer: with it Chromium sends "Origin: null" on our own forms, and the Origin check refuses them.
  'referrer-policy': 'same-origin',
};

function send(res, status, contentType, body, extraHeaders = {}) {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...SECURITY_HEADERS, ...extraHeaders });
  res.end(body);
}

const sendHtml = (res, status, html) => send(res, status, 'text/html; charset=utf-8', html);

// A message's HTML part: sandboxed by the CSP itself (no script, an opaque origin), framed only
// by our message page. Images may load (open pixels are part of what one wants to try); links
// open in a new tab (base target + allow-popups) so tracked links can be followed by hand.
const HTML_PART_HEADERS = {
  'content-security-policy':
    "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline' *; font-src * data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'",
  'referrer-policy': 'no-referrer',
};
const sendHtmlPart = (res, html) => send(res, 200, 'text/html; charset=utf-8', `<base target="_blank">${html}`, HTML_PART_HEADERS);
const sendJson = (res, status, value) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
const redirect = (res, location) => send(res, 303, 'text/plain', '', { location });

/**
 * Mail here can hold password-reset and login links, so only pages on our own address may
 * read it or change it: the Host check stops DNS rebinding, the Origin check stops other
 * sites' forms from posting here.
 */
function isTrustedRequest(req, httpPort) {
  const allowedHosts = [`127.0.0.1:${httpPort}`, `localhost:${httpPort}`];
  if (!allowedHosts.includes(req.headers.host)) return false;
  const origin = req.headers.origin;
  return req.method === 'GET' || !origin || allowedHosts.some((host) => origin === `http://${host}`);
}

/** Does the RFC 8058 POST a mailbox provider makes for a one-click unsubscribe. */
async function postOneClickUnsubscribe(url) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  return `${url} answered ${response.status} ${response.statusText}`;
}

async function routeRequest(req, res, store, httpPort) {
  if (!isTrustedRequest(req, httpPort)) return send(res, 403, 'text/plain', 'forbidden');
  const url = new URL(req.url, `http://${req.headers.host}`);
  const path = url.pathname;
  const messageMatch = /^\/messages\/([^/]+)(\/raw|\/html|\/one-click)?$/.exec(path);

  if (req.method === 'GET' && path === '/') return sendHtml(res, 200, renderInbox(store.list()));

  if (path === '/api/messages') {
    if (req.method === 'GET') {
      const to = url.searchParams.get('to')?.toLowerCase();
      const messages = store.list().filter((m) => !to || m.to.toLowerCase().includes(to));
      return sendJson(res, 200, messages.map(messageJson));
    }
    if (req.method === 'DELETE') return sendJson(res, 200, { deleted: store.clear() });
    return send(res, 405, 'text/plain', 'method not allowed', { allow: 'GET, DELETE' });
  }

  if (req.method === 'POST' && path === '/clear') {
    store.clear();
    return redirect(res, '/');
  }

  if (messageMatch) {
    const message = store.get(decodeURIComponent(messageMatch[1]));
    if (!message) return sendHtml(res, 404, renderNotice('Not found', 'That message is not in the mailbox (any more).'));
    const action = messageMatch[2];
    if (req.method === 'GET' && !action) return sendHtml(res, 200, renderMessage(message));
    if (req.method === 'GET' && action === '/raw') return send(res, 200, 'message/rfc822', message.raw);
    if (req.method === 'GET' && action === '/html' && message.html) return sendHtmlPart(res, message.html);
    if (req.method === 'POST' && action === '/one-click') {
      const target = oneClickUnsubscribeUrl(message.headers);
      if (!target) return sendHtml(res, 400, renderNotice('No one-click unsubscribe', 'This message has no List-Unsubscribe-Post header.'));
      try {
        return sendHtml(res, 200, renderNotice('One-click unsubscribe sent', await postOneClickUnsubscribe(target)));
      } catch (err) {
        return sendHtml(res, 502, renderNotice('One-click unsubscribe failed', `${target}: ${err.message}`));
      }
    }
  }

  return sendHtml(res, 404, renderNotice('Not found', `Nothing at ${path}.`));
}

function createHttpServer(store, httpPort, log) {
  return createServer((req, res) => {
    routeRequest(req, res, store, httpPort).catch((err) => {
      log(`HTTP ${req.method} ${req.url} failed: ${err.stack ?? err}`);
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error');
      else res.end();
    });
  });
}

// ---------------------------------------------------------------------------

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server) {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Starts the SMTP and HTTP servers on 127.0.0.1; resolves once both listen.
 * Rejects (with err.code 'EADDRINUSE' when a port is taken) and leaves nothing running otherwise.
 */
export async function startMailbox({
  smtpPort = Number(process.env.MAILBOX_SMTP_PORT) || 2525,
  httpPort = Number(process.env.MAILBOX_HTTP_PORT) || 8025,
  dir = process.env.MAILBOX_DIR || DEFAULT_DIR,
  log = (line) => console.log(`[mailbox] ${line}`),
} = {}) {
  const store = createMessageStore(dir, log);
  await store.loadSaved();
  const smtp = createSmtpServer(store, log);
  const http = createHttpServer(store, httpPort, log);
  // Errors on single connections (a client hanging up) are not fatal to the server. Before it
  // listens, errors (a port in use) reject startMailbox instead, so they are not logged twice.
  let smtpListening = false;
  smtp.on('error', (err) => smtpListening && log(`SMTP: ${err.message}`));
  await listen(smtp.server, smtpPort);
  smtpListening = true;
  try {
    await listen(http, httpPort);
  } catch (err) {
    await closeServer(smtp.server);
    throw err;
  }
  return {
    smtpPort,
    httpPort,
    messageCount: () => store.list().length,
    async close() {
      http.closeAllConnections();
      // smtp-server waits up to 30 s for open sessions to end; a dev tool should stop now.
      const smtpClosed = new Promise((resolve) => smtp.close(resolve));
      const waitedEnough = new Promise((resolve) => setTimeout(resolve, 1000).unref());
      await Promise.all([Promise.race([smtpClosed, waitedEnough]), closeServer(http)]);
    },
  };
}

async function runStandalone() {
  const mailbox = await startMailbox();
  console.log(`Dev mailbox: SMTP smtp://dev:dev@${HOST}:${mailbox.smtpPort} (any login works)`);
  console.log(`             web  http://${HOST}:${mailbox.httpPort}  (${mailbox.messageCount()} saved messages)`);
  const stop = async () => {
    await mailbox.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runStandalone().catch((err) => {
    console.error(`Dev mailbox could not start: ${err.message}`);
    process.exit(1);
  });
}
