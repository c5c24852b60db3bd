// Vitest global setup (runs in Node): SMTP servers on 127.0.0.1 that misbehave the way
// real ones do, one fault per port (TEST_PORT_BASE + 10 …), and a small HTTP API on
// its own port that says what each one received (GET /stats, DELETE to reset).
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { faultPorts, faultStatsPort } from './fault-ports';

const base = Number(process.env.TEST_PORT_BASE ?? 2526);
const FAULT_PORTS = faultPorts(base);
// How long the slow servers take to answer the final "." (the tests' data timeout is 5 s).
const SLOW_BEYOND_MS = 8_000;
const SLOW_WITHIN_MS = 3_000;

// How long the idle-dropping server keeps a connection that says nothing.
const IDLE_LIMIT_MS = 1_000;

// Per fault: connections, AUTH commands seen, and the recipients of every message whose data arrived whole.
const emptyStats = () => ({ connections: 0, auth: 0, mail: 0, delivered: [] });
const stats = Object.fromEntries(Object.keys(FAULT_PORTS).map((name) => [name, emptyStats()]));

/**
 * A minimal SMTP dialogue on a socket: greets (unless told not to), answers EHLO with
 * `capabilities` and AUTH with `authReply`, accepts MAIL/RCPT/DATA, and calls
 * `onMessage(recipients, reply)` with each whole message; `reply(line)` answers it and
 * `reply(null)` stays silent.
 */
function converse(socket, fault, { greet = true, capabilities = ['AUTH PLAIN LOGIN'], authReply = '235 2.7.0 Authentication successful', onMessage }) {
  const record = stats[fault];
  record.connections += 1;
  let buffer = '';
  let inData = false;
  let recipients = [];
  const write = (line) => socket.writable && socket.write(`${line}\r\n`);
  socket.on('error', () => undefined);
  if (greet) write('220 fault.test ESMTP');
  socket.on('data', (chunk) => {
    buffer += chunk.toString('latin1');
    for (;;) {
      if (inData) {
        const end = buffer.indexOf('\r\n.\r\n');
        if (end < 0) return;
        buffer = buffer.slice(end + 5);
        inData = false;
        record.delivered.push(...recipients);
        onMessage(recipients, (line) => line && write(line));
        recipients = [];
        continue;
      }
      const newline = buffer.indexOf('\r\n');
      if (newline < 0) return;
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 2);
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'EHLO') {
        const lines = ['fault.test', ...capabilities];
        write(lines.map((text, i) => `250${i === lines.length - 1 ? ' ' : '-'}${text}`).join('\r\n'));
      } else if (verb === 'HELO') write('250 fault.test');
      else if (verb === 'AUTH') {
        record.auth += 1;
        write(authReply);
      } else if (verb === 'MAIL') {
        record.mail += 1;
        write('250 2.1.0 OK');
      } else if (verb === 'RCPT') {
        recipients.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
        write('250 2.1.5 OK');
      } else if (verb === 'DATA') {
        inData = true;
        write('354 End data with <CR><LF>.<CR><LF>');
      } else if (verb === 'RSET' || verb === 'NOOP') write('250 2.0.0 OK');
      else if (verb === 'QUIT') {
        write('221 2.0.0 Bye');
        socket.end();
      } else write('502 5.5.2 Command not recognized');
    }
  });
}

const accept = (reply) => reply('250 2.0.0 OK queued');
const later = (ms, reply) => setTimeout(() => accept(reply), ms).unref();

const behaviours = {
  closeBeforeGreeting: (socket) => socket.destroy(),
  // Answers 250 to the message, then hangs up: the next message on that connection finds it
  // closed. It offers PIPELINING, so the client's batched MAIL/RCPT/DATA meets the closed socket.
  closeAfterAccept: (socket) =>
    converse(socket, 'closeAfterAccept', {
      capabilities: ['PIPELINING', 'AUTH PLAIN LOGIN'],
      onMessage: (_to, reply) => {
        accept(reply);
        socket.end();
      },
    }),
  // Cuts its EHLO reply after the first continuation line.
  closeMidReply: (socket) => {
    socket.on('error', () => undefined);
    socket.write('220 fault.test ESMTP\r\n');
    socket.once('data', () => {
      socket.write('250-fault.test Hello\r\n250-PIPELINING\r\n');
      socket.destroy();
    });
  },
  busyAtConnect: (socket) => {
    socket.on('error', () => undefined);
    socket.end('421 4.3.2 Service not available, closing transmission channel\r\n');
  },
  // Offers AUTH but no STARTTLS: a client set to STARTTLS must stop before AUTH.
  noStartTls: (socket) => converse(socket, 'noStartTls', { onMessage: (_to, reply) => accept(reply) }),
  slowDataEnd: (socket) => converse(socket, 'slowDataEnd', { onMessage: (_to, reply) => later(SLOW_BEYOND_MS, reply) }),
  silent: (socket) => socket.on('error', () => undefined),
  slowButInTime: (socket) => converse(socket, 'slowButInTime', { onMessage: (_to, reply) => later(SLOW_WITHIN_MS, reply) }),
  // Hangs up on a client that says nothing for IDLE_LIMIT_MS, as servers drop idle connections.
  dropsIdle: (socket) => {
    socket.setTimeout(IDLE_LIMIT_MS, () => socket.end('421 4.4.2 Idle too long, closing connection\r\n'));
    converse(socket, 'dropsIdle', { onMessage: (_to, reply) => accept(reply) });
  },
  refusesPassword: (socket) => converse(socket, 'refusesPassword', { authReply: '535 5.7.8 Authentication credentials invalid', onMessage: (_to, reply) => accept(reply) }),
};

export default async function setup() {
  const servers = [];
  const listen = (server, port) => new Promise((resolve) => server.listen(port, '127.0.0.1', resolve)).then(() => servers.push(server));
  for (const [name, behave] of Object.entries(behaviours)) {
    const server = createServer((socket) => behave(socket));
    await listen(server, FAULT_PORTS[name]);
  }
  // Implicit TLS with a certificate no one trusts.
  const tlsDir = new URL('../fixtures/tls/', import.meta.url);
  const selfSigned = createTlsServer({ key: readFileSync(new URL('self-signed.key', tlsDir)), cert: readFileSync(new URL('self-signed.crt', tlsDir)) }, (socket) =>
    converse(socket, 'selfSignedTls', { onMessage: (_to, reply) => accept(reply) }),
  );
  selfSigned.on('tlsClientError', () => undefined);
  await listen(selfSigned, FAULT_PORTS.selfSignedTls);

  const api = createHttpServer((req, res) => {
    if (req.method === 'DELETE') for (const record of Object.values(stats)) Object.assign(record, emptyStats());
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(stats));
  });
  await listen(api, faultStatsPort(base));

  return async () => {
    for (const server of servers) {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    }
  };
}
