// Vitest global setup (runs in Node): a real SMTP server on 127.0.0.1 that the Worker
// under test sends to, and a small HTTP API the tests read the parsed messages from.
import { createServer } from 'node:http';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export default async function setup() {
  const SMTP_PORT = Number(process.env.TEST_PORT_BASE ?? 2526);
  const SMTP_API_PORT = SMTP_PORT + 1;
  const messages = [];
  const smtp = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'test' && auth.password === 'test') return callback(null, { user: auth.username });
      const error = new Error('Authentication credentials invalid');
      error.responseCode = 535;
      return callback(error);
    },
    // Recipients named bounce-… do not exist (a hard bounce); tempfail-… are greylisted.
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('bounce-')) return callback(Object.assign(new Error('5.1.1 <' + address.address + '>: user unknown'), { responseCode: 550 }));
      if (address.address.startsWith('tempfail-')) return callback(Object.assign(new Error('4.7.1 greylisted, try again later'), { responseCode: 451 }));
      if (address.address.startsWith('busy-')) return callback(Object.assign(new Error('4.3.2 service not available, closing channel'), { responseCode: 421 }));
      return callback();
    },
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (chunk) => chunks.push(chunk));
      new Promise((resolve, reject) => stream.on('end', resolve).on('error', reject))
        .then(async () => {
          const raw = Buffer.concat(chunks);
          const mail = await simpleParser(raw);
          messages.push({
            // One id per SMTP connection: tests check that a batch reused one.
            connectionId: session.id,
            envelope: { from: session.envelope.mailFrom?.address, to: session.envelope.rcptTo.map((r) => r.address) },
            from: mail.from?.text,
            to: mail.to?.text,
            replyTo: mail.replyTo?.text ?? null,
            subject: mail.subject,
            // Raw header lines (unfolded), as a mail client sees them: mailparser turns some into objects.
            headers: Object.fromEntries(
              mail.headerLines.map(({ key, line }) => [
                key,
                line
                  .slice(line.indexOf(':') + 1)
                  .replace(/\r?\n[ \t]+/g, ' ')
                  .trim(),
              ]),
            ),
            html: mail.html || null,
            text: mail.text ?? null,
            // The header block exactly as it arrived, to check encoding and folding.
            rawHeaders: raw.toString('latin1').split('\r\n\r\n')[0],
          });
          callback();
        })
        .catch(callback);
    },
  });
  // A client dropping its connection mid-session (ECONNRESET) is what some tests do on
  // purpose; unhandled, the server's error event would end the whole test run.
  smtp.on('error', () => {});
  await new Promise((resolve) => smtp.listen(SMTP_PORT, '127.0.0.1', resolve));

  const api = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    res.setHeader('content-type', 'application/json');
    if (req.method === 'DELETE') messages.length = 0;
    const to = url.searchParams.get('to');
    const list = to ? messages.filter((m) => m.envelope.to.includes(to)) : messages;
    res.end(JSON.stringify(list));
  });
  await new Promise((resolve) => api.listen(SMTP_API_PORT, '127.0.0.1', resolve));

  return async () => {
    await new Promise((resolve) => smtp.close(resolve));
    await new Promise((resolve) => api.close(resolve));
  };
}
