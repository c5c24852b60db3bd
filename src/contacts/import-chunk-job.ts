// The `import-chunk` job: import one chunk of a contacts CSV.
import type { z } from 'zod';
import { openDb } from '../db/client';
import { forWorkspace } from '../db/tenant';
import type { Env } from '../env';
import type { ImportChunkMessage } from '../queues/messages';
import { importContactChunk } from './contact-imports.service';

/** Imports the chunk a message names; a redelivered message finds it counted and does nothing. */
export async function runImportChunkJob(message: z.infer<typeof ImportChunkMessage>, env: Env): Promise<void> {
  await importContactChunk(forWorkspace(openDb(env.DB), message.workspaceId), message.importId, message.chunkIndex);
}
