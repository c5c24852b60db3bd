// The `contact-bulk-page` job: one page of a bulk action over a contact filter.
import { openDb } from '../db/client';
import { forWorkspace } from '../db/tenant';
import type { Env } from '../env';
import type { ContactBulkPageMessage } from '../queues/messages';
import { runBulkPage } from './contact-bulk.service';

/** Does the page a message names; a redelivered message finds the job moved on and does nothing. */
export async function runContactBulkPageJob(message: ContactBulkPageMessage, env: Env): Promise<void> {
  await runBulkPage(forWorkspace(openDb(env.DB), message.workspaceId), env, message.jobId, message.afterContactId);
}
