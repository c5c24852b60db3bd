// One SMTP connection over a Workers TCP socket (cloudflare:sockets): connect, greet,
// EHLO, STARTTLS, AUTH, then messages one at a time. Rewritten from worker-mailer 1.2.1
// (see CHANGES.md): every read ends on close, EOF or error, every timer is cleared,
// each wait has its own bound, STARTTLS is never silently skipped, and a missing
// answer to the final "." is reported as an unknown outcome rather than a failure.
import { connect } from 'cloudflare:sockets';
import { needsSmtpUtf8, wireAddress } from './header-encoding';
import { buildMessageData, type MailMessage } from './mime';

/** How a connection is secured: implicit TLS (465), STARTTLS (587), or plain text. */
export type SmtpSecurity = 'tls' | 'starttls' | 'none';

/** How long each wait may take, in milliseconds. */
export type SmtpTimeouts = {
  // Opening the TCP connection (and, with implicit TLS, its handshake).
  connect: number;
  // The greeting, and each reply to a command.
  reply: number;
  // The reply to the final "." of a message: servers scan it then (RFC 5321 §4.5.3.2.6 allows 10 minutes).
  dataEnd: number;
};

export type SmtpSessionOptions = {
  host: string;
  port: number;
  security: SmtpSecurity;
  credentials?: { username: string; password: string } | undefined;
  timeouts: SmtpTimeouts;
  // The name we give in EHLO.
  clientName?: string;
};

/**
 * What went wrong, as data. `reply`: the server answered with an error code (see
 * `reply`); `unknown_outcome`: the whole message was handed over and no answer came.
 */
export type SmtpErrorKind = 'connect' | 'closed' | 'timeout' | 'tls' | 'starttls_missing' | 'auth' | 'reply' | 'unknown_outcome' | 'protocol';

/** A server's reply: its code, enhanced status (e.g. 5.7.8) when given, and its text. */
export type SmtpReply = { code: number; enhanced: string | null; text: string };

/** The one error type of this client; `phase` says which step it happened in. */
export class SmtpError extends Error {
  constructor(
    readonly kind: SmtpErrorKind,
    readonly phase: string,
    message: string,
    readonly reply: SmtpReply | null = null,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

// A reply longer than this is not SMTP: stop reading rather than buffer without bound.
const MAX_REPLY_BYTES = 64 * 1024;

/** Settles with `work`, or rejects with a timeout after `ms`; the timer is always cleared. */
async function withTimeout<T>(work: Promise<T>, ms: number, phase: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SmtpError('timeout', phase, `no answer within ${Math.round(ms / 1000)} seconds`)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

const encoder = new TextEncoder();

/** Base64 of the UTF-8 bytes (AUTH carries user names and passwords in any script). */
function base64Utf8(text: string): string {
  return btoa(String.fromCharCode(...encoder.encode(text)));
}

/** Reads replies from the socket; every read ends, by a reply, an error, EOF or its timer. */
class ReplyReader {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** The next complete reply (all its continuation lines). */
  next(timeoutMs: number, phase: string): Promise<SmtpReply> {
    return withTimeout(this.read(phase), timeoutMs, phase);
  }

  /** Lets go of the stream (before STARTTLS replaces it). */
  release(): void {
    this.reader.releaseLock();
  }

  /** The next complete reply, without a timer of its own (the caller bounds it). */
  async read(phase: string): Promise<SmtpReply> {
    for (;;) {
      const reply = this.takeReply();
      if (reply) return reply;
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await this.reader.read();
      } catch (err) {
        throw new SmtpError('closed', phase, `the connection broke (${(err as Error).message})`, null, err);
      }
      // Upstream looped here forever without yielding, freezing the whole isolate.
      if (chunk.done) throw new SmtpError('closed', phase, this.buffer ? 'the server closed the connection in the middle of its answer' : 'the server closed the connection');
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
      if (this.buffer.length > MAX_REPLY_BYTES) throw new SmtpError('protocol', phase, 'the server sent an answer too long to be SMTP');
    }
  }

  /** Removes and returns the first complete reply in the buffer, if there is one. */
  private takeReply(): SmtpReply | null {
    const lines: string[] = [];
    let offset = 0;
    for (;;) {
      const end = this.buffer.indexOf('\n', offset);
      if (end < 0) return null;
      const line = this.buffer.slice(offset, end).replace(/\r$/, '');
      offset = end + 1;
      lines.push(line);
      // "250-…" continues; "250 …" (or a bare "250") ends the reply.
      if (!/^\d{3}-/.test(line)) break;
    }
    this.buffer = this.buffer.slice(offset);
    const last = lines.at(-1)!;
    const code = Number(last.slice(0, 3));
    if (!/^\d{3}$/.test(last.slice(0, 3))) throw new SmtpError('protocol', 'reply', `the server's answer is not SMTP: ${JSON.stringify(last.slice(0, 80))}`);
    const text = lines.map((line) => line.slice(4)).join('\n');
    const enhanced = /^([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1] ?? null;
    return { code, enhanced, text };
  }
}

type Capabilities = { startTls: boolean; auth: string[]; smtpUtf8: boolean; pipelining: boolean; size: number | null };

// What an old server without ESMTP offers (and what we assume before EHLO).
const NO_EXTENSIONS: Capabilities = { startTls: false, auth: [], smtpUtf8: false, pipelining: false, size: null };

function parseCapabilities(text: string): Capabilities {
  const lines = text.split('\n').map((line) => line.trim().toUpperCase());
  const auth = lines.filter((line) => /^AUTH[ =]/.test(line)).flatMap((line) => line.slice(5).split(/\s+/));
  const size = Number(lines.find((line) => line.startsWith('SIZE '))?.slice(5));
  return { startTls: lines.includes('STARTTLS'), auth, smtpUtf8: lines.includes('SMTPUTF8'), pipelining: lines.includes('PIPELINING'), size: Number.isFinite(size) && size > 0 ? size : null };
}

/** An open, greeted and (when credentials are given) authenticated SMTP connection. */
export class SmtpSession {
  private socket: Socket;
  private reader!: ReplyReader;
  private writer!: WritableStreamDefaultWriter<Uint8Array>;
  private capabilities: Capabilities = NO_EXTENSIONS;
  private queue: Promise<unknown> = Promise.resolve();
  private broken: SmtpError | null = null;

  private constructor(private readonly options: SmtpSessionOptions) {
    this.socket = connect(
      { hostname: options.host, port: options.port },
      { secureTransport: options.security === 'tls' ? 'on' : options.security === 'starttls' ? 'starttls' : 'off', allowHalfOpen: false },
    );
    this.attach();
  }

  /** Connects and prepares the session; throws an SmtpError saying what failed. */
  static async open(options: SmtpSessionOptions): Promise<SmtpSession> {
    const session = new SmtpSession(options);
    try {
      await session.start();
      return session;
    } catch (err) {
      session.abort();
      throw err;
    }
  }

  private attach(): void {
    this.reader = new ReplyReader(this.socket.readable.getReader());
    this.writer = this.socket.writable.getWriter();
  }

  private async start(): Promise<void> {
    const { timeouts, security } = this.options;
    try {
      await withTimeout(this.socket.opened, timeouts.connect, 'connect');
      await this.expect([220], 'greeting', timeouts.reply);
    } catch (err) {
      const failure = err instanceof SmtpError ? err : new SmtpError('connect', 'connect', `the connection was not accepted (${(err as Error).message})`, null, err);
      // A TLS handshake that fails looks like a refused or dropped connection; a plain connection tells them apart.
      throw security === 'tls' && ['connect', 'closed', 'protocol'].includes(failure.kind) ? await diagnoseImplicitTls(this.options, failure) : failure;
    }
    await this.hello('ehlo');
    if (security === 'starttls') {
      // Never fall back to clear text: the password and the messages would travel unencrypted.
      if (!this.capabilities.startTls) throw new SmtpError('starttls_missing', 'starttls', 'the server does not offer STARTTLS');
      await this.command('STARTTLS', [220], 'starttls');
      this.upgrade();
      await asTlsFailure(true, this.hello('tls'));
    }
    if (this.options.credentials) await this.authenticate(this.options.credentials);
  }

  private upgrade(): void {
    this.reader.release();
    this.writer.releaseLock();
    this.socket = this.socket.startTls();
    this.attach();
  }

  private async hello(phase: string): Promise<void> {
    const name = this.options.clientName ?? 'localhost';
    const [reply] = await this.exchange(`EHLO ${name}\r\n`, [phase], this.options.timeouts.reply);
    if (reply!.code === 250) {
      this.capabilities = parseCapabilities(reply!.text);
      return;
    }
    if (reply!.code === 421) throw this.replyError('ehlo', reply!);
    // An old server without ESMTP: it offers no extensions (so no STARTTLS, no AUTH).
    this.capabilities = NO_EXTENSIONS;
    await this.command(`HELO ${name}`, [250], 'ehlo');
  }

  private async authenticate(credentials: { username: string; password: string }): Promise<void> {
    const offered = this.capabilities.auth;
    if (offered.includes('PLAIN')) {
      await this.command(`AUTH PLAIN ${base64Utf8(`\u0000${credentials.username}\u0000${credentials.password}`)}`, [235], 'auth');
    } else if (offered.includes('LOGIN')) {
      await this.command('AUTH LOGIN', [334], 'auth');
      await this.command(base64Utf8(credentials.username), [334], 'auth');
      await this.command(base64Utf8(credentials.password), [235], 'auth');
    } else if (offered.length) {
      throw new SmtpError('auth', 'auth', `the server offers only ${offered.join(', ')} sign-in, and PLAIN or LOGIN is needed`);
    }
    // A server that offers no AUTH at all relays by address: nothing to sign in to.
  }

  /**
   * Sends one message; resolves with the server's acceptance. Messages on one session
   * go one at a time. After an error other than a plain refusal the session is broken
   * and every later send fails at once.
   */
  send(message: MailMessage): Promise<SmtpReply> {
    const run = this.queue.then(() => this.transact(message));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async transact(message: MailMessage): Promise<SmtpReply> {
    if (this.broken) throw new SmtpError(this.broken.kind === 'unknown_outcome' ? 'closed' : this.broken.kind, 'mail', `the connection is no longer usable (${this.broken.message})`);
    const from = wireAddress(message.from.email);
    const to = wireAddress(message.to.email);
    const utf8 = needsSmtpUtf8(from) || needsSmtpUtf8(to);
    if (utf8 && !this.capabilities.smtpUtf8)
      throw new SmtpError('reply', 'rcpt', `the server cannot take the internationalized address ${to}`, { code: 553, enhanced: '5.6.7', text: 'SMTPUTF8 not offered' });
    const data = buildMessageData(message);
    if (this.capabilities.size && data.length > this.capabilities.size)
      throw new SmtpError('reply', 'mail', `the message is larger than the server takes (${this.capabilities.size} bytes)`, { code: 552, enhanced: '5.3.4', text: 'message too big' });
    try {
      await this.envelope(`MAIL FROM:<${from}>${utf8 ? ' SMTPUTF8' : ''}`, `RCPT TO:<${to}>`);
    } catch (err) {
      await this.resetAfter(err);
      throw err;
    }
    // From here the server may have the message: a missing answer must not lead to a resend.
    try {
      const [reply] = await this.exchange(data, ['data-end'], this.options.timeouts.dataEnd);
      if (reply!.code === 250) return reply!;
      throw this.replyError('data-end', reply!);
    } catch (err) {
      if (err instanceof SmtpError && (err.kind === 'timeout' || err.kind === 'closed' || err.kind === 'protocol')) {
        const unknown = new SmtpError(
          'unknown_outcome',
          'data-end',
          `the whole message was sent but the server ${err.kind === 'timeout' ? 'never confirmed it' : 'closed the connection before confirming it'} (${err.message})`,
          null,
          err,
        );
        this.fail(unknown);
        throw unknown;
      }
      if (err instanceof SmtpError && err.reply?.code === 421) this.fail(err);
      throw err;
    }
  }

  /** After a refused command, RSET makes the session usable for the next message; any other error breaks it. */
  private async resetAfter(err: unknown): Promise<void> {
    if (!(err instanceof SmtpError) || err.kind !== 'reply' || err.reply?.code === 421) {
      this.fail(err instanceof SmtpError ? err : new SmtpError('closed', 'mail', String(err)));
      return;
    }
    try {
      await this.command('RSET', [250], 'rset');
    } catch (reset) {
      this.fail(reset instanceof SmtpError ? reset : new SmtpError('closed', 'rset', String(reset)));
    }
  }

  /** False once an error broke the connection; a refused command followed by RSET leaves it usable. */
  get usable(): boolean {
    return this.broken === null;
  }

  private fail(err: SmtpError): void {
    this.broken ??= err;
    this.abort();
  }

  /** Says QUIT (briefly) and closes; never throws. */
  async close(): Promise<void> {
    if (!this.broken) {
      try {
        await this.exchange('QUIT\r\n', ['quit'], Math.min(this.options.timeouts.reply, 5_000));
      } catch {
        // The server may already be gone: closing is all that is left.
      }
    }
    this.abort();
  }

  /** Drops the connection at once; pending reads end with `closed`. */
  abort(): void {
    this.broken ??= new SmtpError('closed', 'close', 'the connection was closed');
    this.socket.close().catch(() => undefined);
  }

  private async command(line: string, accepted: number[], phase: string): Promise<SmtpReply> {
    const [reply] = await this.exchange(`${line}\r\n`, [phase], this.options.timeouts.reply);
    if (!accepted.includes(reply!.code)) throw this.replyError(phase, reply!);
    return reply!;
  }

  /**
   * MAIL, RCPT and DATA: in one write when the server offers PIPELINING (RFC 2920),
   * saving two round trips a message, else one at a time. Every reply is read before
   * any is judged, so the stream stays in step whichever step was refused.
   */
  private async envelope(mail: string, rcpt: string): Promise<void> {
    const steps: [string, string, number[]][] = [
      [mail, 'mail', [250]],
      [rcpt, 'rcpt', [250, 251]],
      ['DATA', 'data', [354]],
    ];
    if (!this.capabilities.pipelining) {
      for (const [line, phase, accepted] of steps) await this.command(line, accepted, phase);
      return;
    }
    const replies = await this.exchange(
      steps.map(([line]) => `${line}\r\n`).join(''),
      steps.map(([, phase]) => phase),
      this.options.timeouts.reply,
    );
    const refused = steps.findIndex(([, , accepted], i) => !accepted.includes(replies[i]?.code ?? 0));
    if (refused < 0) return;
    // A server that opened DATA although a step before it failed gets an empty message ended.
    if (replies[2]?.code === 354) await this.exchange('.\r\n', ['data-end'], this.options.timeouts.reply);
    throw this.replyError(steps[refused]![1], replies[refused]!);
  }

  private async expect(accepted: number[], phase: string, timeoutMs: number): Promise<SmtpReply> {
    const reply = await this.reader.next(timeoutMs, phase);
    if (!accepted.includes(reply.code)) throw this.replyError(phase, reply);
    return reply;
  }

  private replyError(phase: string, reply: SmtpReply): SmtpError {
    const kind: SmtpErrorKind = phase === 'auth' && [530, 534, 535, 538].includes(reply.code) ? 'auth' : 'reply';
    return new SmtpError(kind, phase, `${reply.code} ${reply.text.replace(/\n/g, ' ')}`.slice(0, 300), reply);
  }

  /**
   * Writes `text` and reads one reply per phase, all under one timer: a server that
   * stops reading (the socket's buffer fills) or stops answering costs `timeoutMs`.
   */
  private exchange(text: string, phases: string[], timeoutMs: number): Promise<SmtpReply[]> {
    const first = phases[0]!;
    const work = async () => {
      try {
        await this.writer.write(encoder.encode(text));
      } catch (err) {
        throw new SmtpError('closed', first, `the connection broke while sending (${(err as Error).message})`, null, err);
      }
      const replies: SmtpReply[] = [];
      for (const phase of phases) {
        try {
          replies.push(await this.reader.read(phase));
        } catch (err) {
          // A server that refused a step and hung up (421) said why before closing: keep that.
          if (replies.some((reply) => reply.code >= 400)) return replies;
          throw err;
        }
      }
      return replies;
    };
    return withTimeout(work(), timeoutMs, phases.at(-1)!);
  }
}

/**
 * Why implicit TLS failed, found by connecting again without TLS: a port that refuses
 * that too is unreachable; one that greets in plain text expects STARTTLS; one that
 * stays silent speaks TLS, so the handshake itself failed (usually the certificate).
 */
async function diagnoseImplicitTls(options: SmtpSessionOptions, failure: SmtpError): Promise<SmtpError> {
  const plain = connect({ hostname: options.host, port: options.port }, { secureTransport: 'off', allowHalfOpen: false });
  try {
    await withTimeout(plain.opened, options.timeouts.connect, 'connect');
  } catch {
    return failure;
  }
  const reader = new ReplyReader(plain.readable.getReader());
  try {
    const greeting = await reader.next(Math.min(options.timeouts.reply, 3_000), 'tls');
    return new SmtpError('tls', 'tls-plaintext-port', `the server greets in plain text on this port (${greeting.code}), so it expects STARTTLS rather than TLS from the first byte`, null, failure);
  } catch {
    return new SmtpError('tls', 'tls', 'the TLS handshake failed: the certificate is not trusted, or the server does not speak TLS', null, failure);
  } finally {
    plain.close().catch(() => undefined);
  }
}

/** During a TLS handshake a dropped or garbled connection means the handshake failed. */
async function asTlsFailure<T>(handshake: boolean, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (handshake && err instanceof SmtpError && (err.kind === 'closed' || err.kind === 'protocol')) throw new SmtpError('tls', 'tls', err.message, null, err);
    throw err;
  }
}
