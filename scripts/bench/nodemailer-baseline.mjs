// The raw SMTP baseline: nodemailer with pooled connections blasting the same sink
// with messages of the same size and shape as the campaign's, as fast as it can.
import net from 'node:net';
import nodemailer from 'nodemailer';

/** Sends `count` messages through a nodemailer pool to `port`; returns messages a second. */
export async function measureNodemailerBaseline({ port, count, html }) {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 5,
    maxMessages: Infinity,
    // Its own sockets with Nagle off: nodemailer's default ones stall ~40 ms a message
    // on delayed ACKs, which would make the baseline ten times too easy to beat.
    getSocket(_options, callback) {
      const socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      socket.once('connect', () => callback(null, { connection: socket }));
      socket.once('error', callback);
    },
  });
  const started = performance.now();
  let next = 0;
  // As many messages in flight as the pool has connections, like a real bulk sender.
  await Promise.all(
    Array.from({ length: 5 }, async () => {
      while (next < count) {
        const i = next++;
        await transport.sendMail({
          from: '"Bench Store" <news@bench.example>',
          to: `baseline${i}@bench.example`,
          subject: `Baseline ${i}`,
          html,
          text: 'Plain text part',
          headers: { 'List-Unsubscribe': '<https://bench.example/u/x>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  return { perSecond: count / seconds, seconds };
}
