// Which SMTP server and From address a workspace sends with: its own server when
// configured, otherwise the platform's default sender. The password is encrypted
// at rest and never leaves this module in clear except to the SMTP client.
import { eq } from 'drizzle-orm';
import { parseSmtpUrl, sendOneEmail, smtpTimeouts, testSmtpConnection, type SmtpOutcome, type SmtpServer } from '../channels/email';
import { runBatch } from '../db/client';
import { workspaceSettings, workspaces, type SmtpSecurity } from '../db/schema';
import type { Tenant } from '../db/tenant';
import type { Env } from '../env';
import { decryptSecret, encryptSecret } from '../lib/crypto';
import { AppError, type FieldIssue, invalidField } from '../lib/errors';
import { isLoopbackSmtpHost, type SmtpHostPolicy, smtpHostPolicy, smtpHostRefusal, smtpPortRefusal } from '../lib/smtp-host-policy';
import { getWorkspace, type WorkspaceView } from '../workspaces/workspaces.service';
import type { EmailSenderInput } from './email-sender.schemas';
import { describePlatformCap, platformSenderLimits, takePlatformSendPlace } from './platform-sender-limits';
import { assertTestRecipients, getPlatformTrust } from './platform-sender-trust';
import { recordSenderTest, UNTESTED_SENDER } from './sender-health';

/** The workspace's SMTP settings as pages and APIs show them: never the password. */
export type EmailSenderView = {
  configured: boolean;
  host: string | null;
  port: number | null;
  security: SmtpSecurity | null;
  username: string | null;
  hasPassword: boolean;
  fromName: string | null;
  fromEmail: string | null;
  sendRatePerSecond: number | null;
};

/** Everything needed to send as this workspace. */
export type ResolvedSender = {
  server: SmtpServer;
  from: { name?: string | undefined; email: string };
  replyTo: string | null;
  // True when the platform's default sender is used (no workspace SMTP yet).
  platform: boolean;
  // False while the platform sender works for a workspace not yet trusted (see platform-sender-trust.ts):
  // it then reaches only members' verified addresses. Always true on the workspace's own server.
  trusted: boolean;
  // The workspace's send rate limit (messages a second), or null for none.
  perSecond: number | null;
  // The workspace it was resolved for (its name and postal address go in every email).
  workspace: WorkspaceView;
};

async function loadSettings(tenant: Tenant) {
  const [row] = await tenant.db.select().from(workspaceSettings).where(tenant.where(workspaceSettings)).limit(1);
  if (!row) throw new AppError('not_found', 'Workspace settings not found');
  return row;
}

/** The SMTP settings, without the password. */
export async function getEmailSender(tenant: Tenant): Promise<EmailSenderView> {
  const [settings, workspace] = await Promise.all([loadSettings(tenant), getWorkspace(tenant)]);
  return {
    configured: Boolean(settings.smtpHost),
    host: settings.smtpHost,
    port: settings.smtpPort,
    security: settings.smtpSecurity,
    username: settings.smtpUsername,
    hasPassword: Boolean(settings.smtpPasswordCiphertext),
    fromName: workspace.senderName,
    fromEmail: workspace.senderEmail,
    sendRatePerSecond: settings.sendRatePerSecond,
  };
}

/** The platform's vars that say which SMTP servers merchants may use. */
export type SmtpPolicyVars = Pick<Env, 'SMTP_ALLOW_LOOPBACK_HOSTS' | 'SMTP_ALLOWED_PORTS'>;

/** What the platform refuses in these settings: a host or port outside its policy, or plain text without consent. */
function smtpServerIssues(input: EmailSenderInput, policy: SmtpHostPolicy): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const host = smtpHostRefusal(input.host, policy);
  if (host) issues.push({ path: 'host', message: host });
  const port = smtpPortRefusal(input.port, policy);
  if (port) issues.push({ path: 'port', message: port });
  // On this machine plain SMTP never crosses a network; anywhere else the password would.
  if (input.security === 'none' && !isLoopbackSmtpHost(input.host) && !input.acceptPlaintext)
    issues.push({ path: 'acceptPlaintext', message: 'Without TLS or STARTTLS the password and every email travel in clear. Choose TLS or STARTTLS, or confirm that you understand.' });
  return issues;
}

/**
 * Saves the workspace's own SMTP server. A blank password keeps the stored one only for
 * the same host, port and username: the saved password is never sent to a server it
 * was not given for. The sender's state starts over: what failed before was about the
 * settings replaced.
 */
export async function saveEmailSender(tenant: Tenant, env: Pick<Env, 'ENCRYPTION_KEY'> & SmtpPolicyVars, input: EmailSenderInput, now = Date.now()): Promise<void> {
  const issues = smtpServerIssues(input, smtpHostPolicy(env));
  if (issues.length) throw new AppError('invalid_input', issues[0]!.message, { issues });
  const current = await loadSettings(tenant);
  const sameServer = current.smtpHost?.toLowerCase() === input.host.toLowerCase() && current.smtpPort === input.port && (current.smtpUsername ?? undefined) === input.username;
  if (!sameServer && input.password === undefined && input.username)
    throw invalidField('password', 'Enter the password: the server, port or username changed, so the saved password is not sent to it.');
  const password = input.password !== undefined ? { smtpPasswordCiphertext: await encryptSecret(env.ENCRYPTION_KEY, input.password) } : sameServer ? {} : { smtpPasswordCiphertext: null };
  await tenant.db.batch([
    tenant.db
      .update(workspaceSettings)
      .set({
        smtpHost: input.host,
        smtpPort: input.port,
        smtpSecurity: input.security,
        smtpUsername: input.username ?? null,
        ...password,
        sendRatePerSecond: input.sendRatePerSecond ?? null,
        ...UNTESTED_SENDER,
        updatedAt: now,
      })
      .where(tenant.where(workspaceSettings)),
    tenant.db
      .update(workspaces)
      .set({ senderEmail: input.fromEmail, ...(input.fromName !== undefined ? { senderName: input.fromName } : {}), updatedAt: now })
      .where(eq(workspaces.id, tenant.workspaceId)),
  ]);
}

/** Forgets the workspace's SMTP server: mail goes out from the platform sender again. */
export async function removeEmailSender(tenant: Tenant, now = Date.now()): Promise<void> {
  await tenant.db
    .update(workspaceSettings)
    .set({ smtpHost: null, smtpPort: null, smtpSecurity: null, smtpUsername: null, smtpPasswordCiphertext: null, ...UNTESTED_SENDER, updatedAt: now })
    .where(tenant.where(workspaceSettings));
}

// Characters of the workspace's name kept before " via <platform>", so the suffix always shows.
const DISPLAY_NAME_MAX = 60;

/** The From name on the platform sender: the workspace's, then who really sends it. */
export function platformDisplayName(workspaceName: string, platformName: string): string {
  const name = workspaceName.trim();
  const kept = name.length > DISPLAY_NAME_MAX ? `${name.slice(0, DISPLAY_NAME_MAX - 1)}…` : name;
  return `${kept} via ${platformName}`;
}

/** The server and From address to send with now. */
export async function resolveSender(
  tenant: Tenant,
  env: Pick<
    Env,
    | 'ENCRYPTION_KEY'
    | 'PLATFORM_SMTP_URL'
    | 'PLATFORM_SENDER_EMAIL'
    | 'PLATFORM_SENDER_NAME'
    | 'PLATFORM_SENDER_HOURLY_LIMIT'
    | 'PLATFORM_SENDER_DAILY_LIMIT'
    | 'SMTP_REPLY_TIMEOUT_SECONDS'
    | 'SMTP_DATA_TIMEOUT_SECONDS'
    | keyof SmtpPolicyVars
  >,
): Promise<ResolvedSender> {
  const [settings, workspace] = await Promise.all([loadSettings(tenant), getWorkspace(tenant)]);
  const displayName = workspace.senderName ?? workspace.name;
  if (settings.smtpHost && settings.smtpPort && settings.smtpSecurity && workspace.senderEmail) {
    const password = settings.smtpPasswordCiphertext ? await decryptSecret(env.ENCRYPTION_KEY, settings.smtpPasswordCiphertext) : null;
    return {
      server: {
        host: settings.smtpHost,
        port: settings.smtpPort,
        security: settings.smtpSecurity,
        username: settings.smtpUsername,
        password,
        timeouts: smtpTimeouts(env),
        policy: smtpHostPolicy(env),
      },
      from: { name: displayName, email: workspace.senderEmail },
      replyTo: settings.replyToEmail,
      platform: false,
      trusted: true,
      perSecond: settings.sendRatePerSecond,
      workspace,
    };
  }
  // The platform address sends under the store's name with "via <platform>" after it,
  // as mailbox providers show a sender acting for another: a name alone could claim to
  // be anyone. Until trusted, no Reply-To of the workspace's choosing: a phisher's
  // replies would go wherever they liked (and recipients are only members anyway).
  const { trusted } = await getPlatformTrust(tenant);
  return {
    server: { ...parseSmtpUrl(env.PLATFORM_SMTP_URL), timeouts: smtpTimeouts(env) },
    from: { name: platformDisplayName(displayName, env.PLATFORM_SENDER_NAME), email: env.PLATFORM_SENDER_EMAIL },
    replyTo: trusted ? (settings.replyToEmail ?? workspace.senderEmail) : null,
    platform: true,
    trusted,
    perSecond: settings.sendRatePerSecond,
    workspace,
  };
}

type SenderEnv = Parameters<typeof resolveSender>[1];

/**
 * Records a test's outcome as the sender's state, when the test went through the
 * workspace's own server: the state is about that server, which the merchant can fix.
 */
async function recordTest(tenant: Tenant, sender: ResolvedSender, outcome: SmtpOutcome, now: number): Promise<SmtpOutcome> {
  if (!sender.platform) await runBatch(tenant.db, recordSenderTest(tenant, outcome, now));
  return outcome;
}

/** "Test connection": connects and signs in to the sender now, and records what happened. */
export async function testEmailSender(tenant: Tenant, env: SenderEnv, now = Date.now()): Promise<SmtpOutcome> {
  const sender = await resolveSender(tenant, env);
  return recordTest(tenant, sender, await testSmtpConnection(sender.server), now);
}

/**
 * The sender for a test send to `to`, once the addresses pass the test-recipient rule
 * (members only; see assertTestRecipients; 400 naming the field otherwise). On the
 * platform sender each address takes its place under the caps, as a delivery does (429 when reached).
 */
export async function resolveTestSender(tenant: Tenant, env: SenderEnv, to: string[], pathOf: (index: number) => string, now = Date.now()): Promise<ResolvedSender> {
  const sender = await resolveSender(tenant, env);
  await assertTestRecipients(tenant, to, pathOf, !sender.trusted);
  if (!sender.platform) return sender;
  const limits = platformSenderLimits(env);
  for (let i = 0; i < to.length; i++) {
    const cap = await takePlatformSendPlace(tenant, limits, now);
    if (cap) throw new AppError('rate_limited', describePlatformCap(cap), { retryAfterSeconds: Math.ceil((cap.until - now) / 1000) });
  }
  return sender;
}

/** Sends a short test email through the sender now (to a member: 400 on `to` otherwise), and records what happened. */
export async function sendTestEmail(tenant: Tenant, env: SenderEnv, to: string, now = Date.now()): Promise<SmtpOutcome> {
  const sender = await resolveTestSender(tenant, env, [to], () => 'to');
  const via = sender.platform ? 'the platform sender' : sender.server.host;
  const outcome = await sendOneEmail(sender.server, {
    from: sender.from,
    to: { email: to },
    replyTo: sender.replyTo,
    subject: 'Test email from Edge Marketing',
    text: `This is a test sent through ${via}. If you can read it, your email sender works.`,
    html: `<p>This is a test sent through <strong>${via}</strong>.</p><p>If you can read it, your email sender works.</p>`,
  });
  return recordTest(tenant, sender, outcome, now);
}
