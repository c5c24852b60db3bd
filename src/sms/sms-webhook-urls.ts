// The addresses a merchant pastes into Twilio for one workspace: where Twilio posts
// incoming texts (STOP, HELP, replies) and each sent message's status. Built in one
// place, so the settings page, the sender and the webhook routes agree.
import type { Env } from '../env';
import { publicUrl } from '../lib/public-url';

type UrlEnv = Pick<Env, 'PUBLIC_BASE_URL'>;

/** Twilio's "A message comes in" webhook for the workspace. */
export function smsIncomingWebhookUrl(env: UrlEnv, workspaceId: string): string {
  return publicUrl(env, `/webhooks/twilio/${encodeURIComponent(workspaceId)}/sms`);
}

/** The StatusCallback sent with every message of the workspace (delivered, undelivered, failed). */
export function smsStatusCallbackUrl(env: UrlEnv, workspaceId: string): string {
  return publicUrl(env, `/webhooks/twilio/${encodeURIComponent(workspaceId)}/status`);
}
