// A batch's SMTP connections to one server ("lanes"), opened on first use and kept in
// the batch scope, so a batch costs a handshake per lane, not per message.
import { openEmailSession, type EmailSession, type OutgoingEmail, type SmtpOutcome, type SmtpServer } from '../channels/email';
import type { BatchScope } from '../queues/batch-scope';

/** A connection of the batch's, and whether it has sent before (a reused one may have been closed by the server meanwhile). */
type Lane = { session: EmailSession; reused: boolean };

/**
 * Sends on one of the batch's connections to this server. A connection the server
 * closed between two messages is reopened once: nothing of the message had been handed
 * over. Any other failure that leaves the connection unusable drops it.
 */
export async function sendOnLane(scope: BatchScope, lane: string, server: SmtpServer, email: OutgoingEmail, retried = false): Promise<SmtpOutcome> {
  const key = `smtp:${lane}:${server.host}:${server.port}:${server.username ?? ''}`;
  let open: Lane;
  try {
    open = await scope.use(
      key,
      async (): Promise<Lane> => {
        const opened = await openEmailSession(server);
        if ('outcome' in opened) throw opened.outcome;
        return { session: opened.session, reused: false };
      },
      ({ session }) => session.close(),
    );
  } catch (outcome) {
    return outcome as SmtpOutcome;
  }
  const outcome = await open.session.send(email);
  if (outcome.ok || open.session.usable) {
    open.reused = true;
    return outcome;
  }
  open.session.abort();
  scope.forget(key);
  return outcome.kind === 'closed' && open.reused && !retried ? sendOnLane(scope, lane, server, email, true) : outcome;
}
