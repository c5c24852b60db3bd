// Contacts list scenarios: 10,000 contacts imported into a workspace of their own (so other
// scenarios' counts stay as they expect), sorted and filtered with their count, a bulk action
// on the whole filter finishing in the background with progress, the "Add contact" form with
// its errors, and the pages at phone width.
import assert from 'node:assert/strict';

const WORKSPACE = 'Contacts Bulk Store';
const COUNT = 10_000;

export default (ctx) => {
  const { base, page, PHONE, newContext, mainText, screenshot, logIn } = ctx;
  let firstWorkspace;

  const tenThousand = () => {
    const rows = ['email,first_name,tags,email_consent,total_spent,order_count'];
    for (let i = 1; i <= COUNT; i++) rows.push(`bulk-${i}@contacts.example,Bulk ${i},${i % 2 ? 'odd' : 'even'},${i % 3 ? 'yes' : 'no'},${i % 500},${i % 7}`);
    return Buffer.from(rows.join('\n'));
  };

  return [
    [
      'contacts: import 10,000 contacts into a workspace of their own',
      async () => {
        await page.goto(`${base}/app/contacts`);
        firstWorkspace = (await page.locator('#workspace-select option:checked').innerText()).trim();
        await page.getByRole('link', { name: '+ New workspace' }).click();
        await page.waitForURL(`${base}/app/workspaces/new`);
        await page.locator('main input[name=name]').fill(WORKSPACE);
        await page.locator('main input[name=timeZone]').fill('Europe/Paris');
        await page.getByRole('button', { name: 'Create workspace' }).click();
        await page.locator(`main.content[data-workspace="${WORKSPACE}"]`).waitFor();
        await page.goto(`${base}/app/contacts`);
        await page.locator('#field-file').setInputFiles({ name: 'ten-thousand.csv', mimeType: 'text/csv', buffer: tenThousand() });
        // The upload answers at once (303 to the import's page); the page is then polled
        // until the chunks are done. Under `wrangler dev` the first load of that page, made
        // while the first queue batch of chunks runs, has hung for minutes in some runs while
        // every later load answered in milliseconds (a local-runtime artefact not pinned
        // down), so each poll has its own timeout and a hung one is simply retried.
        const uploaded = page.waitForResponse((response) => response.url() === `${base}/app/contacts/imports` && response.request().method() === 'POST');
        await page.locator('form.upload-form').evaluate((form) => form.requestSubmit());
        const response = await uploaded;
        assert.equal(response.status(), 303);
        const importPage = new URL(response.headers().location, base).href;
        assert.match(importPage, /\/app\/contacts\/imports\/\w+$/);
        for (const deadline = Date.now() + 180_000; ; await page.waitForTimeout(1000)) {
          const loaded = await page.goto(importPage, { timeout: 20_000 }).catch(() => null);
          if (loaded && /Done/.test(await mainText(page))) break;
          assert.ok(Date.now() < deadline, 'the import of 10,000 contacts did not finish in 3 minutes');
        }
      },
    ],
    [
      'contacts: count, sort and consent filter',
      async () => {
        await page.goto(`${base}/app/contacts`);
        assert.match(await page.locator('#contacts-total').innerText(), /10,000 contacts match/);
        await page.locator('#field-tag').selectOption('odd');
        await page.locator('#field-emailConsent').selectOption('subscribed');
        await page.locator('#field-sort').selectOption('spend');
        await page.getByRole('button', { name: 'Apply', exact: true }).click();
        await page.waitForURL(/sort=spend/);
        // Odd numbers not divisible by 3: 3,333 or so of 5,000.
        const total = Number((await page.locator('#contacts-total strong').innerText()).replace(/,/g, ''));
        assert.ok(total > 3000 && total < 3500, `unexpected count ${total}`);
        const firstSpend = await page.locator('tbody tr').first().locator('td[data-label="Total spent"]').innerText();
        assert.match(firstSpend, /499\.00/);
        await screenshot(page, 'contacts-filtered');
      },
    ],
    [
      'contacts: a bulk action on a filter of 10,000 contacts finishes in the background with progress',
      async () => {
        await page.goto(`${base}/app/contacts`);
        await page.locator('#bulk-action').selectOption('tag');
        await page.locator('#bulk-tags').fill('everyone');
        // The channels only matter to an unsubscribe: hidden for a tag.
        assert.equal(await page.locator('#bulk-channel-email').isVisible(), false);
        await page.locator('#bulk-scope-filter').check();
        await page.getByRole('button', { name: 'Apply to contacts' }).click();
        await page.waitForURL(/done=bulk-started/);
        await page.getByText('running in the background').waitFor();
        await screenshot(page, 'contacts-bulk-running');
        // The poller reloads the page when the job is done.
        await page.locator('#bulk-jobs .badge', { hasText: 'Done' }).first().waitFor({ timeout: 300_000 });
        assert.match(await page.locator('#bulk-jobs li').first().innerText(), /10,000 of 10,000 contacts|10000 of 10000 contacts/);
        await page.goto(`${base}/app/contacts?tag=everyone`);
        assert.match(await page.locator('#contacts-total').innerText(), /10,000 contacts match/);
        await screenshot(page, 'contacts-bulk-done');
      },
    ],
    [
      'contacts: the "Add contact" form shows errors next to fields, then adds the contact',
      async () => {
        await page.goto(`${base}/app/contacts`);
        await page.getByRole('link', { name: 'Add contact' }).click();
        await page.waitForURL(`${base}/app/contacts/new`);
        await page.locator('#field-email').fill('not-an-email');
        await page.locator('#field-emailConsent').check();
        await page.getByRole('button', { name: 'Add contact' }).click();
        await page.locator('#field-email-error').waitFor();
        await page.locator('#field-email').fill('walk-in@contacts.example');
        await page.getByRole('button', { name: 'Add contact' }).click();
        // Consent needs where it was given.
        await page.locator('#field-consentSource-error').waitFor();
        await screenshot(page, 'contacts-add-errors');
        await page.locator('#field-consentSource').fill('Shop counter');
        await page.locator('#field-tags').fill('walk-in');
        await page.getByRole('button', { name: 'Add contact' }).click();
        await page.getByText('Contact added.').waitFor();
        assert.match(await mainText(page), /Shop counter/);
      },
    ],
    [
      'contacts: the list and the form fit a phone',
      async () => {
        const context = await newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
        try {
          const phone = await context.newPage();
          await logIn(phone, base);
          await phone.waitForURL(/\/app\//);
          for (const [path, shot] of [
            ['/app/contacts', 'phone-contacts-list'],
            ['/app/contacts/new', 'phone-contacts-add'],
          ]) {
            await phone.goto(`${base}${path}`);
            await screenshot(phone, shot);
            const scrollWidth = await phone.evaluate(() => document.scrollingElement.scrollWidth);
            assert.ok(scrollWidth <= PHONE.width, `${path}: page is ${scrollWidth}px wide on a ${PHONE.width}px screen`);
          }
        } finally {
          await context.close();
        }
        // Leave the merchant in the workspace the other scenarios expect.
        await page.locator('#workspace-select').selectOption({ label: firstWorkspace });
        await page.locator(`main.content[data-workspace="${firstWorkspace}"]`).waitFor();
        // The closing scenarios continue from Settings, where the API key scenario left the page.
        await page.goto(`${base}/app/settings`);
      },
    ],
  ];
};
