// The `flow-advance` job: runs the enrollments a cron tick claimed and queued, those its
// claim still holds (a repeat, or a message whose claim a later tick took over, runs none).
import { openDb } from '../db/client';
import { forWorkspace } from '../db/tenant';
import type { Env } from '../env';
import type { BatchScope } from '../queues/batch-scope';
import type { FlowAdvanceMessage } from '../queues/messages';
import { advanceClaimedEnrollments, claimedEnrollments } from './flow-advance';

export async function runFlowAdvanceJob(message: FlowAdvanceMessage, env: Env, scope: BatchScope): Promise<void> {
  const tenant = forWorkspace(openDb(env.DB), message.workspaceId);
  const claimed = await claimedEnrollments(tenant, message);
  await advanceClaimedEnrollments(tenant, env, scope, claimed, message.claimedUntil, message.now);
}
