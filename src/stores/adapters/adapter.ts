// The contract of a platform adapter: a verified webhook in, StoreEvents out.
import type { StoreEvent } from '../store-events';

/** What the edge knows about a verified webhook besides its body. */
export type WebhookContext = {
  topic: string;
  // The store's currency, for payloads that carry prices without one.
  currency: string;
  // e.g. the Shopify shop domain, to build product URLs.
  shopDomain: string | null;
  receivedAt: number;
};

/** The events a webhook means, or `null` when the topic is not one we use. */
export type AdapterResult = StoreEvent[] | null;
