// One eligibility rule: the SQL an audience uses and the check at send time agree on
// every combination of address, consent, requirement and suppression, on each channel.
import { env } from 'cloudflare:workers';
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { consentFields, describeSkipReason, eligibleSql, skipReasonOf, type ConsentRequirement } from '../../src/consent/eligibility';
import { openDb } from '../../src/db/client';
import { CONSENT_CHANNELS, CONSENT_STATUSES, contacts } from '../../src/db/schema';
import { insertContact } from '../helpers/data';
import { signUpMerchant } from '../helpers/factories';

let workspaceId: string;
const cases: { id: string; label: string }[] = [];

beforeAll(async () => {
  workspaceId = (await signUpMerchant('Eligibility')).workspaceId;
  let n = 0;
  for (const hasAddress of [true, false])
    for (const emailConsent of CONSENT_STATUSES)
      for (const smsConsent of CONSENT_STATUSES)
        for (const suppressed of [false, true]) {
          n += 1;
          const email = hasAddress ? `eligible-${n}@shop.example` : null;
          const phone = hasAddress ? `+1415555${String(1000 + n)}` : null;
          const id = await insertContact(workspaceId, { email, phone, email_consent: emailConsent, sms_consent: smsConsent });
          // Suppressed on both channels, each list keyed by its own address.
          if (suppressed && email) {
            const suppress = env.DB.prepare("INSERT INTO suppressions (workspace_id, channel, address, reason, created_at) VALUES (?, ?, ?, 'manual', ?)");
            await env.DB.batch([suppress.bind(workspaceId, 'email', email, Date.now()), suppress.bind(workspaceId, 'sms', phone, Date.now())]);
          }
          cases.push({ id, label: `${hasAddress ? 'address' : 'none'}/${emailConsent}/${smsConsent}/${suppressed ? 'suppressed' : 'listed'}` });
        }
});

describe('the eligibility rule', () => {
  for (const channel of CONSENT_CHANNELS)
    for (const requirement of ['opted_in', 'not_opted_out'] as ConsentRequirement[]) {
      it(`agrees in SQL and at send time on ${channel}, ${requirement}`, async () => {
        const db = openDb(env.DB);
        const eligible = new Set(
          (
            await db
              .select({ id: contacts.id })
              .from(contacts)
              .where(and(eq(contacts.workspaceId, workspaceId), eligibleSql(channel, requirement, workspaceId)))
          ).map((row) => row.id),
        );
        const facts = await db
          .select({ id: contacts.id, email: contacts.email, phone: contacts.phone, ...consentFields(channel, workspaceId) })
          .from(contacts)
          .where(eq(contacts.workspaceId, workspaceId));
        expect(facts).toHaveLength(cases.length);
        const types = new Set<string>();
        for (const row of facts) {
          const reason = skipReasonOf(row, channel, requirement);
          if (reason) types.add(reason.type);
          const label = cases.find((c) => c.id === row.id)!.label;
          expect(reason === null, `${label}: ${reason ? describeSkipReason(reason) : 'eligible'}`).toBe(eligible.has(row.id));
        }
        // The channel's own suppression list is read (an SMS opt-out by number, too).
        expect(types).toContain('suppressed');
        // Some of each, or the comparison proves nothing.
        expect(eligible.size).toBeGreaterThan(0);
        expect(eligible.size).toBeLessThan(cases.length);
      });
    }

  it('says why in words, per channel', () => {
    expect(describeSkipReason({ type: 'not_opted_in', channel: 'email', consent: 'not_subscribed' })).toBe('Email consent is "not_subscribed"');
    expect(describeSkipReason({ type: 'unsubscribed', channel: 'sms' })).toBe('SMS consent is "unsubscribed"');
    expect(describeSkipReason({ type: 'no_address', channel: 'sms' })).toBe('The contact has no phone number');
  });
});
