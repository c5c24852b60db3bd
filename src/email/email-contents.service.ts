// Email designs: saved only when their Liquid parses, previewed with a sample contact,
// and test-sent through the workspace's sender.
import { desc, eq } from 'drizzle-orm';
import { sendOneEmail, type SmtpOutcome } from '../channels/email';
import { deleteUnlessReferenced, runBatch } from '../db/client';
import { contents, emailContents } from '../db/schema';
import type { Tenant } from '../db/tenant';
import type { Env } from '../env';
import { notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { publicUrl } from '../lib/public-url';
import { recordDesignImages } from '../images/design-images';
import { getWorkspace } from '../workspaces/workspaces.service';
import { EditorProject, type EmailContentInput, type EmailContentPatch } from './email-contents.schemas';
import { resolveTestSender } from './email-sender.service';
import { buildShopContext, renderEmail, validateEmailTemplate, type EmailTemplate } from './render-email';

// An email design is a channel-neutral `contents` row (its name, what deliveries point at)
// and its email body, written together and read as one.
const designColumns = {
  id: contents.id,
  workspaceId: contents.workspaceId,
  name: contents.name,
  subject: emailContents.subject,
  preheader: emailContents.preheader,
  html: emailContents.html,
  createdAt: contents.createdAt,
  updatedAt: contents.updatedAt,
};

/** An email design as lists show it (without the block editor's project, which only the editor needs). */
export type EmailContentView = { id: string; workspaceId: string; name: string; subject: string; preheader: string | null; html: string; createdAt: number; updatedAt: number };

/** One design with the block editor's project its HTML came from (null: HTML written by hand). */
export type EmailDesign = EmailContentView & { project: EditorProject | null };

function selectDesigns(tenant: Tenant) {
  return tenant.db.select(designColumns).from(contents).innerJoin(emailContents, eq(emailContents.id, contents.id));
}

/** A stored project, checked again on the way out: one that no longer passes is dropped, and the editor imports the HTML instead. */
function readProject(stored: string | null): EditorProject | null {
  if (stored === null) return null;
  try {
    const parsed = EditorProject.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Saves a new design; 400 naming the field when its Liquid does not parse. */
export async function createEmailContent(tenant: Tenant, input: EmailContentInput, now = Date.now()): Promise<EmailDesign> {
  validateEmailTemplate(input);
  const { name, project = null, ...body } = input;
  const row = tenant.row({ id: newId(now), name, createdAt: now, updatedAt: now });
  await runBatch(tenant.db, [
    tenant.db.insert(contents).values({ ...row, channel: 'email' }),
    tenant.db.insert(emailContents).values(tenant.row({ id: row.id, ...body, editorProject: project && JSON.stringify(project) })),
    ...recordDesignImages(tenant, row.id, body.html),
  ]);
  return { ...row, ...body, project };
}

/** The workspace's designs, newest first. */
export async function listEmailContents(tenant: Tenant): Promise<EmailContentView[]> {
  return selectDesigns(tenant)
    .where(tenant.where(contents, eq(contents.channel, 'email')))
    .orderBy(desc(contents.createdAt));
}

/** One design with its editor project; 404 for another workspace's. */
export async function getEmailContent(tenant: Tenant, id: string): Promise<EmailDesign> {
  const [row] = await tenant.db
    .select({ ...designColumns, editorProject: emailContents.editorProject })
    .from(contents)
    .innerJoin(emailContents, eq(emailContents.id, contents.id))
    .where(tenant.where(contents, eq(contents.id, id)))
    .limit(1);
  if (!row) throw notFound('Email design');
  const { editorProject, ...design } = row;
  return { ...design, project: readProject(editorProject) };
}

/**
 * Changes the fields given, validating the result. New HTML without a project (written in
 * the HTML view or through the API) drops the old project: the HTML is the design now.
 */
export async function updateEmailContent(tenant: Tenant, id: string, patch: EmailContentPatch, now = Date.now()): Promise<EmailDesign> {
  const current = await getEmailContent(tenant, id);
  const next: EmailDesign = {
    ...current,
    name: patch.name ?? current.name,
    subject: patch.subject ?? current.subject,
    preheader: patch.preheader !== undefined ? patch.preheader : current.preheader,
    html: patch.html ?? current.html,
    project: patch.project !== undefined ? patch.project : patch.html !== undefined ? null : current.project,
    updatedAt: now,
  };
  validateEmailTemplate(next);
  await runBatch(tenant.db, [
    tenant.db
      .update(contents)
      .set({ name: next.name, updatedAt: now })
      .where(tenant.where(contents, eq(contents.id, id))),
    tenant.db
      .update(emailContents)
      .set({ subject: next.subject, preheader: next.preheader, html: next.html, editorProject: next.project && JSON.stringify(next.project) })
      .where(tenant.where(emailContents, eq(emailContents.id, id))),
    ...recordDesignImages(tenant, id, next.html),
  ]);
  return next;
}

/** Deletes a design (its email body goes with it). */
export async function deleteEmailContent(tenant: Tenant, id: string): Promise<void> {
  const [row] = await deleteUnlessReferenced(
    tenant.db
      .delete(contents)
      .where(tenant.where(contents, eq(contents.id, id)))
      .returning({ id: contents.id }),
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
    results.push({
      to: address,
      outcome: await sendOneEmail(sender.server, {
        from: sender.from,
        to: { email: address },
        replyTo: sender.replyTo,
        subject: `[Test] ${rendered.subject}`,
        html: rendered.html,
        text: rendered.text,
      }),
    });
  }
  return results;
}
