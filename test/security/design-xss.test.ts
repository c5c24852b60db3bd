// Stored XSS through an email design: a design created with an API key (or by a member)
// carries script in every form a browser runs. Wherever the dashboard shows it, it must sit
// in a sandbox without script, never as markup of the page, under a CSP it cannot satisfy.
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, type Merchant, postApi, signUpMerchant } from '../helpers/factories';
import { elementsOf, expectDashboardHeaders, expectScriptsAndFramesLocked, expectStrictDashboardPolicy, expectUntrustedHtmlPolicy } from '../helpers/page-security';

const PWN = "top.document.title='pwned';fetch('/app/settings/api-keys',{method:'POST'})";

/** One design holding each way a browser could run its script. */
const ATTACK_HTML = `<!doctype html><html><head>
<meta http-equiv="refresh" content="0;url=javascript:${PWN}">
<base href="https://evil.example/">
</head><body>
<script>${PWN}</script>
<img src="missing.png" onerror="${PWN}">
<a href="javascript:${PWN}">Claim your discount</a>
<a href=" JaVaScRiPt:${PWN}">Spaced scheme</a>
<iframe src="javascript:${PWN}"></iframe>
<iframe srcdoc="<script>${PWN}</script>"></iframe>
<svg xmlns="http://www.w3.org/2000/svg"><script>${PWN}</script><a href="#"><set attributeName="href" to="javascript:${PWN}"/><text y="20">svg</text></a></svg>
<object data="javascript:${PWN}"></object>
<p>Hello {{ contact.first_name | default: "there" }}</p>
</body></html>`;

let merchant: Merchant;
let designId: string;
let campaignId: string;

beforeAll(async () => {
  merchant = await signUpMerchant('XSS Store');
  const key = await createApiKey(merchant, 'attacker key');
  const design = await postApi(key, '/email-designs', { name: 'Spring sale', subject: 'Hi', html: ATTACK_HTML });
  expect(design.status, await design.clone().text()).toBe(201);
  designId = ((await design.json()) as { design: { id: string } }).design.id;
  const segment = await postApi(key, '/segments', { name: 'Everyone', definition: { match: 'all', children: [] } });
  const segmentId = ((await segment.json()) as { segment: { id: string } }).segment.id;
  const campaign = await postApi(key, '/campaigns', { name: 'Spring sale', contentId: designId, audience: { type: 'segment', segmentId } });
  expect(campaign.status).toBe(201);
  campaignId = ((await campaign.json()) as { campaign: { id: string } }).campaign.id;
});

/** The page is ours alone: strict headers, only our nonce'd scripts, the design nowhere as markup. */
async function expectDesignInert(path: string): Promise<string> {
  const res = await merchant.client.get(path);
  expect(res.status, path).toBe(200);
  expectDashboardHeaders(res);
  const html = await res.text();
  await expectScriptsAndFramesLocked(html, expectStrictDashboardPolicy(res));
  // Our files in public/, and the block editor's copied into public/vendor/grapesjs/ (scripts/copy-editor-vendor.mjs).
  for (const script of await elementsOf(html, 'script')) expect(script.src, 'only our own script files').toMatch(/^\/(vendor\/grapesjs\/)?[a-z-]+(\.min)?\.js$/);
  expect(await elementsOf(html, 'img[onerror]')).toEqual([]);
  expect(await elementsOf(html, 'a[href*="javascript:" i]')).toEqual([]);
  expect(await elementsOf(html, 'meta[http-equiv]')).toEqual([]);
  expect(await elementsOf(html, 'base')).toEqual([]);
  expect(await elementsOf(html, 'svg')).toEqual([]);
  return html;
}

/** The frames that show the design: view-only, sandboxed with no keyword, from the preview route. */
async function designFramesOf(html: string) {
  return (await elementsOf(html, 'iframe')).filter((frame) => frame.src === `/app/marketing/designs/${designId}/preview`);
}

describe('a design with <script>, <img onerror>, javascript: links, <iframe>, <meta refresh> and SVG script, created via the API', () => {
  it('stays text in the editor, whose frames are sandboxed without script', async () => {
    const html = await expectDesignInert(`/app/marketing/designs/${designId}`);
    expect(html).toContain('&lt;script&gt;'); // the HTML view shows it, escaped, in the textarea
    const [preview] = await designFramesOf(html);
    expect(preview).toMatchObject({ sandbox: '', 'data-untrusted-html': 'view' });
    // The block editor's canvas is made by its script, from a stripped copy (test/browser/scenarios/editor.mjs).
    expect(await elementsOf(html, 'iframe')).toHaveLength(1);
  });

  it('is previewed under a sandbox CSP, even opened on its own', async () => {
    const res = await merchant.client.get(`/app/marketing/designs/${designId}/preview`);
    expect(res.status).toBe(200);
    expectUntrustedHtmlPolicy(res);
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await res.text()).toContain('onerror='); // the design as written: the sandbox, not editing, disarms it
  });

  it('is previewed in a sandboxed frame on the campaign content and review steps', async () => {
    const content = await expectDesignInert(`/app/marketing/campaigns/${campaignId}?step=content`);
    expect(await designFramesOf(content)).toEqual([expect.objectContaining({ sandbox: '', 'data-untrusted-html': 'view' })]);
    await expectDesignInert(`/app/marketing/campaigns/${campaignId}?step=review`);
    await expectDesignInert(`/app/marketing/campaigns/${campaignId}`);
  });

  it('comes back from the live preview as JSON data, never as a page', async () => {
    await merchant.client.get(`/app/marketing/designs/${designId}`);
    const res = await merchant.client.request('/app/marketing/designs/preview', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', origin: merchant.client.origin, 'x-csrf-token': merchant.client.csrfToken },
      body: JSON.stringify({ subject: 'Hi', preheader: null, html: ATTACK_HTML }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expectStrictDashboardPolicy(res);
  });
});
