// Email designs: saved only when their Liquid parses, previewed with a sample contact,
// and test-sent through the workspace's sender.
import { desc, eq } from 'drizzle-orm';
import { sendOneEmail, type SmtpOutcome } from '../channels/email';
import { deleteUnlessReferenced } from '../db/client';
import { emailContents } from '../db/schema';
import type { Tenant } from '../db/tenant';
import type { Env } from '../env';
import { notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { publicUrl } from '../lib/public-url';
import { getWorkspace } from '../workspaces/workspaces.service';
import type { EmailContentInput, EmailContentPatch } from './email-contents.schemas';
import { resolveTestSender } from './email-sender.service';
import { buildShopContext, renderEmail, validateEmailTemplate, type EmailTemplate } from './render-email';

/** An email design as pages and the API show it. */
export type EmailContentView = typeof emailContents.$inferSelect;

/** Saves a new design; 400 naming the field when its Liquid does not parse. */
export async function createEmailContent(tenant: Tenant, input: EmailContentInput, now = Date.now()): Promise<EmailContentView> {
  validateEmailTemplate(input);
  const row = tenant.row({ id: newId(now), ...input, createdAt: now, updatedAt: now });
  await tenant.db.insert(emailContents).values(row);
  return row;
}

/** The workspace's designs, newest first. */
export async function listEmailContents(tenant: Tenant): Promise<EmailContentView[]> {
  return tenant.db.select().from(emailContents).where(tenant.where(emailContents)).orderBy(desc(emailContents.createdAt));
}

/** One design; 404 for another workspace's. */
export async function getEmailContent(tenant: Tenant, id: string): Promise<EmailContentView> {
  const [row] = await tenant.db
    .select()
    .from(emailContents)
    .where(tenant.where(emailContents, eq(emailContents.id, id)))
    .limit(1);
  if (!row) throw notFound('Email design');
  return row;
}

/** Changes the fields given, validating the result. */
export async function updateEmailContent(tenant: Tenant, id: string, patch: EmailContentPatch, now = Date.now()): Promise<EmailContentView> {
  const current = await getEmailContent(tenant, id);
  validateEmailTemplate({ subject: patch.subject ?? current.subject, preheader: patch.preheader !== undefined ? patch.preheader : current.preheader, html: patch.html ?? current.html });
  const [row] = await tenant.db
    .update(emailContents)
    .set({ ...patch, updatedAt: now })
    .where(tenant.where(emailContents, eq(emailContents.id, id)))
    .returning();
  return row!;
}

/** Deletes a design. */
export async function deleteEmailContent(tenant: Tenant, id: string): Promise<void> {
  const [row] = await deleteUnlessReferenced(
    tenant.db
      .delete(emailContents)
      .where(tenant.where(emailContents, eq(emailContents.id, id)))
      .returning({ id: emailContents.id }),
    'This design was sent or is chosen by a campaign, so it is kept for their history and cannot be deleted.',
  );
  if (!row) throw notFound('Email design');
}

/** Renders a design for a sample contact, as the preview and test sends show it (with a placeholder unsubscribe link). */
export async function renderSample(tenant: Tenant, template: EmailTemplate, env: Pick<Env, 'PUBLIC_BASE_URL'>) {
  const unsubscribeUrl = publicUrl(env, '/u/sample');
  validateEmailTemplate(template);
  const workspace = await getWorkspace(tenant);
  return renderEmail(template, {
    contact: { first_name: 'Alex', last_name: 'Sample', email: 'alex@example.com' },
    shop: buildShopContext(workspace),
    unsubscribe_url: unsubscribeUrl,
  });
}

/**
 * Sends a design, rendered for the sample contact, to each address (members only: 400
 * naming `pathOf` the first other address, before anything goes out); one outcome each.
 */
export async function testSendEmailContent(tenant: Tenant, env: Env, template: EmailTemplate, to: string[], pathOf: (index: number) => string): Promise<{ to: string; outcome: SmtpOutcome }[]> {
  const rendered = await renderSample(tenant, template, env);
  const sender = await resolveTestSender(tenant, env, to, pathOf);
  const results = [];
  for (const address of to) {
    results.push({ to: address, outcome: await sendOneEmail(sender.server, { from: sender.from, to: { email: address }, replyTo: sender.replyTo, subject: `[Test] ${rendered.subject}`, html: rendered.html, text: rendered.text }) });
  }
  return results;
}
