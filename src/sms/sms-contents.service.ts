// SMS messages (the SMS designs): a name and a Liquid body with the same merge tags as
// email, saved only when the template parses and renders, each shown with what it costs
// (encoding and segments of the text as sent, the opt-out line included).
import { and, desc, eq } from 'drizzle-orm';
import { deleteUnlessReferenced, runBatch } from '../db/client';
import { contents, smsContents } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { buildShopContext, renderTextTemplate, validateTextTemplate } from '../email/render-email';
import { notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { getWorkspace } from '../workspaces/workspaces.service';
import type { SmsContentInput, SmsContentPatch } from './sms-contents.schemas';
import { type SmsCost, smsCostOf, withOptOutLine } from './sms-segments';

// Like an email design: a channel-neutral `contents` row and its SMS body, written together and read as one.
const messageColumns = {
  id: contents.id,
  workspaceId: contents.workspaceId,
  name: contents.name,
  body: smsContents.body,
  createdAt: contents.createdAt,
  updatedAt: contents.updatedAt,
};

/** An SMS message as pages and the API show it. */
export type SmsContentView = { id: string; workspaceId: string; name: string; body: string; cost: SmsCost; createdAt: number; updatedAt: number };

function toView(row: Omit<SmsContentView, 'cost'>): SmsContentView {
  return { ...row, cost: smsCostOf(row.body) };
}

function selectMessages(tenant: Tenant) {
  return tenant.db
    .select(messageColumns)
    .from(contents)
    .innerJoin(smsContents, and(eq(smsContents.id, contents.id), eq(smsContents.workspaceId, contents.workspaceId)));
}

/** Saves a new message; 400 naming `body` when its Liquid does not parse or render. */
export async function createSmsContent(tenant: Tenant, input: SmsContentInput, now = Date.now()): Promise<SmsContentView> {
  validateTextTemplate('body', input.body);
  const row = tenant.row({ id: newId(now), name: input.name, createdAt: now, updatedAt: now });
  await runBatch(tenant.db, [tenant.db.insert(contents).values({ ...row, channel: 'sms' }), tenant.db.insert(smsContents).values(tenant.row({ id: row.id, body: input.body }))]);
  return toView({ ...row, body: input.body });
}

/** The workspace's SMS messages, newest first. */
export async function listSmsContents(tenant: Tenant): Promise<SmsContentView[]> {
  const rows = await selectMessages(tenant)
    .where(tenant.where(contents, eq(contents.channel, 'sms')))
    .orderBy(desc(contents.createdAt));
  return rows.map(toView);
}

/** One message; 404 for another workspace's (or an email design's id). */
export async function getSmsContent(tenant: Tenant, id: string): Promise<SmsContentView> {
  const [row] = await selectMessages(tenant)
    .where(tenant.where(contents, eq(contents.id, id)))
    .limit(1);
  if (!row) throw notFound('SMS message');
  return toView(row);
}

/** Changes the fields given, validating the result. */
export async function updateSmsContent(tenant: Tenant, id: string, patch: SmsContentPatch, now = Date.now()): Promise<SmsContentView> {
  const current = await getSmsContent(tenant, id);
  const name = patch.name ?? current.name;
  const body = patch.body ?? current.body;
  validateTextTemplate('body', body);
  await runBatch(tenant.db, [
    tenant.db
      .update(contents)
      .set({ name, updatedAt: now })
      .where(tenant.where(contents, eq(contents.id, id))),
    tenant.db
      .update(smsContents)
      .set({ body })
      .where(tenant.where(smsContents, eq(smsContents.id, id))),
  ]);
  return toView({ ...current, name, body, updatedAt: now });
}

/** Deletes a message (its body goes with it); 409 while a campaign or delivery points at it. */
export async function deleteSmsContent(tenant: Tenant, id: string): Promise<void> {
  // Read first: the delete below would also remove an email design by its id.
  await getSmsContent(tenant, id);
  const [row] = await deleteUnlessReferenced(
    tenant.db
      .delete(contents)
      .where(tenant.where(contents, eq(contents.id, id), eq(contents.channel, 'sms')))
      .returning({ id: contents.id }),
    'This message was sent or is chosen by a campaign, so it is kept for their history and cannot be deleted.',
  );
  if (!row) throw notFound('SMS message');
}

/** A body rendered for the sample contact, as the preview shows it, with its cost as sent. */
export async function renderSmsSample(tenant: Tenant, body: string): Promise<{ text: string; cost: SmsCost }> {
  const workspace = await getWorkspace(tenant);
  const text = renderTextTemplate('body', body, {
    contact: { first_name: 'Alex', last_name: 'Sample', email: 'alex@example.com' },
    shop: buildShopContext(workspace),
  });
  return { text: withOptOutLine(text), cost: smsCostOf(text) };
}
