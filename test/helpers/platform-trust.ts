// Making a workspace trusted by the platform sender (src/email/platform-sender-trust.ts):
// its owner's email verified and a store connection that has received a signed webhook.
import { env } from 'cloudflare:workers';
import { connectStore } from './store-webhooks';

/** Marks the workspace's owners verified and connects a store that has had an event, as the product records them. */
export async function trustWorkspace(workspaceId: string): Promise<void> {
  const now = Date.now();
  await env.DB.prepare("UPDATE users SET email_verified_at = ? WHERE id IN (SELECT user_id FROM memberships WHERE workspace_id = ? AND role = 'owner')").bind(now, workspaceId).run();
  const connection = await connectStore(workspaceId, 'shopify');
  await env.DB.prepare('UPDATE store_connections SET last_event_at = ? WHERE id = ?').bind(now, connection.id).run();
}
