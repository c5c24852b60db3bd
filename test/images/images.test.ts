import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { deleteImage, MAX_IMAGE_BYTES, MAX_IMAGES_PER_WORKSPACE, uploadImage } from '../../src/images/images.service';
import { ORIGIN } from '../helpers/browser-client';
import { apiErrorOf, callApi, createApiKey, type Merchant, postApi, signUpMerchant } from '../helpers/factories';
import { jpegOf, pngOf, TINY_PNG } from './image-bytes';

type Uploaded = { id: string; name: string; url: string; contentType: string; bytes: number; width: number | null; height: number | null };

let shopA: Merchant;
let shopB: Merchant;
let keyA: string;
let keyB: string;

beforeAll(async () => {
  [shopA, shopB] = [await signUpMerchant('Images A'), await signUpMerchant('Images B')];
  [keyA, keyB] = [await createApiKey(shopA), await createApiKey(shopB)];
});

function formOf(bytes: Uint8Array, name: string, type = 'image/png', fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [field, value] of Object.entries(fields)) form.set(field, value);
  form.set('file', new File([bytes], name, { type }));
  return form;
}

/** Uploads through the dashboard page's form, as the browser posts it (CSRF field, same origin). */
async function uploadFromPage(merchant: Merchant, bytes: Uint8Array, name: string, headers: Record<string, string> = {}) {
  await merchant.client.get('/app/marketing/images');
  return merchant.client.request('/app/marketing/images', { method: 'POST', body: formOf(bytes, name, 'image/png', { _csrf: merchant.client.csrfToken }), headers: { origin: ORIGIN, ...headers } });
}

const uploadByApi = (key: string, bytes: Uint8Array, name: string, type?: string) => callApi(key, '/images', { method: 'POST', body: formOf(bytes, name, type) });
const serve = (url: string, headers: Record<string, string> = {}) => exports.default.fetch(new Request(url, { headers }));
const keyOf = (url: string) => new URL(url).pathname.slice('/i/'.length);

async function bucketKeys(): Promise<string[]> {
  const listed = await env.IMAGES.list({ limit: 1000 });
  return listed.objects.map((object) => object.key);
}

async function rowsOf(workspaceId: string) {
  return (await env.DB.prepare('SELECT key, name FROM images WHERE workspace_id = ?').bind(workspaceId).all<{ key: string; name: string }>()).results;
}

describe('uploading an image from Marketing → Images', () => {
  it('stores the file, lists it with its public address, and serves the same bytes to anyone with the type read from them', async () => {
    const res = await uploadFromPage(shopA, TINY_PNG, 'logo.png');
    expect(res.status, await res.clone().text()).toBe(303);
    expect(res.headers.get('location')).toBe('/app/marketing/images?done=uploaded');
    const page = await (await shopA.client.get('/app/marketing/images?done=uploaded')).text();
    expect(page).toContain('Image uploaded.');
    expect(page).toContain('logo.png');
    const url = /value="(https:\/\/marketing\.example\.com\/i\/[a-z0-9]{24}\.png)"/.exec(page)?.[1];
    expect(url).toBeDefined();
    expect(page).toContain('1 of 500 images, 70 B of 250 MB used.');

    // No session: a recipient's mail client.
    const served = await serve(url!);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // Loaded by webmail pages of other origins, and never run as a document.
    expect(served.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(served.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(TINY_PNG);
    // A client that has it already gets a 304 without the bytes.
    const again = await serve(url!, { 'if-none-match': served.headers.get('etag')! });
    expect(again.status).toBe(304);
  });

  it('answers the email editor in JSON, as its asset manager reads it, and lists the workspace images for its picker', async () => {
    const res = await uploadFromPage(shopA, pngOf(600, 200), 'banner.png', { accept: 'application/json' });
    expect(res.status).toBe(201);
    const body = await res.json<{ data: { src: string; width: number; height: number }[] }>();
    expect(body.data).toEqual([expect.objectContaining({ src: expect.stringMatching(/^https:\/\/marketing\.example\.com\/i\/[a-z0-9]{24}\.png$/), width: 600, height: 200 })]);
    const assets = await (await shopA.client.request('/app/marketing/images/assets')).json<{ data: { src: string }[] }>();
    expect(assets.data.map((asset) => asset.src)).toContain(body.data[0]!.src);
  });

  it('shows what went wrong on the page and stores nothing when the file is not an image', async () => {
    const before = await bucketKeys();
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script></svg>');
    const res = await uploadFromPage(shopB, svg, 'innocent.png');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('This file is not a PNG, JPEG, GIF or WebP image.');
    expect(await bucketKeys()).toEqual(before);
    expect(await rowsOf(shopB.workspaceId)).toEqual([]);
  });
});

describe('/api/v1/images', () => {
  it('uploads, lists with usage and limits, and deletes: the address stops answering and the bytes leave the bucket', async () => {
    const res = await uploadByApi(keyA, jpegOf(1200, 630), 'hero.jpg', 'application/octet-stream');
    expect(res.status).toBe(201);
    const { image } = await res.json<{ image: Uploaded }>();
    expect(image).toMatchObject({ name: 'hero.jpg', contentType: 'image/jpeg', width: 1200, height: 630, bytes: jpegOf(1200, 630).byteLength });
    const listed = await (await callApi(keyA, '/images')).json<{ images: Uploaded[]; usage: { count: number; bytes: number }; limits: { images: number } }>();
    expect(listed.images[0]).toEqual(image);
    expect(listed.usage.count).toBe(listed.images.length);
    expect(listed.limits.images).toBe(MAX_IMAGES_PER_WORKSPACE);
    expect((await serve(image.url)).headers.get('content-type')).toBe('image/jpeg');

    // Another workspace can neither see nor delete it.
    expect((await (await callApi(keyB, '/images')).json<{ images: Uploaded[] }>()).images.map((i) => i.id)).not.toContain(image.id);
    expect((await callApi(keyB, `/images/${image.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await serve(image.url)).status).toBe(200);

    expect((await callApi(keyA, `/images/${image.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await serve(image.url)).status).toBe(404);
    expect(await bucketKeys()).not.toContain(keyOf(image.url));
    expect((await callApi(keyA, `/images/${image.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('names the field for each bad upload and writes nothing', async () => {
    const before = await bucketKeys();
    const html = new TextEncoder().encode('<!doctype html><script>fetch("/api/v1/contacts")</script>');
    const notImage = await uploadByApi(keyB, html, 'x.png', 'image/png');
    expect(notImage.status).toBe(400);
    expect((await apiErrorOf(notImage)).issues).toEqual([{ path: 'file', message: 'This file is not a PNG, JPEG, GIF or WebP image.' }]);

    const empty = await uploadByApi(keyB, new Uint8Array(), 'empty.png');
    expect(empty.status).toBe(400);
    expect((await apiErrorOf(empty)).issues?.[0]?.path).toBe('file');

    const huge = await uploadByApi(keyB, pngOf(20_000, 10), 'huge.png');
    expect(huge.status).toBe(400);
    expect((await apiErrorOf(huge)).message).toContain('over 10,000 on a side');

    const noFile = await callApi(keyB, '/images', { method: 'POST', body: new URLSearchParams({ file: 'x' }) });
    expect(noFile.status).toBe(415);
    expect((await apiErrorOf(noFile)).issues?.[0]?.path).toBe('file');

    const missing = await callApi(keyB, '/images', {
      method: 'POST',
      body: (() => {
        const f = new FormData();
        f.set('other', 'x');
        return f;
      })(),
    });
    expect(missing.status).toBe(400);
    expect((await apiErrorOf(missing)).issues?.[0]?.path).toBe('file');

    // Over the size limit: refused before anything reads the body.
    const big = new Uint8Array(MAX_IMAGE_BYTES + 100 * 1024);
    big.set(TINY_PNG);
    const tooBig = await uploadByApi(keyB, big, 'big.png');
    expect(tooBig.status).toBe(413);

    expect(await bucketKeys()).toEqual(before);
    expect(await rowsOf(shopB.workspaceId)).toEqual([]);
  });

  it('keeps only the file name a merchant should see: no path, no control or direction characters', async () => {
    const res = await uploadByApi(keyB, TINY_PNG, '..\\..\\etc/evil\u200b\u202e gnp.png');
    expect(res.status, await res.clone().text()).toBe(201);
    const { image } = await res.json<{ image: Uploaded }>();
    expect(image.name).toBe('evil gnp.png');
    await callApi(keyB, `/images/${image.id}`, { method: 'DELETE' });
    // Line breaks and NUL cannot come through a well-formed multipart header, but other clients' names reach the service too.
    const tenant = forWorkspace(openDb(env.DB), shopB.workspaceId);
    const direct = await uploadImage(tenant, env, { name: 'sale\r\nBcc: x@evil.example\u0000.gif', bytes: TINY_PNG });
    expect(direct.name).toBe('saleBcc: x@evil.example.gif');
    await deleteImage(tenant, env, direct.id);
    const unnamed = await uploadImage(tenant, env, { name: '\u0000\r\n', bytes: TINY_PNG });
    expect(unnamed.name).toBe('image.png');
    await deleteImage(tenant, env, unnamed.id);
  });

  it('answers 400 naming the form, not a 500, when a part header carries a raw line break, on the API and on the page', async () => {
    const boundary = 'b0undary';
    const body = [`--${boundary}`, 'Content-Disposition: form-data; name="file"; filename="a.png', 'injected line"', 'Content-Type: image/png', '', 'x', `--${boundary}--`, ''].join('\r\n');
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    const res = await callApi(keyB, '/images', { method: 'POST', body, headers });
    expect(res.status).toBe(400);
    expect((await apiErrorOf(res)).issues).toEqual([{ path: 'form', message: 'Not valid form data.' }]);
    // The dashboard reads the same body first for its CSRF field.
    await shopB.client.get('/app/marketing/images');
    const page = await shopB.client.request('/app/marketing/images', { method: 'POST', body, headers: { ...headers, origin: ORIGIN } });
    expect(page.status).toBe(400);
    expect(await rowsOf(shopB.workspaceId)).toEqual([]);
  });

  it('answers the same 404 for addresses that are not ours, without a bucket read for malformed ones', async () => {
    for (const path of ['/i/../secrets', '/i/AAAAAAAAAAAAAAAAAAAAAAAA.png', '/i/aaaaaaaaaaaaaaaaaaaaaaaa.svg', '/i/aaaaaaaaaaaaaaaaaaaaaaaa.png', '/i/%2e%2e%2fx.png']) {
      const res = await serve(`${ORIGIN}${path}`);
      expect(res.status, path).toBe(404);
    }
  });

  it('holds a workspace to its quota even when two uploads race for the last place, and leaves no bytes behind for the refused one', async () => {
    const shop = await signUpMerchant('Images quota');
    const key = await createApiKey(shop);
    const now = Date.now();
    const filler = Array.from({ length: MAX_IMAGES_PER_WORKSPACE - 1 }, (_, i) =>
      env.DB.prepare("INSERT INTO images (id, workspace_id, key, name, content_type, bytes, created_at) VALUES (?, ?, ?, 'old.png', 'image/png', 10, ?)").bind(
        `filler-${shop.workspaceId}-${i}`,
        shop.workspaceId,
        `filler-${shop.workspaceId}-${i}`,
        now,
      ),
    );
    await env.DB.batch(filler);
    const before = await bucketKeys();
    const answers = await Promise.all([uploadByApi(key, TINY_PNG, 'one.png'), uploadByApi(key, TINY_PNG, 'two.png')]);
    expect(answers.map((res) => res.status).sort()).toEqual([201, 409]);
    const refused = answers.find((res) => res.status === 409)!;
    expect((await apiErrorOf(refused)).message).toContain('Delete images you no longer use');
    const count = await env.DB.prepare('SELECT count(*) AS n FROM images WHERE workspace_id = ?').bind(shop.workspaceId).first<{ n: number }>();
    expect(count?.n).toBe(MAX_IMAGES_PER_WORKSPACE);
    // Only the accepted upload's object was added.
    expect((await bucketKeys()).filter((k) => !before.includes(k))).toHaveLength(1);
    // Another workspace is not held by this one's quota.
    const other = await uploadByApi(keyB, TINY_PNG, 'free.png');
    expect(other.status).toBe(201);
    await callApi(keyB, `/images/${(await other.json<{ image: Uploaded }>()).image.id}`, { method: 'DELETE' });
  });
});

describe('where an image is used', () => {
  type Listed = Uploaded & { usedIn: { count: number; designs: { id: string; name: string }[] } };
  const listed = async (key: string, id: string) => (await (await callApi(key, '/images')).json<{ images: Listed[] }>()).images.find((image) => image.id === id);
  const design = async (key: string, name: string, html: string) => {
    const res = await postApi(key, '/email-designs', { name, subject: 'Hi', html });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json<{ design: { id: string } }>()).design.id;
  };
  const patchDesign = (key: string, id: string, html: string) =>
    callApi(key, `/email-designs/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ html }) });

  it('lists the designs that load an image, follows their edits and deletion, and never counts another workspace', async () => {
    const { image } = await (await uploadByApi(keyA, pngOf(300, 100), 'logo.png')).json<{ image: Uploaded }>();
    expect((await listed(keyA, image.id))?.usedIn).toEqual({ count: 0, designs: [] });

    // In an attribute, twice in one design, and behind Liquid (the address is what counts).
    const welcome = await design(keyA, 'Welcome', `<img src="${image.url}" alt=""><a href="{{ shop.url }}"><img src="${image.url}?v=2"></a>`);
    const sale = await design(keyA, 'Sale', `{% if contact.first_name %}<img src='${image.url}'>{% endif %}`);
    await design(keyA, 'Plain', '<p>No images here, nor /i/short.png</p>');
    expect((await listed(keyA, image.id))?.usedIn).toEqual({
      count: 2,
      designs: [
        { id: sale, name: 'Sale' },
        { id: welcome, name: 'Welcome' },
      ],
    });
    // Another workspace loading the same public address is not shown to this one, nor this one's designs to it.
    await design(keyB, 'Copycat', `<img src="${image.url}">`);
    expect((await listed(keyA, image.id))?.usedIn.count).toBe(2);

    // An edit that drops the image, and a deleted design, stop counting.
    expect((await patchDesign(keyA, sale, '<p>Sold out</p>')).status).toBe(200);
    expect((await callApi(keyA, `/email-designs/${welcome}`, { method: 'DELETE' })).status).toBe(204);
    expect((await listed(keyA, image.id))?.usedIn).toEqual({ count: 0, designs: [] });
    expect((await callApi(keyA, `/images/${image.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('refuses to delete an image designs use, naming them, until asked to anyway; the page offers the same', async () => {
    const { image } = await (await uploadByApi(keyA, pngOf(64, 64), 'badge.png')).json<{ image: Uploaded }>();
    const names = ['Zeta', 'Alpha', 'Mu', 'Beta', 'Omega'];
    for (const name of names) await design(keyA, name, `<img src="${image.url}">`);
    expect((await listed(keyA, image.id))?.usedIn).toMatchObject({ count: 5, designs: [{ name: 'Alpha' }, { name: 'Beta' }, { name: 'Mu' }] });

    const refused = await callApi(keyA, `/images/${image.id}`, { method: 'DELETE' });
    expect(refused.status).toBe(409);
    const error = await apiErrorOf(refused);
    expect(error.message).toBe('badge.png is used in 5 designs (Alpha, Beta, Mu and 2 more): their emails would show a broken image. Remove it from them first, or delete it anyway.');
    expect(error.issues?.[0]?.path).toBe('force');
    expect((await serve(image.url)).status).toBe(200);
    const bad = await callApi(keyA, `/images/${image.id}?force=yes`, { method: 'DELETE' });
    expect(bad.status).toBe(400);
    expect((await apiErrorOf(bad)).issues?.[0]?.path).toBe('force');

    // The page: the row names the designs; Delete shows why not, with "Delete anyway".
    const page = await (await shopA.client.get('/app/marketing/images')).text();
    expect(page).toMatch(/data-image-used-in="5"><a href="\/app\/marketing\/designs\/[0-9A-Z]+">Alpha<\/a>, <a [^>]+>Beta<\/a>, <a [^>]+>Mu<\/a> and 2 more/);
    const post = (fields: Record<string, string> = {}) => shopA.client.post(`/app/marketing/images/${image.id}/delete`, fields);
    const shown = await post();
    expect(shown.status).toBe(409);
    const text = await shown.text();
    expect(text).toContain('badge.png is used in 5 designs (Alpha, Beta, Mu and 2 more)');
    expect(text).toMatch(/<input type="hidden" name="force" value="true"\/?>/);
    expect((await serve(image.url)).status).toBe(200);
    const forced = await post({ force: 'true' });
    expect(forced.status).toBe(303);
    expect((await serve(image.url)).status).toBe(404);
    expect(await bucketKeys()).not.toContain(keyOf(image.url));
    const left = await env.DB.prepare('SELECT count(*) AS n FROM design_images WHERE image_key = ?').bind(keyOf(image.url)).first<{ n: number }>();
    expect(left?.n).toBe(0);
  });

  it('records one row per image of the workspace a design loads, whatever else it names', async () => {
    const uploads = [];
    for (let i = 0; i < 3; i++) uploads.push((await (await uploadByApi(keyA, pngOf(10 + i, 10), `p${i}.png`)).json<{ image: Uploaded }>()).image);
    const { image: theirs } = await (await uploadByApi(keyB, pngOf(5, 5), 'theirs.png')).json<{ image: Uploaded }>();
    // Each image many times, another workspace's image, and thousands of made-up addresses of the right shape.
    const madeUp = Array.from({ length: 3_000 }, (_, i) => `<img src="/i/${String(i).padStart(24, 'z')}.png">`).join('');
    const html = `${uploads.map((image) => `<img src="${image.url}">`.repeat(50)).join('')}<img src="${theirs.url}"><a href="/i/AAAAAAAAAAAAAAAAAAAAAAAA.png">/i/x.svg</a>${madeUp}`;
    const id = await design(keyA, 'Gallery', html);
    const rows = (await env.DB.prepare('SELECT image_key FROM design_images WHERE content_id = ? ORDER BY image_key').bind(id).all<{ image_key: string }>()).results;
    expect(rows.map((row) => row.image_key)).toEqual(uploads.map((image) => keyOf(image.url)).sort());
  });
});
