// Marketing → Email designs (mounted at /app/marketing/designs).
import { refuseIfFlowsSend } from '../flows/flow-contents';
import { Hono, type Context } from 'hono';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { EmailDesignEditor, EmailDesignsList, type Starter } from '../dashboard/pages/email-designs-pages';
import { renderAppPage } from '../dashboard/render';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { testSendRateLimit } from '../http/rate-limit';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { untrustedHtmlResponse } from '../http/security-headers';
import { parseOrThrow, validate } from '../http/validate';
import { formatMoney } from '../lib/money';
import { listProducts } from '../stores/product-reads';
import { getWorkspace } from '../workspaces/workspaces.service';
import { EmailContentInput, EmailPreviewInput, TestSendInput } from './email-contents.schemas';
import { loadStarters, starterContent } from './starter-templates';
import { createEmailContent, deleteEmailContent, getEmailContent, listEmailContents, renderSample, testSendEmailContent, updateEmailContent } from './email-contents.service';

// The product block offers this many of the newest products (a picker, not a catalogue browser).
const PRODUCT_CHOICES = 100;

function renderEditor(c: Context<AppEnv>, props: Omit<Parameters<typeof EmailDesignEditor>[0], 'csrfToken'>, status: 200 | 400 = 200) {
  return renderAppPage(c, { title: props.design.name, section: 'marketing', body: <EmailDesignEditor csrfToken={c.get('csrfToken')} {...props} /> }, status);
}

export const emailContentRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const tenant = tenantOf(c);
    const [designs, workspace, starters] = await Promise.all([listEmailContents(tenant), getWorkspace(tenant), loadStarters(c.env.ASSETS, c.req.url)]);
    const notice = c.req.query('deleted') ? 'Design deleted.' : undefined;
    const body = <EmailDesignsList designs={designs} starters={starters as Starter[]} timeZone={workspace.timeZone} csrfToken={c.get('csrfToken')} notice={notice} />;
    return renderAppPage(c, { title: 'Email designs', section: 'marketing', body });
  })
  .post('/', requirePermission('designs:write'), async (c) => {
    const form = await readForm(c);
    const content = await starterContent(c.env.ASSETS, c.req.url, form.starter);
    const design = await createEmailContent(tenantOf(c), parseOrThrow(EmailContentInput, { name: form.name, ...content }));
    return c.redirect(`/app/marketing/designs/${design.id}`, 303);
  })
  // The live preview of unsaved edits (JSON for /email-editor.js).
  .post('/preview', validate('json', EmailPreviewInput), async (c) => c.json(await renderSample(tenantOf(c), c.req.valid('json'), c.env)))
  // The catalogue for the block editor's product block: the newest products, prices formatted.
  .get('/products', async (c) => {
    const page = await listProducts(tenantOf(c), { limit: PRODUCT_CHOICES });
    return c.json({
      products: page.rows.map((product) => ({ id: product.id, title: product.title, url: product.url, imageUrl: product.imageUrl, price: formatMoney(product.priceCents, product.currency) })),
    });
  })
  // A starter rendered for the sample contact and this workspace's shop: the gallery's thumbnails.
  .get('/starters/:starter/preview', async (c) => {
    const content = await starterContent(c.env.ASSETS, c.req.url, c.req.param('starter'));
    return untrustedHtmlResponse(c, (await renderSample(tenantOf(c), content, c.env)).html);
  })
  .get('/:id', async (c) => renderEditor(c, { design: await getEmailContent(tenantOf(c), c.req.param('id')), notice: c.req.query('saved') ? 'Design saved.' : undefined }))
  .get('/:id/preview', async (c) => {
    const tenant = tenantOf(c);
    const rendered = await renderSample(tenant, await getEmailContent(tenant, c.req.param('id')), c.env);
    return untrustedHtmlResponse(c, rendered.html);
  })
  .post('/:id', requirePermission('designs:write'), async (c) => {
    const tenant = tenantOf(c);
    const design = await getEmailContent(tenant, c.req.param('id'));
    const form = await readForm(c);
    try {
      // The block editor sends its project with the HTML it exported; the HTML view sends none.
      await updateEmailContent(tenant, design.id, parseOrThrow(EmailContentInput, { name: form.name, subject: form.subject, preheader: form.preheader, html: form.html, project: form.project ?? '' }));
      return c.redirect(`/app/marketing/designs/${design.id}?saved=1`, 303);
    } catch (err) {
      return renderEditor(c, { design, values: form, errors: formErrorsOf(err) }, 400);
    }
  })
  .post('/:id/test', requirePermission('designs:write'), testSendRateLimit(), async (c) => {
    const tenant = tenantOf(c);
    const design = await getEmailContent(tenant, c.req.param('id'));
    const form = await readForm(c);
    const to = TestSendInput.safeParse(form);
    if (!to.success) return renderEditor(c, { design, outcome: { ok: false, message: 'Enter a valid email address to send the test to.' } });
    try {
      const [sent] = await testSendEmailContent(tenant, c.env, design, [to.data.to], () => 'to');
      return renderEditor(c, { design, outcome: sent!.outcome });
    } catch (err) {
      // Not a member (or the platform sender's cap): said on the page, beside the form.
      if (err instanceof AppError) return renderEditor(c, { design, outcome: { ok: false, message: err.message } }, 400);
      throw err;
    }
  })
  .post('/:id/delete', requirePermission('designs:write'), async (c) => {
    await refuseIfFlowsSend(tenantOf(c), c.req.param('id'), 'design');
    await deleteEmailContent(tenantOf(c), c.req.param('id'));
    return c.redirect('/app/marketing/designs?deleted=1', 303);
  });
