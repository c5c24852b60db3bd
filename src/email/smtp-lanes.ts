// A batch's SMTP connections to one server ("lanes"), kept in the batch scope, so a batch
// costs a handshake per lane, not per message. A lane opens on its first send, or ahead
// of it (openLanes) while the batch still reads its deliveries.
import { openEmailSession, smtpFailure, type EmailSession, type OutgoingEmail, type SmtpOutcome, type SmtpServer } from '../channels/email';
import type { BatchScope } from '../queues/batch-scope';

/**
 * A lane as its next send finds it: a connection, and whether it is fresh (opened for
 * this very send; any other may have been closed by the server while it waited), or the
 * outcome of the attempt to open it.
 */
type Lane = { session: EmailSession; fresh: boolean } | { failed: SmtpOutcome };

const laneKey = (lane: string, server: SmtpServer) => `smtp:${lane}:${server.host}:${server.port}:${server.username ?? ''}`;

/**
 * The lane from the scope, opening it if need be. A failure to open is kept as the lane
 * (rather than the scope dropping it), so a lane opened ahead makes one attempt, whose
 * outcome the first send on it reports: a wrong password is tried once, not twice.
 */
function useLane(scope: BatchScope, key: string, server: SmtpServer, fresh: boolean): Promise<Lane> {
  return scope.use(
    key,
    async (): Promise<Lane> => {
      try {
        const opened = await openEmailSession(server);
        return 'outcome' in opened ? { failed: opened.outcome } : { session: opened.session, fresh };
      } catch (err) {
        // Never a rejection: a lane opened ahead has no one waiting on it yet.
        return { failed: smtpFailure(err, server) };
      }
    },
    async (lane) => {
      if ('session' in lane) await lane.session.close();
    },
  );
}

/**
 * Starts opening these lanes to the server without waiting, so their handshakes (TCP,
 * TLS, the greeting, EHLO, AUTH: several round trips to a server anywhere) overlap the
 * batch's claim and reads instead of following them.
 */
export function openLanes(scope: BatchScope, lanes: string[], server: SmtpServer): void {
  for (const lane of lanes) void useLane(scope, laneKey(lane, server), server, false);
}

/**
 * Sends on one of the batch's connections to this server. A connection the server
 * closed while it waited is reopened once. Any other failure that leaves the connection
 * unusable drops it.
 */
export async function sendOnLane(scope: BatchScope, lane: string, server: SmtpServer, email: OutgoingEmail, retried = false): Promise<SmtpOutcome> {
  const key = laneKey(lane, server);
  const open = await useLane(scope, key, server, true);
  if ('failed' in open) {
    // The next message on this lane tries again.
    scope.forget(key);
    return open.failed;
  }
  const outcome = await open.session.send(email);
  if (outcome.ok || open.session.usable) {
    open.fresh = false;
    return outcome;
  }
  open.session.abort();
  scope.forget(key);
  // Hung up on, with a 421 ("closing transmission channel", as servers tell an idle
  // client) or without a word: a reply of 4xx or none means the message was not taken.
  const hungUp = outcome.kind === 'closed' || outcome.code === 421;
  return hungUp && !open.fresh && !retried ? sendOnLane(scope, lane, server, email, true) : outcome;
}
