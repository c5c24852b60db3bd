// The D1 schema: the only source of migrations (`npm run db:generate`).
// Columns are camelCase here and snake_case in SQL (drizzle `casing`).
// Times are UTC epoch milliseconds; money is integer minor units.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const createdAt = () => integer().notNull();

/** A tenant: one brand or store, with its own contacts, senders and keys. */
export const workspaces = sqliteTable('workspaces', {
  id: text().primaryKey(),
  name: text().notNull(),
  timeZone: text().notNull().default('UTC'),
  senderName: text(),
  senderEmail: text(),
  createdAt: createdAt(),
  updatedAt: integer().notNull(),
});

/** Settings of a workspace that are not part of its identity. */
export const workspaceSettings = sqliteTable('workspace_settings', {
  workspaceId: text()
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  replyToEmail: text(),
  // Required by anti-spam law (CAN-SPAM) in the footer of marketing email.
  postalAddress: text(),
  updatedAt: integer().notNull(),
});

/** A person who logs in to the dashboard. */
export const users = sqliteTable('users', {
  id: text().primaryKey(),
  email: text().notNull().unique(),
  name: text(),
  passwordHash: text().notNull(),
  createdAt: createdAt(),
});

export const MEMBERSHIP_ROLES = ['owner', 'member'] as const;
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number];

/** A user's access to a workspace; a user may belong to several. */
export const memberships = sqliteTable(
  'memberships',
  {
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text({ enum: MEMBERSHIP_ROLES }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), index('memberships_user_idx').on(t.userId)],
);

/** A server-side dashboard session; the cookie holds a token, the row its SHA-256. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text().primaryKey(),
    tokenHash: text().notNull().unique(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: integer().notNull(),
    lastSeenAt: integer().notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
);

/** A workspace's API key for /api/v1; only its SHA-256 and a display prefix are kept. */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text().primaryKey(),
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    prefix: text().notNull(),
    keyHash: text().notNull().unique(),
    createdByUserId: text().references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    lastUsedAt: integer(),
    revokedAt: integer(),
  },
  (t) => [index('api_keys_workspace_idx').on(t.workspaceId, t.createdAt)],
);

/** Failed sign-in attempts per key (an email or a client IP), to slow down guessing. */
export const loginThrottles = sqliteTable('login_throttles', {
  key: text().primaryKey(),
  failures: integer().notNull(),
  firstFailureAt: integer().notNull(),
  blockedUntil: integer().notNull(),
});

/** A queue message that exhausted its retries (or could not be read), kept for the logs. */
export const deadLetters = sqliteTable(
  'dead_letters',
  {
    id: text().primaryKey(),
    // Null when the message was unreadable and named no workspace. No foreign key:
    // a dead letter must be kept even when it names a workspace that is gone.
    workspaceId: text(),
    queue: text().notNull(),
    messageId: text().notNull(),
    body: text().notNull(),
    attempts: integer().notNull(),
    reason: text().notNull(),
    recordedAt: integer().notNull(),
  },
  (t) => [uniqueIndex('dead_letters_message_idx').on(t.queue, t.messageId), index('dead_letters_workspace_idx').on(t.workspaceId, t.recordedAt)],
);

export const CONSENT_STATUSES = ['subscribed', 'unsubscribed', 'not_subscribed'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** A customer or subscriber of a workspace, keyed by normalized email. */
export const contacts = sqliteTable(
  'contacts',
  {
    id: text().primaryKey(),
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    email: text(),
    phone: text(),
    firstName: text(),
    lastName: text(),
    emailConsent: text({ enum: CONSENT_STATUSES }).notNull().default('not_subscribed'),
    smsConsent: text({ enum: CONSENT_STATUSES }).notNull().default('not_subscribed'),
    registered: integer({ mode: 'boolean' }).notNull().default(false),
    totalSpentCents: integer().notNull().default(0),
    orderCount: integer().notNull().default(0),
    firstOrderAt: integer(),
    lastOrderAt: integer(),
    externalId: text(),
    createdAt: createdAt(),
    updatedAt: integer().notNull(),
  },
  (t) => [
    uniqueIndex('contacts_email_idx').on(t.workspaceId, t.email),
    index('contacts_phone_idx').on(t.workspaceId, t.phone),
    index('contacts_spent_idx').on(t.workspaceId, t.totalSpentCents),
    index('contacts_last_order_idx').on(t.workspaceId, t.lastOrderAt),
  ],
);

/** A free-form label on a contact. */
export const contactTags = sqliteTable(
  'contact_tags',
  {
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    contactId: text()
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    tag: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.contactId, t.tag] }), index('contact_tags_tag_idx').on(t.workspaceId, t.tag)],
);

/** A product of the workspace's store. */
export const products = sqliteTable(
  'products',
  {
    id: text().primaryKey(),
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    externalId: text(),
    sku: text().notNull(),
    title: text().notNull(),
    url: text(),
    imageUrl: text(),
    currency: text().notNull(),
    priceCents: integer().notNull(),
    previousPriceCents: integer(),
    priceChangedAt: integer(),
    inventory: integer(),
    createdAt: createdAt(),
    updatedAt: integer().notNull(),
  },
  (t) => [uniqueIndex('products_sku_idx').on(t.workspaceId, t.sku)],
);

export const ORDER_STATUSES = ['placed', 'paid', 'completed', 'shipped', 'refunded', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** An order placed in the workspace's store. */
export const orders = sqliteTable(
  'orders',
  {
    id: text().primaryKey(),
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    contactId: text().references(() => contacts.id, { onDelete: 'set null' }),
    externalId: text().notNull(),
    status: text({ enum: ORDER_STATUSES }).notNull(),
    currency: text().notNull(),
    totalCents: integer().notNull(),
    placedAt: integer().notNull(),
    updatedAt: integer().notNull(),
  },
  (t) => [uniqueIndex('orders_external_idx').on(t.workspaceId, t.externalId), index('orders_contact_idx').on(t.workspaceId, t.contactId, t.placedAt)],
);

/** A line of an order. */
export const orderItems = sqliteTable(
  'order_items',
  {
    id: text().primaryKey(),
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    orderId: text()
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    productId: text().references(() => products.id, { onDelete: 'set null' }),
    sku: text(),
    title: text().notNull(),
    quantity: integer().notNull(),
    unitPriceCents: integer().notNull(),
  },
  (t) => [index('order_items_order_idx').on(t.orderId), index('order_items_sku_idx').on(t.workspaceId, t.sku)],
);

