// The sending domain's DNS records: SPF, DKIM and DMARC of the From address's domain
// (the workspace's own sender, or the platform's), looked up through DNS over HTTPS when
// the merchant asks, and kept on the workspace, so pages (the campaign review) read the
// last result without asking DNS on every view.
import { z } from 'zod';
import { type DohResolver, lookupTxt, type TxtLookup } from '../channels/dns-over-https';
import { workspaceSettings } from '../db/schema';
import type { Tenant } from '../db/tenant';
import type { Env } from '../env';
import { SECOND } from '../lib/time';
import { getWorkspace } from '../workspaces/workspaces.service';

/** found: the record is there; missing: DNS says it is not; unknown: the resolver gave no usable answer. */
export const RECORD_STATES = ['found', 'missing', 'unknown'] as const;
export type RecordState = (typeof RECORD_STATES)[number];

/** One check of a domain, as stored and shown. */
export const DomainCheck = z.object({
  domain: z.string(),
  checkedAt: z.number(),
  spf: z.object({ state: z.enum(RECORD_STATES), record: z.string().nullable() }),
  // The selector whose key was found, or the one the merchant gave.
  dkim: z.object({ state: z.enum(RECORD_STATES), selector: z.string().nullable() }),
  dmarc: z.object({ state: z.enum(RECORD_STATES), record: z.string().nullable() }),
  // Why some record could not be checked, in words ("the resolver did not answer in time").
  problem: z.string().nullable(),
});
export type DomainCheck = z.infer<typeof DomainCheck>;

// The selectors the common providers publish their keys under (Google Workspace, Microsoft
// 365, Mailchimp/Mandrill, SendGrid, Postmark, Mailgun and generic set-ups); tried in order,
// one at a time, until one has a key. Bounded: at most this many look-ups for DKIM.
export const COMMON_DKIM_SELECTORS = ['google', 'selector1', 'selector2', 'k1', 's1', 's2', 'default', 'dkim', 'mail', 'pm', 'mx', 'smtp'] as const;

const DEFAULT_DOH_TIMEOUT_MS = 3 * SECOND;
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** The resolver from the vars: DOH_RESOLVER_URL, and DOH_TIMEOUT_SECONDS to shorten the wait (tests). */
export function dohResolverOf(env: Pick<Env, 'DOH_RESOLVER_URL' | 'DOH_TIMEOUT_SECONDS'>): DohResolver {
  const seconds = Number(env.DOH_TIMEOUT_SECONDS);
  return { url: env.DOH_RESOLVER_URL || 'https://cloudflare-dns.com/dns-query', timeoutMs: seconds > 0 ? seconds * SECOND : DEFAULT_DOH_TIMEOUT_MS };
}

/** The domain of an email address, when it is one DNS can be asked about. */
export function domainOfAddress(email: string | null): string | null {
  const domain = email?.split('@')[1]?.trim().toLowerCase();
  return domain && HOSTNAME.test(domain) ? domain : null;
}

type Found = { state: RecordState; record: string | null; problem: string | null };

function firstRecord(lookup: TxtLookup, prefix: RegExp): Found {
  if (!lookup.ok) return { state: 'unknown', record: null, problem: lookup.reason };
  const record = lookup.records.find((value) => prefix.test(value.trim())) ?? null;
  return { state: record ? 'found' : 'missing', record: record?.slice(0, 500) ?? null, problem: null };
}

// A DKIM key record: "v=DKIM1; k=rsa; p=MIGf…" (v= is optional; an empty p= is a revoked key).
const DKIM_KEY = /(?:^|;)\s*p=[A-Za-z0-9+/]/;

/** Looks up SPF, DMARC and DKIM (the given selector, or the common ones) of `domain`. */
export async function checkDomainRecords(resolver: DohResolver, domain: string, selector: string | null, now = Date.now()): Promise<DomainCheck> {
  const [spfLookup, dmarcLookup] = await Promise.all([lookupTxt(resolver, domain), lookupTxt(resolver, `_dmarc.${domain}`)]);
  const spf = firstRecord(spfLookup, /^v=spf1(\s|$)/i);
  const dmarc = firstRecord(dmarcLookup, /^v=DMARC1\s*(;|$)/i);
  let dkim: { state: RecordState; selector: string | null } = { state: 'missing', selector };
  let dkimProblem: string | null = null;
  for (const candidate of selector ? [selector] : COMMON_DKIM_SELECTORS) {
    const lookup = await lookupTxt(resolver, `${candidate}._domainkey.${domain}`);
    if (!lookup.ok) {
      // A resolver that fails once will fail the rest: stop rather than wait out every selector.
      dkim = { state: 'unknown', selector };
      dkimProblem = lookup.reason;
      break;
    }
    if (lookup.records.some((record) => DKIM_KEY.test(record))) {
      dkim = { state: 'found', selector: candidate };
      break;
    }
  }
  return {
    domain,
    checkedAt: now,
    spf: { state: spf.state, record: spf.record },
    dkim,
    dmarc: { state: dmarc.state, record: dmarc.record },
    problem: spf.problem ?? dmarc.problem ?? dkimProblem,
  };
}

/** The domain mail goes out from now: the workspace's own From address with its SMTP server, else the platform's. */
export async function sendingDomainOf(tenant: Tenant, env: Pick<Env, 'PLATFORM_SENDER_EMAIL'>): Promise<{ domain: string | null; platform: boolean }> {
  const [[settings], workspace] = await Promise.all([
    tenant.db.select({ smtpHost: workspaceSettings.smtpHost }).from(workspaceSettings).where(tenant.where(workspaceSettings)).limit(1),
    getWorkspace(tenant),
  ]);
  const own = Boolean(settings?.smtpHost && workspace.senderEmail);
  return { domain: domainOfAddress(own ? workspace.senderEmail : env.PLATFORM_SENDER_EMAIL), platform: !own };
}

/** The last check stored for the workspace, with the DKIM selector the merchant gave; no DNS asked. */
export async function getStoredDomainCheck(tenant: Tenant): Promise<{ check: DomainCheck | null; dkimSelector: string | null }> {
  const [row] = await tenant.db.select({ check: workspaceSettings.domainCheck, dkimSelector: workspaceSettings.dkimSelector }).from(workspaceSettings).where(tenant.where(workspaceSettings)).limit(1);
  let check: DomainCheck | null = null;
  try {
    const parsed = DomainCheck.safeParse(row?.check ? JSON.parse(row.check) : null);
    check = parsed.success ? parsed.data : null;
  } catch {
    check = null;
  }
  return { check, dkimSelector: row?.dkimSelector ?? null };
}

/** Checks the sending domain now (saving the selector given, '' to go back to the common ones) and stores the result. */
export async function runDomainCheck(
  tenant: Tenant,
  env: Pick<Env, 'DOH_RESOLVER_URL' | 'DOH_TIMEOUT_SECONDS' | 'PLATFORM_SENDER_EMAIL'>,
  dkimSelector: string | null,
  now = Date.now(),
): Promise<DomainCheck | null> {
  const { domain } = await sendingDomainOf(tenant, env);
  if (!domain) return null;
  const check = await checkDomainRecords(dohResolverOf(env), domain, dkimSelector, now);
  await tenant.db
    .update(workspaceSettings)
    .set({ domainCheck: JSON.stringify(check), domainCheckedAt: now, dkimSelector, updatedAt: now })
    .where(tenant.where(workspaceSettings));
  return check;
}

/** What a check found missing, in plain words; empty when all three are there. */
export function describeMissingRecords(check: DomainCheck): string[] {
  const missing: string[] = [];
  if (check.spf.state === 'missing') missing.push(`No SPF record: ${check.domain} has no TXT record starting “v=spf1”, so receivers cannot tell which servers may send as it.`);
  if (check.dkim.state === 'missing')
    missing.push(
      check.dkim.selector
        ? `No DKIM key at ${check.dkim.selector}._domainkey.${check.domain}: mail is not signed with a key receivers can find.`
        : `No DKIM key under the common selectors (${COMMON_DKIM_SELECTORS.join(', ')}): enter the selector your provider gave you, or mail is not signed with a key receivers can find.`,
    );
  if (check.dmarc.state === 'missing')
    missing.push(`No DMARC record: _dmarc.${check.domain} has no TXT record starting “v=DMARC1”, so receivers do not know what to do with mail that fails SPF or DKIM.`);
  return missing;
}

/** The records a sending domain lacks that matter most for delivery. */
export type SendingDomainWarning = { domain: string; missing: ('SPF' | 'DKIM')[] };

/** For the campaign review: the domain mail goes out from lacks SPF or DKIM by its last check (null: fine, or not checked). */
export async function sendingDomainWarning(tenant: Tenant, env: Pick<Env, 'PLATFORM_SENDER_EMAIL'>): Promise<SendingDomainWarning | null> {
  const [{ domain }, { check }] = await Promise.all([sendingDomainOf(tenant, env), getStoredDomainCheck(tenant)]);
  // A check of another domain (the sender changed since) says nothing about this one.
  if (!domain || !check || check.domain !== domain) return null;
  const missing = [check.spf.state === 'missing' ? ('SPF' as const) : null, check.dkim.state === 'missing' ? ('DKIM' as const) : null].filter((name) => name !== null);
  return missing.length ? { domain, missing } : null;
}
