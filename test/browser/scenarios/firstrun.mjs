// First run: a new merchant ticks the getting-started checklist through a whole setup
// (store, own SMTP sender, contacts, Welcome flow, first campaign), meeting on the way the
// content step's "Next: Schedule" (it keeps a design picked in the dropdown) and the
// postal-address rule (said on the schedule step, with the link that fixes it) and the
// sending-domain check (what DNS lacks, in plain words, and the warning before the send).
import assert from 'node:assert/strict';

export default ({ base, run, PASSWORD, DESKTOP, PHONE, mailbox, newContext, mainText, screenshot }) => {
  const email = `firstrun-${run}@example.com`;
  const progress = (page) => page.locator('[data-checklist-progress]').innerText();
  const isDone = async (page, item) => (await page.locator(`[data-checklist-item=${item}]`).getAttribute('data-done')) === 'true';

  async function signUpAndLogIn(page) {
    await page.goto(`${base}/signup`);
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('input[name=workspaceName]').fill('First Run Shop');
    await page.locator('input[name=timeZone]').fill('Europe/Paris');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${base}/signup/sent`);
    await page.goto(`${base}/login`);
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/app/marketing`);
  }

  /** Back to Marketing, where the step just done is ticked. */
  async function expectTicked(page, item, count) {
    // An import (and so the contacts step) finishes in the background: look again for a while.
    for (let tries = 0; ; tries++) {
      await page.goto(`${base}/app/marketing`);
      if ((await isDone(page, item)) || tries >= 30) break;
      await page.waitForTimeout(1000);
    }
    assert.equal(await isDone(page, item), true, `${item} is ticked`);
    assert.equal(await progress(page), `${count} of 5 done`);
  }

  return [
    [
      'first run: the checklist ticks through a whole setup, and can be dismissed once complete',
      async () => {
        const context = await newContext({ viewport: DESKTOP });
        const page = await context.newPage();
        try {
          await signUpAndLogIn(page);
          assert.equal(await progress(page), '0 of 5 done');
          await screenshot(page, 'firstrun-checklist-empty');

          // 1. Connect the store, from the checklist's link.
          await page.locator('[data-checklist-item=store] a').click();
          await page.waitForURL(`${base}/app/settings/stores`);
          await page.locator('select[name=platform]').selectOption('custom');
          await page.locator('main input[name=name]').fill('First Run Store');
          await page.getByRole('button', { name: 'Connect store' }).click();
          await page.waitForLoadState();
          await expectTicked(page, 'store', 1);

          // 2. Send from its own domain: the dev mailbox stands in for the merchant's SMTP server.
          await page.locator('[data-checklist-item=sender] a').click();
          await page.waitForURL(`${base}/app/settings/email`);
          await page.locator('input[name=host]').fill('127.0.0.1');
          await page.locator('input[name=port]').fill(String(mailbox.smtpPort));
          await page.locator('select[name=security]').selectOption('none');
          await page.locator('input[name=acceptPlaintext]').check();
          await page.locator('input[name=username]').fill('dev');
          await page.locator('input[name=password]').fill('dev');
          // custom.example, in the run's canned DNS (scripts/dev-doh.mjs), has only a DKIM key, under "mysel".
          await page.locator('input[name=fromEmail]').fill('hello@custom.example');
          await page.getByRole('button', { name: 'Save sender' }).click();
          await page.getByText('Sender saved').waitFor();
          // The sending domain is explained (SPF, DKIM, DMARC) and checked through DNS over HTTPS.
          assert.match(await mainText(page), /Sending domain: custom\.example/);
          assert.match(await mainText(page), /v=DMARC1/);
          await page.getByRole('button', { name: 'Check DNS records' }).click();
          await page.waitForURL(/checked=1/);
          const missing = await page.locator('[data-domain-missing] li').allInnerTexts();
          assert.equal(missing.length, 3, `SPF, DKIM (not under a common selector) and DMARC missing: ${missing.join(' | ')}`);
          assert.match(missing[0], /^No SPF record: custom\.example has no TXT record/);
          assert.match(missing[1], /^No DKIM key under the common selectors .*enter the selector your provider gave you/);
          assert.match(missing[2], /^No DMARC record: _dmarc\.custom\.example/);
          // Given the provider's selector, the key is found.
          await page.getByLabel('DKIM selector (optional)').fill('mysel');
          await page.getByRole('button', { name: 'Check DNS records' }).click();
          await page.waitForURL(/checked=1/);
          await page.locator('[data-record=DKIM][data-state=found]').waitFor();
          assert.equal(await page.locator('[data-record=SPF]').getAttribute('data-state'), 'missing');
          assert.equal(await page.locator('[data-domain-missing] li').count(), 2, 'SPF and DMARC still missing');
          await screenshot(page, 'firstrun-email-sender-domain');
          await expectTicked(page, 'sender', 2);

          // 3. Bring in contacts from a CSV.
          await page.locator('[data-checklist-item=contacts] a').click();
          await page.waitForURL(`${base}/app/contacts#import`);
          await page.locator('input[name=file]').setInputFiles({
            name: 'contacts.csv',
            mimeType: 'text/csv',
            buffer: Buffer.from(`email,first_name,email_consent\nada-${run}@example.com,Ada,subscribed\n`),
          });
          await page.getByRole('button', { name: 'Import', exact: true }).click();
          await page.waitForLoadState();
          await expectTicked(page, 'contacts', 3);

          // 4. Switch on the Welcome flow.
          await page.locator('[data-checklist-item=welcome] a').click();
          await page.waitForURL(`${base}/app/marketing/flows`);
          await page.getByRole('link', { name: 'Create Welcome' }).click();
          await page.getByRole('button', { name: 'Next: Message' }).click();
          await page.getByLabel(/^Subject/).fill('Welcome to First Run Shop');
          await page.getByRole('button', { name: 'Next: Confirm' }).click();
          await page.getByRole('button', { name: 'Create, switched off' }).click();
          await page.getByText('Flow created, switched off').waitFor();
          await page.getByRole('button', { name: 'Switch on' }).click();
          await page.getByText('The flow is on').waitFor();
          await expectTicked(page, 'welcome', 4);

          // 5. The first campaign: a design picked in the dropdown survives "Next: Schedule".
          await page.locator('[data-checklist-item=campaign] a').click();
          await page.waitForURL(`${base}/app/marketing/campaigns/new`);
          await page.locator('main input[name=name]').fill('Hello world');
          await page.getByRole('button', { name: 'Create campaign' }).click();
          await page.waitForURL(/step=audience$/);
          const campaignUrl = page.url().replace(/\?.*$/, '');
          await page.getByRole('button', { name: 'Save and continue' }).click();
          await page.waitForURL(/step=content/);
          await page.getByRole('button', { name: 'Create design' }).click();
          await page.waitForURL(/done=starter/);
          // A second design, picked but not "used": Next must keep it.
          await page.locator('select[name=starter]').selectOption({ index: 1 });
          await page.getByRole('button', { name: 'Create design' }).click();
          await page.waitForURL(/done=starter/);
          const options = await page.locator('select[name=contentId] option').allInnerTexts();
          assert.ok(options.length >= 3, 'two designs to pick from');
          const current = await page.locator('select[name=contentId]').inputValue();
          const other = await page.locator('select[name=contentId] option').evaluateAll((nodes, keep) => nodes.map((n) => n.value).find((v) => v && v !== keep), current);
          await page.locator('select[name=contentId]').selectOption(other);
          // No postal address yet: said before the last step, with the link that fixes it.
          assert.match(await mainText(page), /postal address/);
          await screenshot(page, 'firstrun-content-postal-address');
          await page.getByRole('button', { name: 'Next: Schedule' }).click();
          await page.waitForURL(`${campaignUrl}?step=schedule&done=content`);
          assert.match(await page.locator('.notice', { hasText: 'postal address' }).innerText(), /CAN-SPAM/);
          await page.goto(`${campaignUrl}?step=review`);
          assert.match(await page.locator(`a[href="/app/marketing/designs/${other}"]`).first().innerText(), /./, 'the picked design was saved');

          await page.goto(`${campaignUrl}?step=schedule`);
          await page.getByRole('link', { name: 'Set your postal address' }).click();
          await page.waitForURL(/\/app\/settings/);
          await page.locator('input[name=postalAddress]').fill('1 First Street, Paris, France');
          await page.getByRole('button', { name: 'Save workspace' }).click();
          await page.waitForURL(/saved=1/);

          await page.goto(`${campaignUrl}?step=schedule`);
          assert.equal(await page.locator('[data-footer-issue]').count(), 0, 'no postal-address notice once set');
          await page.locator('input[name=when][value=now]').check();
          await page.getByRole('button', { name: 'Continue to review' }).click();
          await page.waitForURL(/step=review/);
          // The domain has no SPF record: the review says so before the send, with the way to fix it.
          assert.match(await page.locator('[data-domain-warning]').innerText(), /^Your sending domain custom\.example has no SPF record, so this email is more likely to land in spam/);
          assert.equal(await page.getByRole('link', { name: 'See what to add' }).getAttribute('href'), '/app/settings/email#domain-heading');
          page.once('dialog', (dialog) => dialog.accept());
          await page.getByRole('button', { name: 'Send now' }).click();
          await page.waitForURL(/done=sending/);
          await expectTicked(page, 'campaign', 5);
          assert.match(await mainText(page), /You are all set/);
          await screenshot(page, 'firstrun-checklist-complete');

          const phone = await newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
          try {
            const small = await phone.newPage();
            await small.context().addCookies(await context.cookies());
            await small.goto(`${base}/app/marketing`);
            await small.locator('#first-run-checklist').waitFor();
            await screenshot(small, 'phone-firstrun-checklist');
            const scrollWidth = await small.evaluate(() => document.scrollingElement.scrollWidth);
            assert.ok(scrollWidth <= PHONE.width, `checklist page is ${scrollWidth}px wide on a ${PHONE.width}px screen`);
            await small.goto(`${base}/app/settings/email`);
            await screenshot(small, 'phone-firstrun-email-sender');
            const senderWidth = await small.evaluate(() => document.scrollingElement.scrollWidth);
            assert.ok(senderWidth <= PHONE.width, `email sender page is ${senderWidth}px wide on a ${PHONE.width}px screen`);
          } finally {
            await phone.close();
          }

          await page.getByRole('button', { name: 'Dismiss the checklist' }).click();
          await page.waitForURL(`${base}/app/marketing`);
          assert.equal(await page.locator('#first-run-checklist').count(), 0, 'dismissed');
        } finally {
          await context.close();
        }
      },
    ],
  ];
};
