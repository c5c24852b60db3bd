// Email over SMTP with worker-mailer (Workers TCP sockets): the only code that talks
// to an SMTP server. Errors come back in plain words for the merchant.
import { WorkerMailer } from 'worker-mailer';
import type { SenderErrorKind, SmtpSecurity } from '../db/schema';
import { SECOND } from '../lib/time';

/** Where and how to reach an SMTP server. */
export type SmtpServer = { host: string; port: number; security: SmtpSecurity; username: string | null; password: string | null };

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
 * What the server said, as a merchant can act on it. A 5xx answer is `permanent`
 * (retrying will not help); a 5xx about the mailbox itself is a `hardBounce`.
 */
export type SmtpOutcome = { ok: true; message: string } | { ok: false; message: string; permanent: boolean; hardBounce: boolean; kind: SmtpFailureKind };

/**
 * What failed. The sender's own kinds (SenderErrorKind: auth, tls, starttls_missing,
 * connect, timeout, closed, rejected) say the server or its settings are at fault;
 * `recipient` is about this one address; `unknown_outcome` means the whole message was
 * handed over and no answer came, so the server may have it and it must not be resent.
 */
export type SmtpFailureKind = SenderErrorKind | 'recipient' | 'unknown_outcome';

/** Reads the SMTP reply code out of an error worker-mailer raised (it quotes the server). */
export function classifySmtpError(err: unknown): { code: number | null; permanent: boolean; hardBounce: boolean } {
  const raw = err instanceof Error ? err.message : String(err);
  const code = Number(/\b([245]\d\d)[ -]/.exec(raw)?.[1] ?? NaN);
  if (!Number.isFinite(code)) return { code: null, permanent: false, hardBounce: false };
  // Authentication answers (530, 534, 535) are the sender's setup, not the recipient: worth retrying once it is fixed.
  const permanent = code >= 500 && ![530, 534, 535].includes(code);
  // 550/551/553 with an enhanced status 5.1.x: the mailbox does not exist or its address is bad.
  const hardBounce = permanent && /\b5\.1\.\d\b|user unknown|no such user|mailbox unavailable|does not exist/i.test(raw);
  return { code, permanent, hardBounce };
}

function failure(err: unknown, server: Pick<SmtpServer, 'host' | 'port'>): SmtpOutcome {
  const { permanent, hardBounce } = classifySmtpError(err);
  // Placeholder until the SMTP client reports its own kinds.
  return { ok: false, message: describeSmtpError(err, server), permanent, hardBounce, kind: hardBounce ? 'recipient' : 'rejected' };
}

const TIMEOUT = 15 * SECOND;

function connectOptions(server: SmtpServer) {
  return {
    host: server.host,
    port: server.port,
    secure: server.security === 'tls',
    startTls: server.security === 'starttls',
    ...(server.username ? { credentials: { username: server.username, password: server.password ?? '' }, authType: ['plain', 'login'] as ('plain' | 'login')[] } : {}),
    socketTimeoutMs: TIMEOUT,
    responseTimeoutMs: TIMEOUT,
    logLevel: 4,
  };
}

/** Turns worker-mailer's errors (which quote the server) into a sentence for the Settings page. */
export function describeSmtpError(err: unknown, server: Pick<SmtpServer, 'host' | 'port'>): string {
  const raw = err instanceof Error ? err.message : String(err);
  const where = `${server.host}:${server.port}`;
  if (/authentication|Invalid login|535|534/i.test(raw)) return `The server at ${where} refused the username or password (${raw.replace(/^.*?(\d{3}[ -])/, '$1').slice(0, 160)}).`;
  if (/connect|refused|ECONNREFUSED|network/i.test(raw)) return `Could not connect to ${where}: the server did not accept a connection. Check the host and port (use 465 for TLS or 587 for STARTTLS; port 25 is blocked).`;
  if (/TLS|certificate|handshake/i.test(raw)) return `The secure connection to ${where} failed (${raw.slice(0, 160)}). Check the security setting: TLS on 465, STARTTLS on 587.`;
  if (/Timeout/i.test(raw)) return `${where} did not answer in ${TIMEOUT / SECOND} seconds.`;
  return `The server at ${where} answered: ${raw.slice(0, 200)}`;
}

/** Connects, greets and authenticates, then disconnects: "Test connection". */
export async function testSmtpConnection(server: SmtpServer): Promise<SmtpOutcome> {
  try {
    const mailer = await WorkerMailer.connect(connectOptions(server));
    await mailer.close();
    return { ok: true, message: `Connected to ${server.host}:${server.port}${server.username ? ` and signed in as ${server.username}` : ''}.` };
  } catch (err) {
    return failure(err, server);
  }
}

/**
 * An open connection that sends several emails (one workspace's messages in a batch).
 * `close` says QUIT politely; `abort` just drops the socket, which is the only safe end
 * after a failure: worker-mailer reads a closed socket in a loop that never yields,
 * and servers close the connection after a 421.
 */
export type EmailSession = { send(email: OutgoingEmail): Promise<void>; close(): Promise<void>; abort(): void };

/** Opens a connection to send through. */
export async function openEmailSession(server: SmtpServer): Promise<EmailSession> {
  const mailer = await WorkerMailer.connect(connectOptions(server));
  return {
    send: (email) =>
      mailer.send({
        from: email.from,
        to: email.to,
        ...(email.replyTo ? { reply: email.replyTo } : {}),
        subject: email.subject,
        html: email.html,
        text: email.text,
        ...(email.headers ? { headers: email.headers } : {}),
      }),
    close: () => mailer.close(),
    abort: () => {
      try {
        (mailer as unknown as { socket: Socket }).socket.close();
      } catch {
        // Already closed.
      }
    },
  };
}

/** Sends on an open session, reporting the outcome in plain words. */
export async function sendOnSession(session: EmailSession, server: SmtpServer, email: OutgoingEmail): Promise<SmtpOutcome> {
  try {
    await session.send(email);
    return { ok: true, message: `${server.host}:${server.port} accepted the message for ${email.to.email}.` };
  } catch (err) {
    return failure(err, server);
  }
}

/** Opens a session, reporting a failure to connect or sign in as an outcome. */
export async function tryOpenEmailSession(server: SmtpServer): Promise<{ session: EmailSession } | { outcome: SmtpOutcome }> {
  try {
    return { session: await openEmailSession(server) };
  } catch (err) {
    return { outcome: failure(err, server) };
  }
}

/** Sends one email on its own connection, reporting the outcome in plain words. */
export async function sendOneEmail(server: SmtpServer, email: OutgoingEmail): Promise<SmtpOutcome> {
  const opened = await tryOpenEmailSession(server);
  if ('outcome' in opened) return opened.outcome;
  const outcome = await sendOnSession(opened.session, server, email);
  if (outcome.ok) await opened.session.close().catch(() => undefined);
  else opened.session.abort();
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
