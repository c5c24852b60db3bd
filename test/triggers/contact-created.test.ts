// contact_created is written in the same D1 batch as the contact: a step that dies
// after the contact is stored cannot leave it without its trigger, and replays never
// raise it twice. Real D1 throughout; only the step's death is simulated.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createContact, upsertContact, upsertContactStatements } from '../../src/contacts/contacts.service';
import { openDb, runBatch } from '../../src/db/client';
import { contacts } from '../../src/db/schema';
import { forWorkspace, type Tenant } from '../../src/db/tenant';
import { applyStoreEvent } from '../../src/stores/apply-store-events';
import type { StoreEvent } from '../../src/stores/store-events';
import { signUpMerchant } from '../helpers/factories';
import { connectStore } from '../helpers/store-webhooks';

let tenant: Tenant;

beforeAll(async () => {
  tenant = forWorkspace(openDb(env.DB), (await signUpMerchant('Trigger Store')).workspaceId);
});

/** The tenant of a worker that dies right after its first batch commits: every later database call throws. */
function dyingAfterFirstBatch(real: Tenant): Tenant {
  let dead = false;
  const db = new Proxy(real.db, {
    get(target, property, receiver) {
      if (dead) throw new Error('the worker died');
      if (property !== 'batch') return Reflect.get(target, property, receiver);
      return async (...args: Parameters<typeof target.batch>) => {
        const results = await target.batch(...args);
        dead = true;
        return results;
      };
    },
  });
  return { ...real, db };
}

async function createdTriggers(email: string) {
  const rows = await env.DB.prepare("SELECT t.contact_id, t.data FROM triggers t JOIN contacts c ON c.id = t.contact_id WHERE t.workspace_id = ? AND t.kind = 'contact_created' AND c.email = ?")
    .bind(tenant.workspaceId, email)
    .all<{ contact_id: string; data: string }>();
  return rows.results;
}

function orderBy(email: string, externalId: string): StoreEvent {
  return {
    kind: 'order',
    externalId,
    person: { email, phone: null, firstName: 'Wes', lastName: null, externalId: null, registered: false },
    status: 'paid',
    currency: 'USD',
    totalCents: 1200,
    refunds: [],
    placedAt: 1_000,
    shippedAt: null,
    updatedAt: 1_000,
    cartExternalId: null,
    items: [],
    acceptsEmailMarketing: false,
  };
}

describe('contact_created', () => {
  it('exists once after a step that died right after storing the contact is retried', async () => {
    const email = 'dies-after-contact@example.com';
    const source = { connectionId: (await connectStore(tenant.workspaceId, 'shopify')).id, platform: 'shopify' as const, currency: 'USD' };
    // The contact's batch commits, then the worker dies before the order is applied.
    await expect(applyStoreEvent(dyingAfterFirstBatch(tenant), orderBy(email, 'order-dies'), source)).rejects.toThrow('the worker died');
    expect(await createdTriggers(email)).toHaveLength(1);

    // The queue redelivers the event: the retry finds the contact and raises nothing new.
    await applyStoreEvent(tenant, orderBy(email, 'order-dies'), source);
    await applyStoreEvent(tenant, orderBy(email, 'order-dies'), source);
    const triggers = await createdTriggers(email);
    expect(triggers).toHaveLength(1);
    expect(JSON.parse(triggers[0]!.data)).toEqual({ source: 'shopify' });
    const order = await env.DB.prepare('SELECT contact_id FROM orders WHERE workspace_id = ? AND external_id = ?').bind(tenant.workspaceId, 'order-dies').first();
    expect(order).toEqual({ contact_id: triggers[0]!.contact_id });
  });

  it('is not written when the contact batch fails after the insert, and is written once by the retry', async () => {
    const email = 'batch-fails@example.com';
    const { contactId: existingId } = await upsertContact(tenant, { email: 'already-here@example.com' }, 'api');
    // A statement after the insert and the trigger that violates the primary key rolls back the whole batch.
    const failing = tenant.db.insert(contacts).values(tenant.row({ id: existingId, email: 'clash@example.com', createdAt: 0, updatedAt: 0 }));
    await expect(runBatch(tenant.db, [...upsertContactStatements(tenant, { email }, 'import'), failing])).rejects.toThrow();
    expect(await env.DB.prepare('SELECT id FROM contacts WHERE workspace_id = ? AND email = ?').bind(tenant.workspaceId, email).first()).toBeNull();
    expect(await createdTriggers(email)).toEqual([]);

    const retry = await upsertContact(tenant, { email }, 'import');
    expect(retry.created).toBe(true);
    await upsertContact(tenant, { email, firstName: 'Again' }, 'import');
    expect((await createdTriggers(email)).map((row) => row.contact_id)).toEqual([retry.contactId]);
  });

  it('is raised for contacts created through the API and imports, with their source', async () => {
    await createContact(tenant, { email: 'from-api@example.com' }, 'api');
    await runBatch(tenant.db, upsertContactStatements(tenant, { email: 'from-import@example.com' }, 'import'));
    await runBatch(tenant.db, upsertContactStatements(tenant, { email: 'from-import@example.com' }, 'import'));
    expect((await createdTriggers('from-api@example.com')).map((row) => JSON.parse(row.data))).toEqual([{ source: 'api' }]);
    expect((await createdTriggers('from-import@example.com')).map((row) => JSON.parse(row.data))).toEqual([{ source: 'import' }]);
  });
});
