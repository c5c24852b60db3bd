// Bindings, vars and secrets of the Worker (see wrangler.toml), and request variables.
import type { MembershipRole } from './db/schema';
import type { QueueMessage } from './queues/messages';

/** Everything the Worker is bound to. Secrets come from `wrangler secret put` or .dev.vars. */
export interface Env {
  DB: D1Database;
  ASSETS: Fetcher;
  // Images merchants upload for their emails (src/images/), served at /i/<key>.
  IMAGES: R2Bucket;
  EVENTS_QUEUE: Queue<QueueMessage>;
  SENDS_QUEUE: Queue<QueueMessage>;
  IMPORTS_QUEUE: Queue<QueueMessage>;
  CAMPAIGN_TRACKER: DurableObjectNamespace<import('./tracking/campaign-tracker').CampaignTracker>;
  SEND_RATE_LIMITER: DurableObjectNamespace<import('./deliveries/send-rate-limiter').SendRateLimiter>;
  PUBLIC_BASE_URL: string;
  PLATFORM_SENDER_NAME: string;
  PLATFORM_SENDER_EMAIL: string;
  // Caps per workspace on the platform sender, per UTC hour and day (positive integers as text).
  PLATFORM_SENDER_HOURLY_LIMIT: string;
  PLATFORM_SENDER_DAILY_LIMIT: string;
  APP_SECRET: string;
  ENCRYPTION_KEY: string;
  PLATFORM_SMTP_URL: string;
  // An address routed to this Worker (Cloudflare Email Routing), offered as List-Unsubscribe mailto; blank: none.
  UNSUBSCRIBE_MAILBOX?: string;
  // Shorter SMTP waits than the defaults of src/channels/email.ts (tests, local development).
  SMTP_REPLY_TIMEOUT_SECONDS?: string;
  SMTP_DATA_TIMEOUT_SECONDS?: string;
  // Rate limits (src/http/rate-limit.ts, README "Rate limits"): positive integers as text; unset, the defaults there.
  RATE_LIMIT_API_KEY_PER_MINUTE?: string;
  RATE_LIMIT_API_IP_PER_MINUTE?: string;
  RATE_LIMIT_SIGNUP_IP_PER_HOUR?: string;
  RATE_LIMIT_LOGIN_IP_PER_MINUTE?: string;
  RATE_LIMIT_ACCOUNT_EMAILS_PER_HOUR?: string;
  RATE_LIMIT_ACCOUNT_EMAILS_IP_PER_HOUR?: string;
  RATE_LIMIT_TEST_SENDS_PER_HOUR?: string;
  // Merchants' SMTP servers (src/lib/smtp-host-policy.ts): "true" lets them be loopback (local
  // development and tests only); the ports allowed, e.g. "465,587,2525,3200-3299" (default 465,587,2525).
  SMTP_ALLOW_LOOPBACK_HOSTS?: string;
  SMTP_ALLOWED_PORTS?: string;
  // Twilio's REST API origin (src/sms/twilio-client.ts): https://api.twilio.com, or a local stand-in (npm start, tests).
  TWILIO_API_BASE: string;
  // A shorter wait for Twilio's answer than the client's default (tests).
  TWILIO_TIMEOUT_SECONDS?: string;
  // The DNS-over-HTTPS resolver (JSON API) that checks sending domains' SPF, DKIM and DMARC (src/email/sending-domain.ts).
  DOH_RESOLVER_URL: string;
  // A shorter wait for the resolver than the default 3 s (tests).
  DOH_TIMEOUT_SECONDS?: string;
  // Days a finished campaign keeps its message-level rows (src/deliveries/delivery-retention.ts); unset: 180.
  DELIVERY_RETENTION_DAYS?: string;
}

/** The signed-in dashboard user, set by the session middleware. */
export type SessionUser = {
  sessionId: string;
  userId: string;
  email: string;
  workspaceId: string;
  role: MembershipRole;
  // Whether the user confirmed their address through a link mailed to it.
  emailVerified: boolean;
};

/** Hono's type parameter for this app: bindings plus per-request variables. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    // Set on /api/v1 by the API key middleware and on /app by the session middleware.
    workspaceId: string;
    // What the caller may do there: the session's membership role, or the API key's role.
    role: MembershipRole;
    session: SessionUser;
    csrfToken: string;
    // The workspace a checked CSRF token was issued for ('' on signed-out pages); unset on safe requests.
    formWorkspaceId: string;
  };
};
