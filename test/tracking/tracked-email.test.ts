import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertContact } from '../helpers/data';
import { deliveryOf, insertEmailContent, queueCampaignEmail } from '../helpers/deliveries';
import { signUpMerchant, uniqueEmail } from '../helpers/factories';
import { trustWorkspace } from '../helpers/platform-trust';
import { waitForEmail } from '../helpers/smtp-sink';
import { BASE, dailyFiguresOf, flushTrackers, hit, waitForOpens } from './tracking-helpers';

let workspaceId: string;
let contentId: string;

beforeAll(async () => {
  workspaceId = (await signUpMerchant('Tracked Mugs')).workspaceId;
  await trustWorkspace(workspaceId);
  contentId = await insertEmailContent(workspaceId, {
    subject: 'New mugs',
    html: `<html><body>
      <p><a href="https://mugs.example/new?utm_source=email&amp;utm_content={{ contact.first_name | url_encode }}#top">See the mugs</a></p>
      <p><a href="https://mugs.example/sale">Sale</a> <a href="#details">Details</a> <a href="mailto:help@mugs.example">Mail us</a> <a href="tel:+15550100">Call</a></p>
      <p><a href="{{ unsubscribe_url }}">Leave</a></p>
    </body></html>`,
  });
});

describe('a tracked campaign email, through real SMTP', () => {
  it('carries signed redirects that lead to the links it had, a pixel, and untouched anchors, mailto:, tel: and unsubscribe links', async () => {
    const to = uniqueEmail('reader');
    const contactId = await insertContact(workspaceId, { email: to, first_name: 'Zoë' });
    await queueCampaignEmail(workspaceId, contactId, contentId, 'camp-smtp');
    const email = await waitForEmail(to);
    const hrefs = [...email.html!.matchAll(/<a [^>]*href="([^"]*)"/g)].map((match) => match[1]!.replace(/&amp;/g, '&'));
    const redirects = hrefs.filter((href) => href.startsWith(`${BASE}/c/`));
    expect(redirects).toHaveLength(2);
    expect(hrefs).toContain('#details');
    expect(hrefs).toContain('mailto:help@mugs.example');
    expect(hrefs).toContain('tel:+15550100');
    expect(hrefs.filter((href) => href.startsWith(`${BASE}/u/`))).toHaveLength(1);
    const targets = [];
    for (const redirect of redirects) {
      const res = await hit(redirect.slice(BASE.length), { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' });
      expect(res.status).toBe(302);
      targets.push(res.headers.get('location'));
    }
    expect(targets).toEqual(['https://mugs.example/new?utm_source=email&utm_content=Zo%C3%AB#top', 'https://mugs.example/sale']);
    const pixel = /<img src="([^"]+\/o\/[^"]+)"/.exec(email.html!)![1]!;
    const gif = await hit(pixel.slice(BASE.length), { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' });
    expect(gif.headers.get('content-type')).toBe('image/gif');
    await gif.arrayBuffer();

    // Followed seconds after sending: the scanner rules make these machine hits, so the figures are checked as such.
    const source = { workspaceId, sourceType: 'campaign', sourceId: 'camp-smtp' };
    await waitForOpens(source, 3);
    await flushTrackers(source);
    const figures = await dailyFiguresOf(source);
    expect(figures!.opens + figures!.machineOpens).toBe(3);
    expect(figures!.clicks + figures!.machineClicks).toBe(2);
    const delivery = await deliveryOf(contactId, 'camp-smtp');
    const engagement = await env.DB.prepare('SELECT * FROM delivery_engagements WHERE delivery_id = ?').bind(delivery!.id).first();
    expect(engagement).not.toBeNull();
  });
});
