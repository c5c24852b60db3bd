// Dead letters: queue messages that exhausted their retries, or could not be read.
// They are written to D1 so that a merchant's logs show what was never done.
import { runBatch, type Db } from '../db/client';
import { deadLetters } from '../db/schema';
import { chunk } from '../lib/chunk';
import { newId } from '../lib/ids';

/** One message to keep. */
export type DeadLetter = {
  queue: string;
  messageId: string;
  body: unknown;
  attempts: number;
  reason: string;
};

// 8 columns a row: 12 rows stay under D1's 100 bound parameters per statement.
const ROWS_PER_INSERT = 12;

function workspaceOf(body: unknown): string | null {
  if (body && typeof body === 'object' && 'workspaceId' in body && typeof body.workspaceId === 'string') return body.workspaceId;
  return null;
}

/** Records dead letters; a message recorded twice (a redelivered DLQ batch) is kept once. */
export async function recordDeadLetters(db: Db, letters: DeadLetter[], now = Date.now()): Promise<void> {
  const rows = letters.map((letter) => ({
    id: newId(now),
    workspaceId: workspaceOf(letter.body),
    queue: letter.queue,
    messageId: letter.messageId,
    body: JSON.stringify(letter.body) ?? 'null',
    attempts: letter.attempts,
    reason: letter.reason.slice(0, 500),
    recordedAt: now,
  }));
  await runBatch(
    db,
    chunk(rows, ROWS_PER_INSERT).map((slice) => db.insert(deadLetters).values(slice).onConflictDoNothing()),
  );
}
