// The workspace a Twilio webhook URL names: the Auth Token that signs its requests, and
// what a keyword reply says.
import { eq } from 'drizzle-orm';
import { workspaceSettings, workspaces } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { decryptSecret } from '../lib/crypto';

/** A workspace's Twilio Auth Token in clear (kept only for the request), and its words for HELP. */
export type TwilioWebhookAccount = { authToken: string; workspaceName: string; helpText: string | null; replyToEmail: string | null };

/** The workspace's Twilio account, or null when it has none (or the workspace does not exist). */
export async function loadTwilioWebhookAccount(tenant: Tenant, encryptionKey: string): Promise<TwilioWebhookAccount | null> {
  const [row] = await tenant.db
    .select({
      ciphertext: workspaceSettings.twilioAuthTokenCiphertext,
      workspaceName: workspaces.name,
      helpText: workspaceSettings.smsHelpText,
      replyToEmail: workspaceSettings.replyToEmail,
    })
    .from(workspaceSettings)
    .innerJoin(workspaces, eq(workspaces.id, workspaceSettings.workspaceId))
    .where(tenant.where(workspaceSettings))
    .limit(1);
  if (!row?.ciphertext) return null;
  try {
    const { ciphertext, ...account } = row;
    return { ...account, authToken: await decryptSecret(encryptionKey, ciphertext) };
  } catch (err) {
    // A token stored under another ENCRYPTION_KEY verifies nothing; the merchant saves it again.
    console.error(JSON.stringify({ level: 'error', workspaceId: tenant.workspaceId, error: `Twilio auth token cannot be decrypted: ${String(err)}` }));
    return null;
  }
}
