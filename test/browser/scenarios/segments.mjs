// Segments a merchant expects: "spent over 100 in the last 90 days AND NOT tagged vip",
// built in the rule builder (partly by keyboard), saved, and its members listed with
// consent and spend, at desktop and phone width.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'woocommerce', 'order-created.json');
const DAY = 86_400_000;

export default ({ base, page, run, PHONE, newContext, mainText, screenshot, logIn }) => {
  const buyers = { recent: `seg-recent-${run}@example.com`, vip: `seg-vip-${run}@example.com`, old: `seg-old-${run}@example.com` };

  /** Connects a WooCommerce store and sends it signed orders: one per buyer, placed `daysAgo` days ago. */
  async function sendOrders(orders) {
    await page.goto(`${base}/app/settings/stores`);
    await page.locator('select[name=platform]').selectOption('woocommerce');
    await page.locator('main input[name=name]').fill(`Segments shop ${run}`);
    await page.locator('main input[name=currency]').fill('USD');
    await page.getByRole('button', { name: 'Connect store' }).click();
    await page.waitForURL(/\/app\/settings\/stores\?reveal=/);
    const card = page.locator('section.connection', { hasText: `Segments shop ${run}` });
    const url = await card.locator('input[id^=url-]').inputValue();
    const secret = await card.locator('input[id^=secret-]').inputValue();
    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    for (const [i, { email, total, daysAgo }] of orders.entries()) {
      const at = new Date(Date.now() - daysAgo * DAY).toISOString().slice(0, 19);
      const order = {
        ...fixture,
        id: 9100 + i,
        number: String(9100 + i),
        currency: 'USD',
        total,
        billing: { ...fixture.billing, email, first_name: `Buyer${i}` },
        date_created: at,
        date_created_gmt: at,
        date_modified: at,
        date_modified_gmt: at,
        date_paid: at,
        date_paid_gmt: at,
        cart_hash: `seg-${run}-${i}`,
      };
      const body = JSON.stringify(order);
      const res = await fetch(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'X-WC-Webhook-Source': 'https://shop.example/',
          'X-WC-Webhook-Topic': 'order.created',
          'X-WC-Webhook-Resource': 'order',
          'X-WC-Webhook-Event': 'created',
          'X-WC-Webhook-Signature': createHmac('sha256', secret).update(body).digest('base64'),
          'X-WC-Webhook-ID': '13',
          'X-WC-Webhook-Delivery-ID': `segments-${run}-${i}`,
        },
      });
      assert.equal(res.status, 202, `order webhook answered ${res.status}: ${await res.clone().text()}`);
    }
  }

  /** Waits for the queue to turn an order into a contact, and opens that contact. */
  async function openContact(email) {
    for (let i = 0; i < 60; i++) {
      await page.goto(`${base}/app/contacts?q=${encodeURIComponent(email)}`);
      const link = page.locator('main tbody a[href^="/app/contacts/"]').first();
      if (await link.count()) return link.click();
      await page.waitForTimeout(250);
    }
    assert.fail(`${email} never became a contact`);
  }

  return [
    [
      'segments: build "spent over 100 in the last 90 days AND NOT tagged vip" in the builder, save it, and see its members with consent and spend',
      async () => {
        // The closing scenarios go on from the page this one found (the API keys' settings).
        const returnTo = page.url();
        try {
          await buildAndSave();
        } finally {
          await page.goto(returnTo);
        }
      },
    ],
  ];

  async function buildAndSave() {
    await sendOrders([
      { email: buyers.recent, total: '150.00', daysAgo: 10 },
      { email: buyers.vip, total: '200.00', daysAgo: 5 },
      { email: buyers.old, total: '300.00', daysAgo: 200 },
    ]);
    for (const email of [buyers.recent, buyers.old]) await openContact(email);
    await openContact(buyers.vip);
    await page.locator('#field-tag').fill('vip');
    await page.locator('#tags').getByRole('button', { name: 'Add' }).click();
    await page.locator('.tag-chip', { hasText: 'vip' }).waitFor();

    await page.goto(`${base}/app/segments/new`);
    await page.locator('#segment-builder .rule').first().waitFor();
    await page.locator('main input[name=name]').fill(`Recent buyers, not VIP ${run}`);
    const rule = page.locator('#segment-builder .rule').first();
    // By keyboard: the field select, then the operator; a rebuild keeps focus where it was.
    const field = rule.getByLabel('Field');
    await field.focus();
    await field.selectOption('totalSpent');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Field', 'focus stays on the field select after the rules rebuild');
    const amount = page.locator('#segment-builder .rule').first().getByLabel('Amount');
    await amount.fill('100');
    await page.locator('#segment-builder .rule').first().getByLabel('Period').selectOption('within');
    const days = page.locator('#segment-builder .rule').first().getByLabel('Days');
    assert.equal(await days.inputValue(), '90');
    const notGroup = page.getByRole('button', { name: '+ NOT group' });
    await notGroup.focus();
    await page.keyboard.press('Enter');
    await page.locator('#segment-builder .rule-group.negated .rule').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), '+ NOT group', 'focus stays on the button that added the group');
    const negated = page.locator('#segment-builder .rule-group.negated');
    assert.equal(await negated.getByLabel('NOT (exclude these)').isChecked(), true);
    assert.equal(await negated.getByLabel('Tags, comma separated').inputValue(), 'vip');
    const definition = JSON.parse(await page.locator('textarea[name=definition]').inputValue());
    assert.deepEqual(definition, {
      match: 'all',
      children: [
        { field: 'totalSpent', op: 'gt', value: 10000, withinDays: 90 },
        { match: 'any', not: true, children: [{ field: 'tags', op: 'hasAny', tags: ['vip'] }] },
      ],
    });
    await page.locator('#segment-count', { hasText: /^\d/ }).waitFor();
    await page.locator('#segment-sample li', { hasText: buyers.recent }).waitFor();
    await screenshot(page, 'segments-builder-not-group');

    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.waitForURL(/\/app\/segments\/[0-9A-Z]{26}$/);
    const segmentPath = new URL(page.url()).pathname;
    const members = page.locator('table.segment-members');
    const row = members.locator('tbody tr', { hasText: buyers.recent });
    await row.waitFor();
    assert.match(await row.innerText(), /Email: /);
    assert.match(await row.innerText(), /SMS: /);
    assert.match(await row.innerText(), /150\.00/);
    const text = await mainText(page);
    assert.match(text, /\d+ contacts? match(es)? the saved rules now\./);
    assert.ok(!text.includes(buyers.vip), 'the VIP is excluded by the NOT group');
    assert.ok(!text.includes(buyers.old), 'a purchase 200 days ago is outside the window');
    await screenshot(page, 'segments-members');

    const context = await newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    try {
      const phone = await context.newPage();
      await logIn(phone, base);
      await phone.waitForURL(/\/app\//);
      await phone.goto(`${base}${segmentPath}`);
      await phone.locator('#segment-builder .rule-group.negated').waitFor();
      await phone.locator('table.segment-members tbody tr', { hasText: buyers.recent }).waitFor();
      await screenshot(phone, 'segments-members-phone');
      const scrollWidth = await phone.evaluate(() => document.scrollingElement.scrollWidth);
      assert.ok(scrollWidth <= PHONE.width, `segment page is ${scrollWidth}px wide on a ${PHONE.width}px screen`);
    } finally {
      await context.close();
    }
  }
};
