// Accessibility of every dashboard page: axe-core finds nothing, a "Skip to content" link
// comes first and moves focus to the page's main area, and keyboard focus is always visible.
//
// The pages are found, not listed: a bounded crawl of the same-origin /app links reachable
// from the navigation, so pages added later are checked without editing this file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// WCAG 2.0 and 2.1, A and AA, plus axe's best practices: those are the rules for landmarks,
// heading order, one main and one h1, which keyboard and screen-reader users lean on most.
const AXE_OPTIONS = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  // Frames show the merchant's own email designs (sandboxed, untrusted HTML), not the
  // dashboard; axe still checks that each frame has a title.
  iframes: false,
  resultTypes: ['violations'],
};

const MAX_PAGES = 150; // per viewport: a crawl must end even if pages link to endless variants
const FOCUS_STOPS = 15; // Tab presses per page in the focus-ring check
const MIN_FOCUS_CONTRAST = 3; // WCAG 1.4.11 (non-text contrast)

// Links the crawl never follows: leaving the app, files, anything that sounds like it acts.
const SKIP_PATH = /\/(logout|log-out)\b|\.(csv|json|txt|pdf|zip|xml|png|jpe?g|gif|svg|ico)$|\/(delete|erase|revoke|disconnect|remove)\b/i;

/**
 * The shape of a URL: ids in the path are the same page with other data; a query value that
 * is a word (a step, a channel) picks another view, any other value (an id, a page number,
 * a date) does not.
 */
function pageShape(url) {
  const path = url.pathname
    .split('/')
    .map((part) => (/^(?=.*\d)[\w-]{8,}$/.test(part) ? ':id' : part))
    .join('/');
  const query = [...url.searchParams]
    .map(([key, value]) => `${key}=${/^[a-z_-]{1,20}$/i.test(value) ? value : ':v'}`)
    .sort()
    .join('&');
  return query ? `${path}?${query}` : path;
}

// Two of each shape with an id in the campaigns, where one record can show another view
// than the next (a draft campaign is a builder, a sent one a report); one elsewhere.
const PER_SHAPE = (shape) => (shape.startsWith('/app/marketing/campaigns/:id') ? 2 : 1);

/** The /app pages reachable from `start` by links, a bounded few per shape, in the order found. */
async function crawl(page, base, start) {
  const queue = [new URL(start, base)];
  const seen = new Map([[pageShape(queue[0]), 1]]);
  const visited = new Set([queue[0].href]);
  const pages = [];
  while (queue.length && pages.length < MAX_PAGES) {
    const url = queue.shift();
    const response = await page.goto(url.href, { timeout: 45_000 }).catch((err) => ({ error: err }));
    if (response.error) continue; // a download, not a page
    if (!/text\/html/.test(response.headers()['content-type'] ?? '')) continue;
    // Only our own pages: a design's raw preview is the merchant's HTML, not the dashboard.
    if (!(await page.locator('link[rel=stylesheet][href="/app.css"]').count())) continue;
    pages.push(url.pathname + url.search);
    const hrefs = await page.$$eval('a[href]:not([download])', (links) => links.map((a) => a.href));
    for (const href of hrefs) {
      const next = new URL(href);
      next.hash = '';
      if (next.origin !== new URL(base).origin || !next.pathname.startsWith('/app') || SKIP_PATH.test(next.pathname)) continue;
      if (visited.has(next.href)) continue;
      visited.add(next.href);
      const shape = pageShape(next);
      if ((seen.get(shape) ?? 0) >= PER_SHAPE(shape)) continue;
      seen.set(shape, (seen.get(shape) ?? 0) + 1);
      queue.push(next);
    }
  }
  return pages;
}

/** axe's violations on the current page, one line each: rule, impact, and where. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate((options) => window.axe.run(document, options), AXE_OPTIONS);
  return results.violations.flatMap((violation) =>
    violation.nodes.map((node) => `${violation.id} (${violation.impact}): ${node.target.join(' ')} — ${node.failureSummary?.split('\n').slice(1).join(' ').trim() || violation.help}`),
  );
}

/** What is wrong with the page's skip link, or null: it must be the first thing Tab reaches. */
async function skipLinkProblem(page) {
  return page.evaluate(() => {
    const focusable = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
    const first = document.querySelector(focusable);
    if (!first) return 'nothing on the page can take focus';
    if (first.textContent.trim() !== 'Skip to content') return `the first focusable element is ${first.outerHTML.slice(0, 120)}, not the skip link`;
    const target = document.querySelector(first.getAttribute('href'));
    if (target?.tagName !== 'MAIN') return `the skip link points at ${first.getAttribute('href')}, which is not the main element`;
    return null;
  });
}

/** The ids given to more than one element of the page. */
async function duplicateIds(page) {
  return page.evaluate(() => {
    const seen = new Set();
    const twice = new Set();
    for (const { id } of document.querySelectorAll('[id]')) (seen.has(id) ? twice : seen).add(id);
    return [...twice];
  });
}

/** Checks `pages` at one viewport; returns the problems found, each naming its page. */
async function checkPages(page, base, pages, label) {
  const problems = [];
  for (const path of pages) {
    // Generous: the unit tests run beside these in CI, and a report page reads a lot.
    await page.goto(`${base}${path}`, { timeout: 45_000 }).catch((err) => {
      throw new Error(`${label} ${path}: ${err.message.split('\n')[0]}`);
    });
    for (const line of await axeViolations(page)) problems.push(`${label} ${path}: ${line}`);
    const skip = await skipLinkProblem(page);
    if (skip) problems.push(`${label} ${path}: skip-link: ${skip}`);
    // axe 4.x no longer checks this itself, and a label's `for` finds only the first of twins.
    for (const id of await duplicateIds(page)) problems.push(`${label} ${path}: duplicate-id: #${id} is used more than once`);
  }
  return problems;
}

function failWith(problems, checked) {
  if (!problems.length) return;
  for (const problem of problems) console.log(`  ! ${problem}`);
  const rules = [...new Set(problems.map((p) => /: ([\w-]+)[ :(]/.exec(p)?.[1]))].join(', ');
  assert.fail(`${problems.length} accessibility problems on ${checked} page checks (${rules}); each is listed above`);
}

/** The contrast ratio of two CSS colours (rgb()/rgba() as getComputedStyle gives them). */
function contrast(a, b) {
  const luminance = (color) => {
    const [r, g, b] = color
      .match(/[\d.]+/g)
      .slice(0, 3)
      .map(Number);
    const channel = (c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Presses Tab `stops` times; for each element reached, its outline and what the outline is drawn on. */
async function focusRings(page, stops) {
  const rings = [];
  for (let i = 0; i < stops; i++) {
    await page.keyboard.press('Tab');
    const ring = await page.evaluate(() => {
      const element = document.activeElement;
      if (!element || element === document.body) return null;
      const style = getComputedStyle(element);
      // An outline drawn outside the element sits on whatever is behind it.
      const opaque = (node) => {
        for (let n = node; n; n = n.parentElement) {
          const bg = getComputedStyle(n).backgroundColor;
          if (!/rgba\(.*, 0\)$|transparent/.test(bg)) return bg;
        }
        return 'rgb(255, 255, 255)';
      };
      const outside = Number.parseFloat(style.outlineOffset) >= 0;
      return {
        what: `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''} "${(element.textContent || element.getAttribute('aria-label') || element.name || '').trim().slice(0, 30)}"`,
        style: style.outlineStyle,
        width: Number.parseFloat(style.outlineWidth),
        color: style.outlineColor,
        background: outside ? opaque(element.parentElement) : opaque(element),
      };
    });
    if (ring) rings.push(ring);
  }
  return rings;
}

export default ({ base, page, DESKTOP, PHONE, newContext, mailbox, screenshot }) => {
  let appPages = [];
  return [
    [
      'accessibility: every dashboard page reached from the navigation passes axe-core, at desktop width',
      async () => {
        await page.setViewportSize(DESKTOP);
        appPages = await crawl(page, base, '/app/marketing');
        // Pages the navigation reaches only after an action, and the error page.
        appPages.push('/app/does-not-exist');
        console.log(`  · ${appPages.length} dashboard pages found by the crawl: ${appPages.join(' ')}`);
        assert.ok(appPages.length >= 20, `the crawl found only ${appPages.length} pages: ${appPages.join(', ')}`);
        const started = Date.now();
        const problems = await checkPages(page, base, appPages, 'desktop');
        console.log(`  · checked in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        failWith(problems, appPages.length);
      },
    ],

    [
      'accessibility: every dashboard page template passes axe-core at phone width',
      async () => {
        assert.ok(appPages.length, 'needs the pages found by the previous scenario');
        const context = await newContext({ viewport: PHONE, isMobile: true, hasTouch: true, storageState: await page.context().storageState() });
        try {
          const phone = await context.newPage();
          // One page per template: at phone width what changes is the layout, not the data
          // or the view a query picks (each of those passed at desktop width).
          const templates = new Map();
          for (const path of appPages) {
            const template = pageShape(new URL(path, base)).split('?')[0];
            if (!templates.has(template)) templates.set(template, path);
          }
          const phonePages = [...templates.values()];
          failWith(await checkPages(phone, base, phonePages, 'phone'), phonePages.length);
        } finally {
          await context.close();
        }
      },
    ],

    [
      'accessibility: the signed-out pages and the email preferences page pass axe-core, desktop and phone',
      async () => {
        const pages = ['/login', '/signup', '/signup/sent', '/forgot-password', '/reset-password?token=not-a-real-token'];
        // The preferences page, through a real unsubscribe link from the mailbox, when a campaign has been sent.
        const messages = await (await fetch(`http://127.0.0.1:${mailbox.httpPort}/api/messages`)).json();
        const withLink = messages.find((m) => m.headers?.['list-unsubscribe']);
        if (withLink) pages.push(new URL(/<(https?:[^>]+)>/.exec([].concat(withLink.headers['list-unsubscribe']).join(','))[1]).pathname);
        const problems = [];
        for (const [label, viewport] of [
          ['desktop', DESKTOP],
          ['phone', PHONE],
        ]) {
          const context = await newContext({ viewport });
          try {
            problems.push(...(await checkPages(await context.newPage(), base, pages, label)));
          } finally {
            await context.close();
          }
        }
        failWith(problems, pages.length * 2);
      },
    ],

    [
      'accessibility: Tab reaches "Skip to content" first, which moves focus to main; every focus ring is visible at 3:1',
      async () => {
        const problems = [];
        for (const path of ['/app/marketing', '/app/contacts', '/app/segments/new', '/app/settings', '/app/marketing/campaigns/new']) {
          await page.goto(`${base}${path}`);
          await page.keyboard.press('Tab');
          const first = await page.evaluate(() => ({ text: document.activeElement.textContent.trim(), visible: document.activeElement.getBoundingClientRect().height > 0 }));
          if (first.text !== 'Skip to content' || !first.visible) problems.push(`${path}: Tab first reached "${first.text}" (visible: ${first.visible})`);
          await page.keyboard.press('Enter');
          await page.waitForLoadState();
          const focused = await page.evaluate(() => document.activeElement.tagName);
          if (focused !== 'MAIN') problems.push(`${path}: the skip link moved focus to ${focused}, not MAIN`);
          await page.goto(`${base}${path}`);
          const rings = await focusRings(page, FOCUS_STOPS);
          if (rings.length < FOCUS_STOPS / 2) problems.push(`${path}: Tab reached only ${rings.length} elements`);
          for (const ring of rings) {
            const ratio = ring.style === 'none' || ring.width < 2 ? 0 : contrast(ring.color, ring.background);
            if (ratio < MIN_FOCUS_CONTRAST) {
              problems.push(`${path}: ${ring.what}: focus outline ${ring.style} ${ring.width}px ${ring.color} on ${ring.background} (${ratio.toFixed(2)}:1)`);
            }
          }
        }
        await page.goto(`${base}/app/marketing`);
        await page.keyboard.press('Tab');
        await screenshot(page, 'a11y-skip-link');
        await page.keyboard.press('Tab');
        await screenshot(page, 'a11y-focus-ring', false);
        failWith(problems, 5);
      },
    ],

    [
      'accessibility: the segment rule builder works from the keyboard alone',
      async () => {
        await page.goto(`${base}/app/segments/new`);
        const rules = page.locator('#segment-builder .rule');
        const before = await rules.count();
        const add = page.locator('#segment-builder').getByRole('button', { name: '+ Condition' }).first();
        await add.focus();
        await page.keyboard.press('Enter');
        await page.waitForFunction((n) => document.querySelectorAll('#segment-builder .rule').length > n, before);
        // Focus lands on the new condition's field, and survives the rebuild each choice causes.
        const focused = () => page.evaluate(() => `${document.activeElement.tagName} ${document.activeElement.getAttribute('aria-label')}`);
        assert.equal(
          await rules
            .last()
            .locator('select')
            .first()
            .evaluate((node) => node === document.activeElement),
          true,
          `focus is on ${await focused()}, not the new field`,
        );
        await page.keyboard.press('ArrowDown');
        assert.equal(await focused(), 'SELECT Field', 'choosing a field with the arrow keys keeps focus on it');
        await page.keyboard.press('Tab');
        await page.keyboard.press('ArrowDown');
        assert.equal(await focused(), 'SELECT Operator', 'choosing an operator with the arrow keys keeps focus on it');
        // Removing the condition from the keyboard leaves focus in the builder.
        await rules.last().getByRole('button', { name: 'Remove condition' }).focus();
        await page.keyboard.press('Enter');
        await page.waitForFunction((n) => document.querySelectorAll('#segment-builder .rule').length === n, before);
        assert.equal(await page.evaluate(() => document.getElementById('segment-builder').contains(document.activeElement)), true, `focus left the builder for ${await focused()}`);
        // Back where the next scenario expects the page to be.
        await page.goto(`${base}/app/settings`);
      },
    ],
  ];
};
