// Which Twilio account and sender a workspace texts with, its quiet hours and SMS click
// window. The auth token is encrypted at rest and never leaves this module in clear
// except to the Twilio client.
import { workspaceSettings } from '../db/schema';
import type { Tenant } from '../db/tenant';
import type { Env } from '../env';
import { decryptSecret, encryptSecret } from '../lib/crypto';
import { AppError, invalidField } from '../lib/errors';
import { DAY } from '../lib/time';
import { getWorkspace, type WorkspaceView } from '../workspaces/workspaces.service';
import { formatMinutes, quietHoursOf, type QuietHours } from './quiet-hours';
import type { SmsSenderInput } from './sms-sender.schemas';
import { smsIncomingWebhookUrl, smsStatusCallbackUrl } from './sms-webhook-urls';
import { sendTwilioMessage, twilioTimeoutMs, type OutgoingSms, type TwilioAccount, type TwilioOutcome } from './twilio-client';

/** The SMS settings as pages and APIs show them: never the auth token. */
export type SmsSenderView = {
  configured: boolean;
  accountSid: string | null;
  hasAuthToken: boolean;
  fromNumber: string | null;
  messagingServiceSid: string | null;
  helpText: string | null;
  defaultCountry: string | null;
  // Most texts a second through the account; null: the sender's default.
  sendRatePerSecond: number | null;
  // "HH:MM", or null when there are no quiet hours.
  quietHoursStart: string | null;
  quietHoursEnd: string | null;
  clickWindowDays: number;
  // What to paste into Twilio: the number's (or service's) incoming-message webhook and the status callback.
  incomingWebhookUrl: string;
  statusCallbackUrl: string;
};

/** Everything needed to text as this workspace. */
export type ResolvedSmsSender = {
  account: TwilioAccount;
  statusCallback: string;
  // The merchant's limit; null: the sender's default.
  sendRatePerSecond: number | null;
  quietHours: QuietHours | null;
  // Its name and address for merge tags, its time zone for quiet hours of contacts without one.
  workspace: WorkspaceView;
};

/** The vars the SMS sender reads. */
export type SmsEnv = Pick<Env, 'ENCRYPTION_KEY' | 'PUBLIC_BASE_URL' | 'TWILIO_API_BASE' | 'TWILIO_TIMEOUT_SECONDS'>;

async function loadSettings(tenant: Tenant) {
  const [row] = await tenant.db.select().from(workspaceSettings).where(tenant.where(workspaceSettings)).limit(1);
  if (!row) throw new AppError('not_found', 'Workspace settings not found');
  return row;
}

/** The SMS settings, without the auth token. */
export async function getSmsSender(tenant: Tenant, env: Pick<Env, 'PUBLIC_BASE_URL'>): Promise<SmsSenderView> {
  const settings = await loadSettings(tenant);
  const quiet = quietHoursOf(settings.quietHoursStart, settings.quietHoursEnd);
  return {
    configured: Boolean(settings.twilioAccountSid && settings.twilioAuthTokenCiphertext && (settings.smsFromNumber || settings.smsMessagingServiceSid)),
    accountSid: settings.twilioAccountSid,
    hasAuthToken: Boolean(settings.twilioAuthTokenCiphertext),
    fromNumber: settings.smsFromNumber,
    messagingServiceSid: settings.smsMessagingServiceSid,
    helpText: settings.smsHelpText,
    defaultCountry: settings.smsDefaultCountry,
    sendRatePerSecond: settings.smsSendRatePerSecond,
    quietHoursStart: quiet ? formatMinutes(quiet.start) : null,
    quietHoursEnd: quiet ? formatMinutes(quiet.end) : null,
    clickWindowDays: Math.round(settings.smsClickWindowMs / DAY),
    incomingWebhookUrl: smsIncomingWebhookUrl(env, tenant.workspaceId),
    statusCallbackUrl: smsStatusCallbackUrl(env, tenant.workspaceId),
  };
}

/**
 * Saves the Twilio account and SMS settings. A blank auth token keeps the stored one only
 * for the same Account SID: a saved token is never sent with another account's SID.
 */
export async function saveSmsSender(tenant: Tenant, env: Pick<Env, 'ENCRYPTION_KEY'>, input: SmsSenderInput, now = Date.now()): Promise<void> {
  const current = await loadSettings(tenant);
  const sameAccount = current.twilioAccountSid?.toLowerCase() === input.accountSid.toLowerCase() && Boolean(current.twilioAuthTokenCiphertext);
  if (input.authToken === undefined && !sameAccount) throw invalidField('authToken', 'Enter the Auth Token of this Twilio account.');
  const token = input.authToken !== undefined ? { twilioAuthTokenCiphertext: await encryptSecret(env.ENCRYPTION_KEY, input.authToken) } : {};
  await tenant.db
    .update(workspaceSettings)
    .set({
      twilioAccountSid: input.accountSid,
      ...token,
      smsFromNumber: input.fromNumber ?? null,
      smsMessagingServiceSid: input.messagingServiceSid ?? null,
      smsHelpText: input.helpText ?? null,
      smsDefaultCountry: input.defaultCountry ?? null,
      smsSendRatePerSecond: input.sendRatePerSecond ?? null,
      quietHoursStart: input.quietHoursStart,
      quietHoursEnd: input.quietHoursEnd,
      smsClickWindowMs: input.clickWindowDays * DAY,
      updatedAt: now,
    })
    .where(tenant.where(workspaceSettings));
}

/** Forgets the Twilio account (texts stop going out); quiet hours and the rest are kept. */
export async function removeSmsSender(tenant: Tenant, now = Date.now()): Promise<void> {
  await tenant.db
    .update(workspaceSettings)
    .set({ twilioAccountSid: null, twilioAuthTokenCiphertext: null, smsFromNumber: null, smsMessagingServiceSid: null, updatedAt: now })
    .where(tenant.where(workspaceSettings));
}

/** The account and sender to text with now, or null when the workspace has none. */
export async function resolveSmsSender(tenant: Tenant, env: SmsEnv): Promise<ResolvedSmsSender | null> {
  const [settings, workspace] = await Promise.all([loadSettings(tenant), getWorkspace(tenant)]);
  const from = settings.smsMessagingServiceSid ? { messagingServiceSid: settings.smsMessagingServiceSid } : settings.smsFromNumber ? { number: settings.smsFromNumber } : null;
  if (!settings.twilioAccountSid || !settings.twilioAuthTokenCiphertext || !from) return null;
  return {
    account: { accountSid: settings.twilioAccountSid, authToken: await decryptSecret(env.ENCRYPTION_KEY, settings.twilioAuthTokenCiphertext), from },
    statusCallback: smsStatusCallbackUrl(env, tenant.workspaceId),
    sendRatePerSecond: settings.smsSendRatePerSecond,
    quietHours: quietHoursOf(settings.quietHoursStart, settings.quietHoursEnd),
    workspace,
  };
}

/** Sends one text through the sender's account, as the channel and the test do. */
export function sendSms(env: SmsEnv, sender: ResolvedSmsSender, sms: OutgoingSms): Promise<TwilioOutcome> {
  return sendTwilioMessage(env.TWILIO_API_BASE, sender.account, sms, twilioTimeoutMs(env));
}

/** "Send test SMS": one short text now, with Twilio's own answer in words. Quiet hours do not apply: a person asked for it. */
export async function sendTestSms(tenant: Tenant, env: SmsEnv, to: string): Promise<TwilioOutcome> {
  const sender = await resolveSmsSender(tenant, env);
  if (!sender) throw invalidField('accountSid', 'Save your Twilio account first: Account SID, Auth Token and a From number or Messaging Service.');
  return sendSms(env, sender, { to, body: `Test message from ${sender.workspace.name}: your SMS sender works.`, statusCallback: sender.statusCallback });
}
