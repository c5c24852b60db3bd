// Pointing a workspace at its own SMTP server, as Settings → Email sender saves it.
import { env } from 'cloudflare:workers';
import type { SmtpSecurity } from '../../src/db/schema';
import { encryptSecret } from '../../src/lib/crypto';

/** Saves the workspace's own SMTP server on 127.0.0.1 (password encrypted as the product stores it). */
export async function useOwnSmtpServer(workspaceId: string, server: { port: number; security?: SmtpSecurity; username?: string; password?: string; senderName?: string }): Promise<void> {
  const password = server.password ?? 'test';
  await env.DB.prepare('UPDATE workspace_settings SET smtp_host = ?, smtp_port = ?, smtp_security = ?, smtp_username = ?, smtp_password_ciphertext = ? WHERE workspace_id = ?')
    .bind('127.0.0.1', server.port, server.security ?? 'none', server.username ?? 'test', await encryptSecret(env.ENCRYPTION_KEY, password), workspaceId)
    .run();
  await env.DB.prepare('UPDATE workspaces SET sender_email = ?, sender_name = ? WHERE id = ?')
    .bind('news@own.example', server.senderName ?? null, workspaceId)
    .run();
}
