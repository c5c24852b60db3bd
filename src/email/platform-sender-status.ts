// What the pages say about the platform sender before anything is sent: whether it
// reaches customers or only members (and what trust still needs), and how much of the
// hourly and daily caps the workspace has used.
import type { Tenant } from '../db/tenant';
import { resolveSender } from './email-sender.service';
import { getPlatformSenderUsage, platformSenderLimits, type PlatformSenderUsage } from './platform-sender-limits';
import { getPlatformTrust, type PlatformTrust } from './platform-sender-trust';

/** The platform sender's state for a workspace that uses it. */
export type PlatformSenderStatus = { trust: PlatformTrust; usage: PlatformSenderUsage };

/** The platform sender's state, or null when the workspace sends through its own SMTP server. */
export async function getPlatformSenderStatus(tenant: Tenant, env: Parameters<typeof resolveSender>[1], now = Date.now()): Promise<PlatformSenderStatus | null> {
  const sender = await resolveSender(tenant, env);
  if (!sender.platform) return null;
  const [trust, usage] = await Promise.all([getPlatformTrust(tenant), getPlatformSenderUsage(tenant, platformSenderLimits(env), now)]);
  return { trust, usage };
}
