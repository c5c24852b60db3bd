// Email over SMTP (Workers TCP sockets, through the vendored worker-mailer in
// src/vendor/worker-mailer): the only code that talks to an SMTP server. Every
// failure comes back as data (a kind, permanent or not) and a sentence for the merchant.
import type { SenderErrorKind, SmtpSecurity } from '../db/schema';
import { type SmtpHostPolicy, smtpHostRefusal, smtpPortRefusal } from '../lib/smtp-host-policy';
import { SECOND } from '../lib/time';
import { SmtpError, SmtpSession, UnsafeHeaderError, type MailMessage, type SmtpTimeouts } from '../vendor/worker-mailer';

/**
 * Where and how to reach an SMTP server. A merchant's server carries the platform's
 * host policy, checked before every connection (settings saved before the rule, or
 * changed in the database, are caught here too); the platform's own server has none.
 */
export type SmtpServer = {
  host: string;
  port: number;
  security: SmtpSecurity;
  username: string | null;
  password: string | null;
  timeouts?: SmtpTimeouts | undefined;
  policy?: SmtpHostPolicy | undefined;
};

/** One email, ready to go. */
export type OutgoingEmail = {
  from: { name?: string | undefined; email: string };
  to: { name?: string | undefined; email: string };
  replyTo?: string | null | undefined;
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
};

/**
 * What failed. The sender's own kinds (SenderErrorKind: auth, tls, starttls_missing,
 * connect, timeout, closed, rejected) say the server or its settings are at fault;
 * `recipient` is about this one address or message; `unknown_outcome` means the whole
 * message was handed over and no answer came, so the server may have it and it must
 * not be resent.
 */
export type SmtpFailureKind = SenderErrorKind | 'recipient' | 'unknown_outcome';

/**
 * What the server said, as a merchant can act on it. A 5xx answer is `permanent`
 * (retrying will not help); a 5xx about the mailbox itself is a `hardBounce`; `code` is
 * the server's reply code when the failure was its answer.
 */
export type SmtpOutcome = { ok: true; message: string } | { ok: false; message: string; permanent: boolean; hardBounce: boolean; kind: SmtpFailureKind; code?: number };

/**
 * Default waits. A greeting or command reply within 30 s; the reply to the end of a
 * message within 5 minutes: RFC 5321 allows 10, and a queue consumer runs 15 at most,
 * with connecting, signing in and the other lanes' messages to fit around it.
 */
export const DEFAULT_SMTP_TIMEOUTS: SmtpTimeouts = { connect: 15 * SECOND, reply: 30 * SECOND, dataEnd: 5 * 60 * SECOND };

/** The waits, shortened by the optional vars (local development and tests). */
export function smtpTimeouts(vars: { SMTP_REPLY_TIMEOUT_SECONDS?: string | number | undefined; SMTP_DATA_TIMEOUT_SECONDS?: string | number | undefined }): SmtpTimeouts {
  const seconds = (value: string | number | undefined, fallback: number) => (Number(value) > 0 ? Number(value) * SECOND : fallback);
  const reply = seconds(vars.SMTP_REPLY_TIMEOUT_SECONDS, DEFAULT_SMTP_TIMEOUTS.reply);
  return { connect: Math.min(DEFAULT_SMTP_TIMEOUTS.connect, reply), reply, dataEnd: seconds(vars.SMTP_DATA_TIMEOUT_SECONDS, DEFAULT_SMTP_TIMEOUTS.dataEnd) };
}

// Authentication answers are the sender's setup, not the recipient: worth retrying once fixed.
const HARD_BOUNCE = /\b5\.1\.\d\b|user unknown|no such user|mailbox unavailable|does not exist/i;
const PORT_HINT = 'Use 465 with TLS or 587 with STARTTLS (port 25 is blocked).';

function waited(ms: number): string {
  return ms >= 60 * SECOND ? `${Math.round(ms / 60 / SECOND)} minutes` : `${Math.round(ms / SECOND)} seconds`;
}

/** Turns an error of the SMTP client into an outcome: its kind, whether to retry, and what to tell the merchant. */
export function smtpFailure(err: unknown, server: Pick<SmtpServer, 'host' | 'port' | 'security' | 'timeouts'>): Extract<SmtpOutcome, { ok: false }> {
  const where = `${server.host}:${server.port}`;
  const timeouts = server.timeouts ?? DEFAULT_SMTP_TIMEOUTS;
  const fail = (kind: SmtpFailureKind, message: string, permanent = false, hardBounce = false) => ({ ok: false as const, message, permanent, hardBounce, kind });
  if (err instanceof UnsafeHeaderError) return fail('recipient', `Not sent: ${err.message}.`, true);
  if (!(err instanceof SmtpError)) return fail('closed', `Sending through ${where} failed: ${String(err).slice(0, 200)}`);
  switch (err.kind) {
    case 'connect':
      return fail('connect', `Could not connect to ${where}: the server did not accept a connection. Check the host and port. ${PORT_HINT}`);
    case 'timeout':
      if (err.phase === 'connect') return fail('timeout', `${where} did not accept a connection within ${waited(timeouts.connect)}. Check the host and port. ${PORT_HINT}`);
      if (err.phase === 'greeting' && server.security !== 'tls')
        return fail('timeout', `${where} accepted the connection but never greeted within ${waited(timeouts.reply)}. If this port expects TLS from the first byte (usually 465), choose TLS.`);
      return fail('timeout', `${where} stopped answering (${err.phase}): no reply within ${waited(err.phase === 'data-end' ? timeouts.dataEnd : timeouts.reply)}.`);
    case 'closed':
      return fail('closed', `${where} closed the connection (${err.phase}) without an answer. It may be overloaded or limiting connections; the message will be retried.`);
    case 'tls':
      if (err.phase === 'tls-plaintext-port')
        return fail('tls', `The TLS handshake with ${where} failed: the server greets in plain text on port ${server.port}, so it expects STARTTLS. Choose STARTTLS, or use port 465 with TLS.`);
      return fail(
        'tls',
        `The TLS handshake with ${where} failed: the server's certificate is not trusted (self-signed, expired or issued for another name) or the secure connection could not be set up. Use the host name on the certificate, or ask your provider.`,
      );
    case 'starttls_missing':
      return fail(
        'starttls_missing',
        `${where} does not offer STARTTLS, so the password and messages would travel unencrypted; nothing was sent. Use port 465 with TLS if your provider offers it, or check the port.`,
      );
    case 'auth':
      return fail('auth', `Your SMTP server ${where} refused the username or password: ${err.message}`);
    case 'unknown_outcome':
      return fail('unknown_outcome', `${where} was handed the whole message but ${err.message.replace(/^the whole message was sent but the server /, '')}. It was not resent, to avoid a duplicate.`);
    case 'protocol':
      return fail('rejected', `${where} does not answer like an SMTP server: ${err.message}.`);
    case 'reply': {
      const code = err.reply?.code ?? 0;
      const permanent = code >= 500;
      const text = `${where} answered: ${err.message}`;
      const replied = (outcome: Extract<SmtpOutcome, { ok: false }>) => ({ ...outcome, code });
      if (err.phase === 'rcpt' || err.phase === 'data-end') return replied(fail('recipient', text, permanent, permanent && err.phase === 'rcpt' && HARD_BOUNCE.test(err.message)));
      // The server refused us (busy at the greeting, or the From address): the sender's problem, retried.
      return replied(fail('rejected', code === 421 ? `${where} is not taking mail now: ${err.message}. It will be retried.` : text, permanent && err.phase === 'mail'));
    }
  }
}

/** An open connection that sends several emails (one workspace's messages in a batch). */
export type EmailSession = {
  send(email: OutgoingEmail): Promise<SmtpOutcome>;
  // QUIT politely; never throws.
  close(): Promise<void>;
  // Drop the connection at once (after a failure the server may have closed it).
  abort(): void;
  // False once a failure left the connection unusable (a refused recipient leaves it usable).
  readonly usable: boolean;
};

function toMessage(email: OutgoingEmail): MailMessage {
  return {
    from: email.from,
    to: email.to,
    replyTo: email.replyTo ? { email: email.replyTo } : undefined,
    subject: email.subject,
    html: email.html,
    text: email.text,
    headers: email.headers,
  };
}

/** Connects, greets, secures and signs in; a failure comes back as an outcome. */
export async function openEmailSession(server: SmtpServer): Promise<{ session: EmailSession } | { outcome: Extract<SmtpOutcome, { ok: false }> }> {
  const refusal = server.policy ? (smtpHostRefusal(server.host, server.policy) ?? smtpPortRefusal(server.port, server.policy)) : null;
  // Refused before any packet leaves: nothing from that address can reach the merchant.
  if (refusal) return { outcome: { ok: false, message: `Not connecting to ${server.host}:${server.port}. ${refusal}`, permanent: false, hardBounce: false, kind: 'connect' } };
  let smtp: SmtpSession;
  try {
    smtp = await SmtpSession.open({
      host: server.host,
      port: server.port,
      security: server.security,
      credentials: server.username ? { username: server.username, password: server.password ?? '' } : undefined,
      timeouts: server.timeouts ?? DEFAULT_SMTP_TIMEOUTS,
    });
  } catch (err) {
    return { outcome: smtpFailure(err, server) };
  }
  return {
    session: {
      send: async (email) => {
        try {
          await smtp.send(toMessage(email));
          return { ok: true, message: `${server.host}:${server.port} accepted the message for ${email.to.email}.` };
        } catch (err) {
          return smtpFailure(err, server);
        }
      },
      close: () => smtp.close(),
      abort: () => smtp.abort(),
      get usable() {
        return smtp.usable;
      },
    },
  };
}

/** Connects, greets and authenticates, then disconnects: "Test connection". */
export async function testSmtpConnection(server: SmtpServer): Promise<SmtpOutcome> {
  const opened = await openEmailSession(server);
  if ('outcome' in opened) return opened.outcome;
  await opened.session.close();
  const secured = server.security === 'none' ? ' (without encryption)' : server.security === 'tls' ? ' over TLS' : ' with STARTTLS';
  return { ok: true, message: `Connected to ${server.host}:${server.port}${secured}${server.username ? ` and signed in as ${server.username}` : ''}.` };
}

/** Sends one email on its own connection, reporting the outcome in plain words. */
export async function sendOneEmail(server: SmtpServer, email: OutgoingEmail): Promise<SmtpOutcome> {
  const opened = await openEmailSession(server);
  if ('outcome' in opened) return opened.outcome;
  const outcome = await opened.session.send(email);
  await opened.session.close();
  return outcome;
}

/** Reads `smtp(s)://user:pass@host:port` (the platform sender's secret). */
export function parseSmtpUrl(url: string): SmtpServer {
  const parsed = new URL(url);
  const implicitTls = parsed.protocol === 'smtps:';
  const port = Number(parsed.port || (implicitTls ? 465 : 587));
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  return {
    host: parsed.hostname,
    port,
    // Plain SMTP only to a local server (the dev mailbox); anything else upgrades with STARTTLS.
    security: implicitTls ? 'tls' : local ? 'none' : 'starttls',
    username: parsed.username ? decodeURIComponent(parsed.username) : null,
    password: parsed.password ? decodeURIComponent(parsed.password) : null,
  };
}
