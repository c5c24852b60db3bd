// The block email editor (GrapesJS): every starter edited in the visual view keeps its
// merge tags and Liquid loops through saving, rendering and a test send; the merge tag
// picker, undo and redo, the mobile preview, the gallery, and the editor at phone width.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Liquid } from 'liquidjs';
import { axeViolations } from './a11y.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TEMPLATES = join(ROOT, 'public', 'templates');
// Shopify's own example of a products/update webhook ("Example T-Shirt", 19.99).
const SHOPIFY_PRODUCT = readFileSync(join(ROOT, 'test', 'fixtures', 'shopify', 'products-update.json'), 'utf8');
const STARTERS = JSON.parse(readFileSync(join(TEMPLATES, 'index.json'), 'utf8'));
const LIQUID_TAG = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;

/** The Liquid tags of a template, in order: the same list before and after editing means none was lost or changed. */
const liquidTagsOf = (html) => html.match(LIQUID_TAG) ?? [];

export default ({ base, page, run, EMAIL, PHONE, newContext, screenshot, waitForMail, waitForFrameText }) => {
  const canvas = page.frameLocator('iframe.gjs-frame');

  async function createDesign(name, starterName) {
    await page.goto(`${base}/app/marketing/designs`);
    await page.locator('#field-design-name').fill(name);
    await page
      .locator('.starter-card')
      .filter({ has: page.locator('.starter-name').getByText(starterName, { exact: true }) })
      .click();
    await page.getByRole('button', { name: 'Create design' }).click();
    await page.waitForURL(/\/app\/marketing\/designs\/[0-9A-Z]{26}$/);
    await editorReady();
  }

  async function editorReady() {
    await page.locator('#design-form[data-editor-ready="true"]').waitFor();
  }

  /** Types `word` at the end of the first text block of the canvas. */
  async function typeIntoFirstText(word) {
    const text = canvas.locator('[data-gjs-type="text-cell"], [data-gjs-type="text"]').first();
    await text.dblclick();
    await page.keyboard.press('End');
    await page.keyboard.type(` ${word}`);
  }

  async function savedHtml() {
    await page.getByRole('button', { name: 'HTML', exact: true }).click();
    return page.locator('textarea[name=html]').inputValue();
  }

  return [
    [
      'the gallery shows each starter with a thumbnail',
      async () => {
        await page.goto(`${base}/app/marketing/designs`);
        assert.equal(await page.locator('.starter-card').count(), STARTERS.length + 1, 'every starter and the blank email');
        // Each thumbnail is the starter rendered for the sample contact and this shop.
        for (const starter of STARTERS) await page.locator(`iframe.starter-frame[src="/app/marketing/designs/starters/${starter.id}/preview"]`).waitFor();
        await waitForFrameText(page, 'iframe.starter-frame[src$="/welcome/preview"]', 'Alpine Outfitters');
        await screenshot(page, 'editor-gallery');
      },
    ],

    [
      'every starter edited in the visual view keeps its merge tags and loops, renders, and sends',
      async () => {
        const liquid = new Liquid({ strictFilters: true });
        const context = {
          contact: { first_name: 'Robin', last_name: 'Lee', email: 'robin@example.com' },
          shop: { name: 'Alpine Outfitters', url: 'https://shop.example.com', postal_address: '1 Main St, Springfield' },
          unsubscribe_url: 'https://example.com/u/x',
          cart: {
            items: [
              { title: 'Red mug', quantity: 2, price: '$12.00', image_url: 'https://example.com/mug.png' },
              { title: 'Blue cup', quantity: 1, price: '$8.00' },
            ],
            total: '$32.00',
            recovery_url: 'https://shop.example.com/cart/1',
          },
          product: { title: 'Trail shoe', url: 'https://shop.example.com/p/1', image_url: 'https://example.com/shoe.png', price: '$90.00', old_price: '$120.00', new_price: '$90.00' },
          discount_code: 'COMEBACK',
          last_order: { date: 'March 1' },
        };
        for (const starter of STARTERS) {
          const word = `Zebra${starter.id.replace(/\W/g, '')}${run}`;
          const original = readFileSync(join(TEMPLATES, starter.file), 'utf8');
          await createDesign(`${starter.name} ${run}`, starter.name);
          await typeIntoFirstText(word);
          await page.getByRole('button', { name: 'Save design' }).click();
          await page.getByText('Design saved.').waitFor();
          await editorReady();
          // Reopened from its saved project: the word is there, and the saved HTML has every Liquid tag of the starter, in order.
          await canvas.getByText(word).waitFor();
          const html = await savedHtml();
          assert.ok(html.includes(word), `${starter.id}: the typed word is saved`);
          assert.deepEqual(liquidTagsOf(html), liquidTagsOf(original), `${starter.id}: the Liquid tags survive, in order`);
          // Rendered with a flow's context, loops repeat and merge tags fill in.
          const rendered = await liquid.parseAndRender(html, context);
          assert.doesNotMatch(rendered, /\{\{|\{%/, `${starter.id}: nothing left unrendered`);
          if (original.includes('cart.items')) assert.match(rendered, /Red mug[\s\S]*Qty 2[\s\S]*Blue cup/, 'the cart loop repeats its row');
          if (original.includes('product.new_price')) assert.match(rendered, /\$120\.00[\s\S]*\$90\.00/, 'old and new price');
          assert.ok(rendered.includes('https://example.com/u/x'), `${starter.id}: the unsubscribe link`);
          // The server's preview and a test send render it too, for the sample contact.
          await waitForFrameText(page, 'iframe.email-preview', word);
          await page.locator('#field-test-to').fill(EMAIL);
          await page.getByRole('button', { name: 'Send test' }).click();
          const mail = await waitForMail(EMAIL, (m) => m.html?.includes(word));
          assert.doesNotMatch(mail.html, /\{\{|\{%/, `${starter.id}: the sent email has no raw Liquid`);
          assert.match(mail.html, /\/u\/sample/, `${starter.id}: the sent email links its unsubscribe page`);
        }
        await screenshot(page, 'editor-starter-saved');
      },
    ],

    [
      'the merge tag picker inserts into text at the cursor and into a link',
      async () => {
        await createDesign(`Picker ${run}`, 'Welcome');
        await typeIntoFirstText('Hello');
        await page.locator('#merge-tag').selectOption('{{ shop.name }}');
        await page.locator('#merge-target').selectOption('text');
        await page.getByRole('button', { name: 'Insert merge tag' }).click();
        await page.locator('#editor-status', { hasText: 'at the cursor' }).waitFor();
        // A link: the welcome email's button.
        await canvas.locator('a').first().click();
        await page.locator('#merge-tag').selectOption('{{ cart.recovery_url }}');
        await page.locator('#merge-target').selectOption('href');
        await page.getByRole('button', { name: 'Insert merge tag' }).click();
        await page.locator('#editor-status', { hasText: 'Set the link' }).waitFor();
        const html = await savedHtml();
        assert.match(html, /Hello\s*(&nbsp;)?\{\{ shop\.name \}\}/, 'the tag follows the typed word');
        assert.match(html, /<a [^>]*href="\{\{ cart\.recovery_url \}\}"/, 'the link points at the merge tag');
        await page.getByRole('button', { name: 'Save design' }).click();
        await page.getByText('Design saved.').waitFor();
      },
    ],

    [
      'undo and redo a block added from the toolbar; the mobile preview narrows the canvas',
      async () => {
        await createDesign(`Undo ${run}`, 'A blank email');
        await canvas.locator('h1').click();
        await page.locator('#add-block').selectOption('heading');
        await page.getByRole('button', { name: 'Add block' }).click();
        await canvas.getByText('A heading').waitFor();
        await page.getByRole('button', { name: 'Undo' }).click();
        await canvas.getByText('A heading').waitFor({ state: 'detached' });
        await page.getByRole('button', { name: 'Redo' }).click();
        await canvas.getByText('A heading').waitFor();
        await page.locator('.block-editor-toolbar').getByRole('button', { name: 'Mobile' }).click();
        await page.waitForFunction(() => document.querySelector('iframe.gjs-frame').getBoundingClientRect().width <= 380);
        await screenshot(page, 'editor-mobile-canvas');
        await page.locator('.block-editor-toolbar').getByRole('button', { name: 'Desktop' }).click();
        await page.waitForFunction(() => document.querySelector('iframe.gjs-frame').getBoundingClientRect().width > 500);
        await screenshot(page, 'editor-desktop');
      },
    ],

    [
      'Upload image, from the keyboard: the file goes into the selected image, is served from /i/, is saved with the design, and Marketing → Images lists it with the design using it, which a delete names first',
      async () => {
        await createDesign(`Upload ${run}`, 'A blank email');
        await canvas.locator('h1').click();
        await page.locator('#add-block').selectOption('image');
        // The new block stays selected: the upload goes into its picture.
        await page.getByRole('button', { name: 'Add block' }).click();
        await page.locator('#editor-status', { hasText: 'Added image.' }).waitFor();
        const upload = async (file) => {
          const chooser = page.waitForEvent('filechooser');
          await page.getByRole('button', { name: 'Upload image' }).focus();
          await page.keyboard.press('Enter');
          await (await chooser).setFiles(file);
        };
        const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
        await upload({ name: `hero-${run}.png`, mimeType: 'image/png', buffer: png });
        await page.locator('#editor-status', { hasText: 'put it in the selected image' }).waitFor();
        const src = await canvas.locator('img[src*="/i/"]').first().getAttribute('src');
        assert.match(src, /^http:\/\/127\.0\.0\.1:\d+\/i\/[a-z0-9]{24}\.png$/);
        // Served to anyone, as a recipient's mail client loads it: no session.
        const served = await fetch(src);
        assert.equal(served.status, 200);
        assert.equal(served.headers.get('content-type'), 'image/png');
        assert.deepEqual(Buffer.from(await served.arrayBuffer()), png);
        // A script disguised as an image is refused, and the editor says why.
        await upload({ name: 'innocent.png', mimeType: 'image/png', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') });
        await page.locator('#editor-status', { hasText: 'innocent.png was not uploaded: This file is not a PNG, JPEG, GIF or WebP image.' }).waitFor();
        // A second picture whose address is a merge tag, set from the picker: it is saved too, not only shown.
        await page.locator('#add-block').selectOption('image');
        await page.getByRole('button', { name: 'Add block' }).click();
        await page.locator('#editor-status', { hasText: 'Added image.' }).waitFor();
        await page.locator('#merge-tag').selectOption('{{ product.image_url }}');
        await page.locator('#merge-target').selectOption('src');
        await page.getByRole('button', { name: 'Insert merge tag' }).click();
        await page.locator('#editor-status', { hasText: 'Set the image address' }).waitFor();
        await page.getByRole('button', { name: 'Save design' }).click();
        await page.getByText('Design saved.').waitFor();
        await editorReady();
        const saved = await savedHtml();
        assert.match(saved, /<img [^>]*src="\{\{ product\.image_url \}\}"/, 'the merge tag is the saved address');
        assert.ok(saved.includes(src), 'the saved design loads the uploaded image');
        assert.ok(!saved.includes('placehold.co'), 'in place of the placeholder, not beside it');
        await page.goto(`${base}/app/marketing/images`);
        await page.getByRole('cell', { name: `hero-${run}.png` }).waitFor();
        assert.equal(await page.locator(`input[value="${src}"]`).count(), 1, 'its address, ready to copy');
        assert.equal(await page.getByText('innocent.png').count(), 0);
        // The row names the design that loads it; a delete says what it would break first.
        const row = page.locator('tr', { has: page.getByRole('cell', { name: `hero-${run}.png` }) });
        await row.getByRole('link', { name: `Upload ${run}` }).waitFor();
        await screenshot(page, 'images-page');
        await row.getByRole('button', { name: 'Delete' }).click();
        assert.equal(
          await page.locator('[data-image-in-use]').innerText(),
          `hero-${run}.png is used in 1 design (Upload ${run}): their emails would show a broken image. Remove it from them first, or delete it anyway.`,
        );
        assert.equal((await fetch(src)).status, 200, 'not deleted yet');
        await page.getByRole('button', { name: 'Delete anyway' }).click();
        await page.getByText('Image deleted.').waitFor();
        assert.equal(await page.getByRole('cell', { name: `hero-${run}.png` }).count(), 0);
        assert.equal((await fetch(src)).status, 404);
      },
    ],

    [
      "the editor from the keyboard alone: part by part to the button and its link, typing into a text, blocks moved, duplicated, deleted and undone; GrapesJS's panels are named buttons and axe finds nothing",
      async () => {
        const original = readFileSync(join(TEMPLATES, STARTERS.find((starter) => starter.name === 'Welcome').file), 'utf8');
        await createDesign(`Keyboard ${run}`, 'Welcome');
        const status = page.locator('#editor-status');
        const said = async (text) => status.filter({ hasText: text }).waitFor();
        const press = async (name) => {
          await page.getByRole('button', { name, exact: true }).focus();
          await page.keyboard.press('Enter');
        };
        const focused = () => page.evaluate(() => document.activeElement.getAttribute('aria-label') ?? document.activeElement.textContent.trim());

        // Each of GrapesJS's panel buttons lies inside the editor (its side panel, 15% wide, cut off the last one at this width).
        const cutOff = await page.evaluate(() => {
          const editor = document.querySelector('.gjs-editor').getBoundingClientRect();
          return [...document.querySelectorAll('.gjs-pn-btn[role="button"]')]
            .filter((button) => button.getBoundingClientRect().right > editor.right || button.getBoundingClientRect().left < editor.left)
            .map((button) => button.getAttribute('aria-label'));
        });
        assert.deepEqual(cutOff, []);

        // Part by part, in reading order, to the welcome email's button.
        await press('Next part');
        await said('Selected text “{{ shop.name }}”: part 1 of 7.');
        for (let part = 2; part <= 6; part++) {
          await page.keyboard.press('Enter');
          await said(`part ${part} of 7.`);
        }
        await said('Selected button “Start shopping”: part 6 of 7.');

        // Its link, in the Settings panel, whose button Tab reaches and Enter opens.
        const settings = page.getByRole('button', { name: 'Settings of the selected part' });
        assert.equal(await settings.getAttribute('tabindex'), '0');
        assert.equal(await settings.getAttribute('aria-pressed'), 'false');
        await press('Settings of the selected part');
        assert.equal(await settings.getAttribute('aria-pressed'), 'true', 'the open panel says so');
        await page.getByRole('textbox', { name: 'Link address' }).focus();
        await page.keyboard.press('ControlOrMeta+A');
        await page.keyboard.type('https://shop.example.com/welcome-offer');
        await page.keyboard.press('Tab');
        await canvas.locator('a[href="https://shop.example.com/welcome-offer"]').waitFor();
        assert.deepEqual(await axeViolations(page), [], 'the editor with its settings panel open');

        // In the email itself: ↑ goes to the text above, Enter types at its end, Escape stops typing and stays in the email.
        await page.locator('iframe.gjs-frame').focus();
        await page.keyboard.press('ArrowUp');
        await said('Selected text “Take a look around; we think you will like it here.”: part 5 of 7.');
        await page.keyboard.press('Enter');
        await said('Typing into text');
        await page.keyboard.type(' Typed from the keyboard.');
        await page.keyboard.press('Escape');
        await said('Stopped typing.');
        assert.equal(await page.evaluate(() => document.activeElement.tagName), 'IFRAME');
        // Alt+↑ moves its block above the one before.
        await page.keyboard.press('Alt+ArrowUp');
        await said('Moved the block up.');
        await page.keyboard.press('ArrowUp');
        await said('Selected text “Hi {{ contact.first_name | default: "there" }},”: part 3 of 7.');
        await page.keyboard.press('ArrowDown');
        await said('part 4 of 7.');

        // From the toolbar: Edit text, and Escape gives focus back to the button.
        await press('Edit text');
        await said('Typing into text “Take a look around');
        await page.keyboard.type(' Typed again.');
        await page.keyboard.press('Escape');
        await said('Stopped typing.');
        assert.equal(await focused(), 'Edit text');

        // The copy button on the block's badge, as a mouse user copies it: GrapesJS's own clone
        // gave the copy the original's style here (after two typings and a move), leaving the
        // original unstyled. Both keep their style; the copy goes again.
        const styledCells = async (count) => {
          const cells = canvas.locator('td.pad', { hasText: 'Take a look around' });
          await cells.nth(count - 1).waitFor();
          assert.equal(await cells.count(), count);
          assert.deepEqual(await cells.evaluateAll((all) => all.map((cell) => getComputedStyle(cell).paddingLeft)), Array(count).fill('40px'));
        };
        await page.evaluate(() => {
          const { editor, blockOf } = window.emailEditor;
          editor.select(blockOf(editor.getSelected()).block);
          editor.runCommand('tlb-clone');
        });
        await styledCells(2);
        await press('Delete block');
        await said('Deleted the block (Undo brings it back). Selected text “Thanks for joining');
        await press('Previous part');
        await said('part 4 of 7.');

        // A copy of the block from the toolbar, deleted again; then the text after it, brought back by Undo.
        await press('Duplicate block');
        await said('Duplicated the block. Selected text “Take a look around');
        await said('part 5 of 8.');
        await styledCells(2);
        await press('Delete block');
        await said('Deleted the block (Undo brings it back). Selected text “Thanks for joining');
        await press('Delete block');
        await canvas.getByText('Thanks for joining').waitFor({ state: 'detached' });
        await press('Undo');
        await canvas.getByText('Thanks for joining').waitFor();
        await said('Undid the last change.');
        await screenshot(page, 'editor-keyboard');

        await press('Save design');
        await page.getByText('Design saved.').waitFor();
        await editorReady();
        const html = await savedHtml();
        assert.ok(html.includes('Take a look around; we think you will like it here. Typed from the keyboard. Typed again.'), 'both typings are saved, once');
        assert.equal(html.split('Take a look around').length, 2, 'the copy is gone');
        assert.ok(html.indexOf('Take a look around') < html.indexOf('Thanks for joining'), 'the moved block comes first');
        assert.match(html, /<a [^>]*href="https:\/\/shop\.example\.com\/welcome-offer"/);
        // Every Liquid tag of the starter is still there, in order, but the button's address that was replaced.
        const tags = liquidTagsOf(original);
        tags.splice(tags.indexOf('{{ shop.url }}'), 1);
        assert.deepEqual(liquidTagsOf(html), tags);
      },
    ],

    [
      'the product block: a product a Shopify webhook brought in is picked from the catalogue and written into the email with its name, price and link',
      async () => {
        // A Shopify store whose catalogue has one product, sent as Shopify signs it.
        await page.goto(`${base}/app/settings/stores`);
        await page.locator('select[name=platform]').selectOption('shopify');
        await page.locator('main input[name=name]').fill('Catalog shop');
        await page.locator('main input[name=currency]').fill('USD');
        await page.getByRole('button', { name: 'Connect store' }).click();
        await page.waitForURL(/\/app\/settings\/stores\?reveal=/);
        const card = page.locator('section.connection', { hasText: 'Catalog shop' });
        const url = await card.locator('input[id^=url-]').inputValue();
        const secret = `shpss_catalog_${run}`;
        await card.locator('input[name=secret]').fill(secret);
        await card.getByRole('button', { name: 'Save secret' }).click();
        await page.waitForURL(/done=secret/);
        const sent = await fetch(url, {
          method: 'POST',
          body: SHOPIFY_PRODUCT,
          headers: {
            'content-type': 'application/json',
            'X-Shopify-Topic': 'products/update',
            'X-Shopify-Hmac-Sha256': createHmac('sha256', secret).update(SHOPIFY_PRODUCT).digest('base64'),
            'X-Shopify-Webhook-Id': `browser-product-${run}`,
          },
        });
        assert.equal(sent.status, 202);
        for (let i = 0; i < 50; i++) {
          await page.goto(`${base}/app/products`);
          if (await page.getByText('Example T-Shirt').count()) break;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        await page.getByText('Example T-Shirt').first().waitFor();

        await createDesign(`Product ${run}`, 'A blank email');
        await canvas.locator('h1').click();
        await page.locator('#add-block').selectOption('product');
        await page.locator('#add-product option', { hasText: 'Example T-Shirt' }).first().waitFor({ state: 'attached' });
        const choice = await page.locator('#add-product option', { hasText: 'Example T-Shirt' }).first().getAttribute('value');
        await page.locator('#add-product').selectOption(choice);
        await page.getByRole('button', { name: 'Add block' }).click();
        await canvas.getByText('Example T-Shirt').waitFor();
        await page.getByRole('button', { name: 'Save design' }).click();
        await page.getByText('Design saved.').waitFor();
        await editorReady();
        const saved = await savedHtml();
        assert.match(saved, /Example T-Shirt/);
        assert.match(saved, /\$19\.99/, 'the price, in the store currency');
        assert.match(saved, /<a [^>]*href="[^"]+"[^>]*>View product<\/a>/, 'a link to the product');
        // The preview renders it for the sample contact.
        await waitForFrameText(page, 'iframe.email-preview', 'Example T-Shirt');
        await screenshot(page, 'editor-product-block');
      },
    ],

    [
      'a design saved from the HTML view opens there, and the visual view imports it',
      async () => {
        await createDesign(`Own HTML ${run}`, 'A blank email');
        await page.getByRole('button', { name: 'HTML', exact: true }).click();
        const own =
          '<html><body><table><tr><td>Handmade for {{ contact.first_name | default: "you" }}</td></tr>{% if shop.url %}<tr><td><a href="{{ shop.url }}">Visit</a></td></tr>{% endif %}</table><a href="{{ unsubscribe_url }}">Unsubscribe</a></body></html>';
        await page.locator('textarea[name=html]').fill(own);
        await page.getByRole('button', { name: 'Save design' }).click();
        await page.getByText('Design saved.').waitFor();
        await editorReady();
        assert.equal(await page.locator('textarea[name=html]').inputValue(), own, 'kept exactly as written');
        assert.ok(await page.locator('textarea[name=html]').isVisible(), 'opens in the HTML view');
        await page.getByRole('button', { name: 'Visual', exact: true }).click();
        await canvas.getByText('Handmade for').waitFor();
        assert.deepEqual(liquidTagsOf(await savedHtml()), liquidTagsOf(own), 'the import keeps its Liquid');
      },
    ],

    [
      'a hostile stored project runs nothing in the canvas: scripts, handlers and javascript: links are dropped before it loads',
      async () => {
        const marker = "top.document.title='pwned';top.pwned=1;fetch('/pwned-project')";
        const hostile = {
          pages: [
            {
              frames: [
                {
                  component: {
                    type: 'wrapper',
                    components: [
                      { tagName: 'script', type: 'script', components: [{ type: 'textnode', content: marker }] },
                      { tagName: 'img', attributes: { src: '/missing.png', onerror: marker } },
                      { type: 'link', tagName: 'a', attributes: { href: ` JaVaScRiPt:${marker}`, id: 'lure' }, components: [{ type: 'textnode', content: 'Claim' }] },
                      { tagName: 'div', content: `<img src="/missing.png" onerror="${marker}">` },
                      { type: 'text', tagName: 'p', components: [{ type: 'textnode', content: 'Hostile project marker' }] },
                    ],
                  },
                },
              ],
            },
          ],
        };
        const requests = [];
        const onRequest = (request) => request.url().includes('pwned') && requests.push(request.url());
        page.context().on('request', onRequest);
        try {
          // Saved as the editor would save it (a member could also send it through the API).
          await createDesign(`Hostile project ${run}`, 'A blank email');
          await page.evaluate((project) => {
            document.querySelector('input[name=project]').value = JSON.stringify(project);
          }, hostile);
          await page.getByRole('button', { name: 'Save design' }).click();
          await page.getByText('Design saved.').waitFor();
          await editorReady();
          await canvas.getByText('Hostile project marker').waitFor();
          assert.equal(await canvas.locator('script, [onerror], a[href*="javascript:" i]').count(), 0, 'nothing that runs reached the canvas');
          await canvas.locator('#lure').click({ force: true });
          await page.waitForTimeout(300);
          assert.notEqual(await page.title(), 'pwned');
          assert.equal(await page.evaluate(() => window.pwned), undefined);
          assert.deepEqual(requests, []);
        } finally {
          page.context().off('request', onRequest);
        }
      },
    ],

    [
      'the editor at phone width: no horizontal overflow, the HTML view works',
      async () => {
        const context = await newContext({ viewport: PHONE, storageState: await page.context().storageState() });
        const phone = await context.newPage();
        try {
          await phone.goto(`${base}/app/marketing/designs`);
          assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the gallery fits');
          await screenshot(phone, 'editor-gallery-phone');
          await phone.locator('table a').first().click();
          await phone.locator('#design-form[data-editor-ready="true"]').waitFor();
          await phone.getByRole('button', { name: 'Visual', exact: true }).click();
          await phone.getByText('The visual editor needs a wider screen').waitFor();
          assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the editor fits');
          await phone.getByRole('button', { name: 'HTML', exact: true }).click();
          assert.ok(await phone.locator('textarea[name=html]').isVisible());
          await screenshot(phone, 'editor-phone');
        } finally {
          await context.close();
          // The scenarios after this file's expect the merchant's page on Settings, where the one before left it.
          await page.goto(`${base}/app/settings`);
        }
      },
    ],
  ];
};
