// The block editor's project saved with a design: kept beside the HTML that is sent,
// validated (errors name the field, nothing half-written), bounded in size, dropped when
// the HTML is written by hand, and never reachable from another workspace. The gallery's
// thumbnails, and the product block's catalogue, per workspace.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { EDITOR_PROJECT_MAX_CHARS } from '../../src/email/email-contents.schemas';
import { newId } from '../../src/lib/ids';
import { apiErrorOf, callApi, createApiKey, type Merchant, patchApi, postApi, signUpMerchant } from '../helpers/factories';

const HTML =
  '<table><tr><td>Hi {{ contact.first_name | default: "there" }}</td></tr>{% for item in cart.items %}<tr><td>{{ item.title }}</td></tr>{% endfor %}</table><a href="{{ unsubscribe_url }}">Unsubscribe</a>';

/** A project as the editor saves one: a page, a frame, its component tree (here with a Liquid placeholder). */
function projectWith(text: string) {
  return {
    assets: [],
    styles: [{ selectors: ['#i1'], style: { color: 'red' } }],
    pages: [
      {
        frames: [
          {
            component: {
              type: 'wrapper',
              components: [
                { type: 'text', components: [{ type: 'textnode', content: text }] },
                { type: 'comment', content: 'lq:eyUgZW5kZm9yICV9' },
              ],
            },
          },
        ],
      },
    ],
    symbols: [],
    dataSources: [],
  };
}

type DesignBody = { design: { id: string; html: string; project: unknown } };

let owner: Merchant;
let ownerKey: string;
let other: Merchant;
let otherKey: string;

beforeAll(async () => {
  owner = await signUpMerchant('Editor Shop');
  ownerKey = await createApiKey(owner);
  other = await signUpMerchant('Other Shop');
  otherKey = await createApiKey(other);
});

async function createDesign(body: Record<string, unknown> = {}) {
  const res = await postApi(ownerKey, '/email-designs', { name: 'Visual', subject: 'Hi', html: HTML, project: projectWith('Hello'), ...body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json<DesignBody>()).design;
}

async function designOf(id: string, key = ownerKey) {
  return (await (await callApi(key, `/email-designs/${id}`)).json<DesignBody>()).design;
}

describe('the block editor project of a design, through the API', () => {
  it('is saved with the HTML, which is what is sent, and read back as it was', async () => {
    const created = await createDesign();
    const read = await designOf(created.id);
    expect(read.project).toEqual(projectWith('Hello'));
    expect(read.html).toBe(HTML);
    const patched = await patchApi(ownerKey, `/email-designs/${created.id}`, { html: HTML.replace('Hi', 'Hello'), project: projectWith('Hello again') });
    expect(patched.status).toBe(200);
    expect(await designOf(created.id)).toMatchObject({ html: HTML.replace('Hi', 'Hello'), project: projectWith('Hello again') });
  });

  it('is dropped when new HTML comes without one (written by hand), and kept when only the subject changes', async () => {
    const created = await createDesign();
    await patchApi(ownerKey, `/email-designs/${created.id}`, { subject: 'New subject' });
    expect((await designOf(created.id)).project).toEqual(projectWith('Hello'));
    await patchApi(ownerKey, `/email-designs/${created.id}`, { html: '<p>Handmade {{ shop.name }}</p>' });
    expect(await designOf(created.id)).toMatchObject({ html: '<p>Handmade {{ shop.name }}</p>', project: null });
  });

  it('refuses a project that is not one, naming the field, and writes nothing', async () => {
    const created = await createDesign();
    for (const [project, path] of [
      ['not json', 'project'],
      [[1, 2], 'project'],
      [{ styles: [] }, 'project.pages'],
      [{ pages: [] }, 'project.pages'],
      [{ pages: [{ frames: [{}] }] }, 'project.pages.0.frames.0.component'],
    ] as const) {
      const res = await patchApi(ownerKey, `/email-designs/${created.id}`, { html: '<p>changed</p>', project });
      expect(res.status, JSON.stringify(project)).toBe(400);
      expect((await apiErrorOf(res)).issues?.[0]?.path).toBe(path);
    }
    expect(await designOf(created.id)).toMatchObject({ html: HTML, project: projectWith('Hello') });
  });

  it('refuses a project over the size bound', async () => {
    const created = await createDesign();
    const res = await patchApi(ownerKey, `/email-designs/${created.id}`, { html: HTML, project: projectWith('x'.repeat(EDITOR_PROJECT_MAX_CHARS)) });
    expect(res.status).toBe(400);
    const error = await apiErrorOf(res);
    expect(error.issues?.[0]).toMatchObject({ path: 'project', message: 'Keep the visual design under 500 KB' });
    expect((await designOf(created.id)).project).toEqual(projectWith('Hello'));
  });

  it('checks the HTML sent with a project like any other (its Liquid must parse)', async () => {
    const res = await postApi(ownerKey, '/email-designs', { name: 'Broken', subject: 'Hi', html: '{% for item in cart.items %}', project: projectWith('x') });
    expect(res.status).toBe(400);
    expect((await apiErrorOf(res)).issues?.[0]?.path).toBe('html');
  });

  it('is never read or changed from another workspace', async () => {
    const created = await createDesign();
    expect((await callApi(otherKey, `/email-designs/${created.id}`)).status).toBe(404);
    expect((await patchApi(otherKey, `/email-designs/${created.id}`, { html: '<p>taken</p>', project: projectWith('taken') })).status).toBe(404);
    expect(await (await other.client.get(`/app/marketing/designs/${created.id}`)).text()).not.toContain('Hello');
    expect((await other.client.post(`/app/marketing/designs/${created.id}`, { name: 'x', subject: 'x', html: '<p>taken</p>', project: '' })).status).toBe(404);
    expect(await designOf(created.id)).toMatchObject({ html: HTML, project: projectWith('Hello') });
  });

  it('leaves lists light: designs are listed without their projects', async () => {
    await createDesign();
    const { designs } = await (await callApi(ownerKey, '/email-designs')).json<{ designs: Record<string, unknown>[] }>();
    expect(designs.length).toBeGreaterThan(0);
    for (const design of designs) expect(design).not.toHaveProperty('project');
  });
});

describe('the block editor project of a design, through the dashboard form', () => {
  it('saves the project sent as JSON text with the exported HTML, and shows it to the editor again', async () => {
    const created = await createDesign({ project: null });
    const path = `/app/marketing/designs/${created.id}`;
    const page = await (await owner.client.get(path)).text();
    expect(page).toContain('data-open-view="visual"'); // never edited: the block editor imports the HTML
    const saved = await owner.client.post(path, { name: 'Visual', subject: 'Hi', preheader: '', html: HTML, project: JSON.stringify(projectWith('From the form')) });
    expect(saved.status).toBe(303);
    expect((await designOf(created.id)).project).toEqual(projectWith('From the form'));
    const reopened = await (await owner.client.get(path)).text();
    expect(reopened).toContain('From the form');
    expect(reopened).toContain('data-open-view="visual"');
  });

  it('saves HTML from the HTML view without a project, and opens it there next time', async () => {
    const created = await createDesign();
    const path = `/app/marketing/designs/${created.id}`;
    const saved = await owner.client.post(path, { name: 'Visual', subject: 'Hi', preheader: '', html: '<p>Own {{ shop.name }}</p>', project: '' });
    expect(saved.status).toBe(303);
    expect(await designOf(created.id)).toMatchObject({ html: '<p>Own {{ shop.name }}</p>', project: null });
    expect(await (await owner.client.get(path)).text()).toContain('data-open-view="html"');
  });

  it('shows a broken project as an error beside the editor and keeps the saved design', async () => {
    const created = await createDesign();
    const res = await owner.client.post(`/app/marketing/designs/${created.id}`, { name: 'Visual', subject: 'Hi', preheader: '', html: '<p>changed</p>', project: '{"pages": "no"' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Send the visual design as an editor project');
    expect(await designOf(created.id)).toMatchObject({ html: HTML, project: projectWith('Hello') });
  });
});

describe("the gallery's thumbnails", () => {
  it('render each starter for the sample contact and this workspace, as untrusted HTML', async () => {
    const res = await owner.client.get('/app/marketing/designs/starters/welcome/preview');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    const html = await res.text();
    expect(html).toContain('Editor Shop');
    expect(html).not.toMatch(/\{\{|\{%/);
    const list = await (await owner.client.get('/app/marketing/designs')).text();
    expect(list).toContain('src="/app/marketing/designs/starters/abandoned-cart/preview"');
  });
});

describe("the product block's catalogue", () => {
  it("lists the workspace's own products with formatted prices, never another's", async () => {
    const now = Date.now();
    for (const [workspaceId, title] of [
      [owner.workspaceId, 'Owner mug'],
      [other.workspaceId, 'Other mug'],
    ] as const) {
      await env.DB.prepare(
        "INSERT INTO products (id, workspace_id, sku, title, url, image_url, currency, price_cents, created_at, updated_at) VALUES (?, ?, ?, ?, 'https://shop.example/mug', 'https://shop.example/mug.png', 'USD', 1250, ?, ?)",
      )
        .bind(newId(now), workspaceId, `SKU-${title}`, title, now, now)
        .run();
    }
    const res = await owner.client.get('/app/marketing/designs/products');
    expect(res.status).toBe(200);
    const { products } = await res.json<{ products: { title: string; price: string; url: string; imageUrl: string }[] }>();
    expect(products).toEqual([expect.objectContaining({ title: 'Owner mug', price: '$12.50', url: 'https://shop.example/mug', imageUrl: 'https://shop.example/mug.png' })]);
  });
});
