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

/** Adds a user with this email as a member of the workspace (verified unless told), as an accepted invitation leaves it. */
export async function addMember(workspaceId: string, email: string, options: { verified?: boolean } = {}): Promise<void> {
  const now = Date.now();
  const userId = `user-${email}`;
  await env.DB.batch([
    env.DB.prepare('INSERT INTO users (id, email, password_hash, email_verified_at, created_at) VALUES (?, ?, ?, ?, ?)').bind(
      userId,
      email,
      'not-a-login',
      options.verified === false ? null : now,
      now,
    ),
    env.DB.prepare("INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, 'editor', ?)").bind(workspaceId, userId, now),
  ]);
}
