// Vitest global setup (runs in Node): a real SMTP server on 127.0.0.1 that the Worker
// under test sends to, and a small HTTP API the tests read the parsed messages from.
import { createServer } from 'node:http';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export const SMTP_PORT = 2526;
export const SMTP_API_PORT = 2527;

export default async function setup() {
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
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push({
            envelope: { from: session.envelope.mailFrom?.address, to: session.envelope.rcptTo.map((r) => r.address) },
            from: mail.from?.text,
            to: mail.to?.text,
            replyTo: mail.replyTo?.text ?? null,
            subject: mail.subject,
            headers: Object.fromEntries([...mail.headers].map(([k, v]) => [k, typeof v === 'object' && v !== null && 'text' in v ? v.text : String(v)])),
            html: mail.html || null,
            text: mail.text ?? null,
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise((resolve) => smtp.listen(SMTP_PORT, '127.0.0.1', resolve));

  const api = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (req.method === 'DELETE') messages.length = 0;
    const to = url.searchParams.get('to');
    const list = to ? messages.filter((m) => m.envelope.to.includes(to)) : messages;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(list));
  });
  await new Promise((resolve) => api.listen(SMTP_API_PORT, '127.0.0.1', resolve));

  return async () => {
    await new Promise((resolve) => smtp.close(resolve));
    await new Promise((resolve) => api.close(resolve));
  };
}
