// Tags compare case-insensitively (`VIP` is `vip`), keeping the first spelling for display:
// through the API, store webhooks and segments alike.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContactView } from '../../src/contacts/contacts.service';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { SegmentDefinition } from '../../src/segments/segment-definition';
import { pageSegment } from '../../src/segments/segments.service';
import customersCreate from '../fixtures/shopify/customers-create.json?raw';
import { callApi, createApiKey, patchApi, postApi, signUpMerchant, type Merchant } from '../helpers/factories';
import { connectStore, sendShopify, waitForProcessed } from '../helpers/store-webhooks';

let merchant: Merchant;
let key: string;

beforeAll(async () => {
  merchant = await signUpMerchant('Tags Store');
  key = await createApiKey(merchant);
});

async function createContact(body: Record<string, unknown>): Promise<ContactView> {
  const res = await postApi(key, '/contacts', body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json<{ contact: ContactView }>()).contact;
}

async function tagsOf(id: string): Promise<string[]> {
  const res = await callApi(key, `/contacts/${id}`);
  return (await res.json<{ contact: ContactView }>()).contact.tags;
}

async function segmentEmails(children: unknown[]): Promise<string[]> {
  const rows = await pageSegment(forWorkspace(openDb(env.DB), merchant.workspaceId), SegmentDefinition.parse({ match: 'all', children }), { limit: 100 });
  return rows.map((row) => row.email!).sort();
}

describe('tags', () => {
  it('keeps one tag per contact whatever its case, in the first spelling', async () => {
    const ann = await createContact({ email: 'ann@tags.example', tags: ['VIP', 'vip', 'Newsletter'] });
    expect(ann.tags.sort()).toEqual(['Newsletter', 'VIP']);
    await postApi(key, `/contacts/${ann.id}/tags`, { tags: ['vip', 'NEWSLETTER'] });
    expect((await tagsOf(ann.id)).sort()).toEqual(['Newsletter', 'VIP']);
  });

  it('gives a tag the workspace already uses that spelling, on every contact', async () => {
    const bob = await createContact({ email: 'bob@tags.example', tags: ['vip'] });
    expect(bob.tags).toEqual(['VIP']);
    const res = await callApi(key, '/contacts?tag=vip');
    const listed = (await res.json<{ contacts: ContactView[] }>()).contacts.map((contact) => contact.email).sort();
    expect(listed).toEqual(['ann@tags.example', 'bob@tags.example']);
  });

  it('replaces and removes tags case-insensitively, keeping the stored spelling', async () => {
    const cat = await createContact({ email: 'cat@tags.example', tags: ['Wholesale', 'retail'] });
    const res = await patchApi(key, `/contacts/${cat.id}`, { tags: ['WHOLESALE'] });
    expect((await res.json<{ contact: ContactView }>()).contact.tags).toEqual(['Wholesale']);
    const removed = await callApi(key, `/contacts/${cat.id}/tags/wholesale`, { method: 'DELETE' });
    expect((await removed.json<{ contact: ContactView }>()).contact.tags).toEqual([]);
  });

  it('matches segment tag conditions whatever the case', async () => {
    expect(await segmentEmails([{ field: 'tags', op: 'hasAny', tags: ['vip'] }])).toEqual(['ann@tags.example', 'bob@tags.example']);
    expect(await segmentEmails([{ field: 'tags', op: 'hasAll', tags: ['Vip', 'newsletter', 'VIP'] }])).toEqual(['ann@tags.example']);
    expect(await segmentEmails([{ field: 'tags', op: 'hasNone', tags: ['vIp'] }])).toEqual(['cat@tags.example']);
  });

  it('reads a Shopify customer tagged "VIP, vip" as one tag', async () => {
    const shop = await connectStore(merchant.workspaceId, 'shopify');
    await waitForProcessed(await sendShopify(shop, 'customers/create', customersCreate.replace('"tags":"vip, newsletter"', '"tags":"Vip, vip, newsletter"')));
    const row = await env.DB.prepare('SELECT id FROM contacts WHERE workspace_id = ? AND email = ?').bind(merchant.workspaceId, 'bob.norman@mail.example.com').first<{ id: string }>();
    // The workspace's spelling of both: "VIP" came first, "Newsletter" too.
    expect((await tagsOf(row!.id)).sort()).toEqual(['Newsletter', 'VIP']);
  });
});
