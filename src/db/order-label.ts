// How an order is named wherever it is shown (contacts, reports): the store's own label
// (Shopify's "#1001", WooCommerce's number), else its id with "#", for orders stored
// before labels were kept. Beside the schema, below every area that shows orders.
import { sql } from 'drizzle-orm';
import { orders } from './schema';

/** The label of an order, as a column of a select over `orders`. */
export const orderLabel = sql<string>`COALESCE(${orders.name}, '#' || ${orders.externalId})`;
