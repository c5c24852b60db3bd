// The benchmarks' SMTP sink: a real SMTP server on 127.0.0.1 (smtp-server) that
// accepts everything, reads each message to its end without parsing it, and counts
// messages per recipient, so a run can report duplicates and losses.
import { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

// smtp-server waits 100 ms before its greeting to catch clients that talk first (an MX
// server's anti-spam pause, as Postfix's postscreen does). The submission servers
// merchants send through (465/587: SES, SendGrid, Gmail, their host's) greet at once.
// With the pause the sink charged the Worker 100 ms for each connection a queue batch
// opens (a workspace's four lanes, every 100 messages) and nodemailer's pool 100 ms five times in
// all: a flow's welcome emails went at 354 a second with it and 635 without, a 30,000
// campaign at 1,197 a second without it.
class GreetingAtOnce extends SMTPConnection {
  init() {
    this._setListeners(() => {
      if (this._server.connections.size > this._server.options.maxClients) return this.send(421, `${this.name} Too many connected clients, try again in a moment`, false);
      this.connectionReady();
    });
  }
}

class SubmissionSink extends SMTPServer {
  connect(socket, socketOptions) {
    const connection = new GreetingAtOnce(this, socket, socketOptions);
    this.connections.add(connection);
    connection.on('error', (err) => this._onError(err));
    connection.on('connect', (data) => this._onClientConnect(data));
    connection.init();
  }
}

/** Starts the sink on `port`; `counts` maps each recipient to the messages it received. */
export async function startSmtpSink(port) {
  const counts = new Map();
  let received = 0;
  let firstAt = null;
  let lastAt = null;
  const server = new SubmissionSink({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // Many connections at once: the Worker and nodemailer pool open several.
    maxClients: 200,
    size: 1024 * 1024,
    onData(stream, session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        const now = performance.now();
        firstAt ??= now;
        lastAt = now;
        received += 1;
        for (const rcpt of session.envelope.rcptTo) counts.set(rcpt.address, (counts.get(rcpt.address) ?? 0) + 1);
        callback();
      });
    },
  });
  // Without this, Nagle's algorithm and delayed ACKs stall every reply by ~40 ms
  // (about 100 messages a second per connection, whoever the client is).
  server.server.on('connection', (socket) => socket.setNoDelay(true));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    counts,
    get received() {
      return received;
    },
    /** When the last message since `reset()` ended (performance.now()), or null. */
    get lastAt() {
      return lastAt;
    },
    /** Messages a second between the first and the last message received since `reset()`. */
    rate() {
      return firstAt === null || lastAt === firstAt ? 0 : ((received - 1) * 1000) / (lastAt - firstAt);
    },
    reset() {
      counts.clear();
      received = 0;
      firstAt = null;
      lastAt = null;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Waits until the sink has `count` messages (or `timeoutMs` passes); returns how many arrived. */
/**
 * What reached the sink for `expected` recipients, where those whose address starts with
 * "optout" must get nothing: extra copies, opted-out recipients reached, and recipients
 * who got nothing.
 */
export function tallySink(sink, expected) {
  let duplicates = 0;
  let unsubscribedReached = 0;
  for (const [address, count] of sink.counts) {
    duplicates += count - 1;
    if (address.startsWith('optout')) unsubscribedReached += 1;
  }
  const reached = sink.counts.size - unsubscribedReached;
  return { duplicates, unsubscribedReached, reached, losses: expected - reached };
}

export async function waitForMessages(sink, count, timeoutMs, label = 'sink') {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let stalledSince = Date.now();
  // Each tenth of the way, the rate over that tenth: a send that slows as it goes shows here.
  const tenth = Math.max(1, Math.ceil(count / 10));
  let mark = { received: 0, at: Date.now() };
  while (sink.received < count && Date.now() < deadline) {
    if (sink.received !== last) {
      last = sink.received;
      stalledSince = Date.now();
    } else if (Date.now() - stalledSince > 60_000) break; // nothing for a minute: report what arrived
    if (sink.received >= mark.received + tenth) {
      const now = Date.now();
      const rate = ((sink.received - mark.received) * 1000) / Math.max(1, now - mark.at);
      console.log(`${label}: ${sink.received.toLocaleString()} of ${count.toLocaleString()} arrived, ${rate.toFixed(0)}/s over the last ${(sink.received - mark.received).toLocaleString()}`);
      mark = { received: sink.received, at: now };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return sink.received;
}
