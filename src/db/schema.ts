// The D1 schema: the only source of migrations (`npm run db:generate`).
// Columns are camelCase here and snake_case in SQL (drizzle `casing`).
// Times are UTC epoch milliseconds; money is integer minor units.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const createdAt = () => integer().notNull();
// The tenant column every tenant table starts with; a workspace's rows go with it.
const workspaceRef = () =>
  text()
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' });

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

/** How an SMTP connection is secured: implicit TLS (465), STARTTLS (587), or none (local servers only). */
export const SMTP_SECURITY = ['tls', 'starttls', 'none'] as const;
export type SmtpSecurity = (typeof SMTP_SECURITY)[number];

/** Why a sender failed, as analytics and the pages group it (the sentence is stored beside it). */
export const SENDER_ERROR_KINDS = ['auth', 'tls', 'starttls_missing', 'connect', 'timeout', 'closed', 'rejected'] as const;
export type SenderErrorKind = (typeof SENDER_ERROR_KINDS)[number];

/** Settings of a workspace that are not part of its identity. */
export const workspaceSettings = sqliteTable('workspace_settings', {
  workspaceId: text()
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  replyToEmail: text(),
  // Required by anti-spam law (CAN-SPAM) in the footer of marketing email.
  postalAddress: text(),
  // The workspace's own SMTP server; without a host, the platform's default sender is used.
  smtpHost: text(),
  smtpPort: integer(),
  smtpSecurity: text({ enum: SMTP_SECURITY }),
  smtpUsername: text(),
  // AES-GCM ciphertext (src/lib/crypto.ts): never returned by any API or page.
  smtpPasswordCiphertext: text(),
  // Most messages a second sent through this workspace's sender (null: no limit of ours).
  sendRatePerSecond: integer(),
  // The store's public address (https://…), the {{ shop.url }} of designs; null: taken from a connected store.
  storeUrl: text(),
  // The sender's state as real send attempts found it (src/messages/sender-health.ts):
  // the last failure in words and its kind, since when it has been failing (null: working),
  // the last attempt, and how many attempts in a row the server refused the password.
  senderError: text(),
  senderErrorKind: text({ enum: SENDER_ERROR_KINDS }),
  senderFailingSince: integer(),
  senderCheckedAt: integer(),
  senderAuthFailures: integer().notNull().default(0),
  // How long after a click, and after an open, an order is credited to the message (src/tracking/attribution.ts).
  clickWindowMs: integer().notNull().default(432_000_000),
  openWindowMs: integer().notNull().default(432_000_000),
  // Smart sending (src/flows): a flow skips a contact sent a marketing message within these hours (0: off).
  smartSendingHours: integer().notNull().default(16),
  // Twilio (src/sms): the account, its auth token as AES-GCM ciphertext (never returned
  // or shown), and the sender: a From number (E.164) or a Messaging Service SID.
  twilioAccountSid: text(),
  twilioAuthTokenCiphertext: text(),
  smsFromNumber: text(),
  smsMessagingServiceSid: text(),
  // The answer to HELP; null: a sentence naming the workspace.
  smsHelpText: text(),
  // ISO 3166 alpha-2 country of numbers written without +; null: none assumed.
  smsDefaultCountry: text(),
  // Quiet hours in minutes after local midnight (the contact's time zone when known, else
  // the workspace's); a text due inside them waits until they end. Both null: none.
  quietHoursStart: integer().default(1260),
  quietHoursEnd: integer().default(480),
  // Most texts a second through the Twilio account (null: what its sender allows by default, src/sms/sms-channel.ts).
  smsSendRatePerSecond: integer(),
  // How long after an SMS click an order is credited to the text.
  smsClickWindowMs: integer().notNull().default(432_000_000),
  // When the merchant hid the first-run checklist (src/workspaces/first-run-checklist.ts); null: shown.
  checklistHiddenAt: integer(),
  // The sending domain's last DNS check (src/email/domain-check.ts): the result as JSON, when it ran,
  // and a DKIM selector the merchant gave (null: the common ones are tried).
  domainCheck: text(),
  domainCheckedAt: integer(),
  dkimSelector: text(),
  updatedAt: integer().notNull(),
});

/** A person who logs in to the dashboard. */
export const users = sqliteTable('users', {
  id: text().primaryKey(),
  email: text().notNull().unique(),
  name: text(),
  passwordHash: text().notNull(),
  // When the user proved they read this address (a signed link); null until then.
  emailVerifiedAt: integer(),
  createdAt: createdAt(),
});

/** Roles in a workspace, most powerful first; what each may do is in src/workspaces/roles.ts. */
export const MEMBERSHIP_ROLES = ['owner', 'admin', 'editor', 'viewer'] as const;
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number];

/** A user's access to a workspace; a user may belong to several. */
export const memberships = sqliteTable(
  'memberships',
  {
    workspaceId: workspaceRef(),
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
    workspaceId: workspaceRef(),
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
    workspaceId: workspaceRef(),
    name: text().notNull(),
    prefix: text().notNull(),
    keyHash: text().notNull().unique(),
    createdByUserId: text().references(() => users.id, { onDelete: 'set null' }),
    // What the key may do, chosen at creation and never above its creator's role nor above admin.
    role: text({ enum: MEMBERSHIP_ROLES }).notNull().default('admin'),
    createdAt: createdAt(),
    lastUsedAt: integer(),
    revokedAt: integer(),
  },
  (t) => [index('api_keys_workspace_idx').on(t.workspaceId, t.createdAt)],
);

/** An invitation by email to join a workspace with a role; the link holds a token, the row its SHA-256. */
export const invitations = sqliteTable(
  'invitations',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
    email: text().notNull(),
    role: text({ enum: MEMBERSHIP_ROLES }).notNull(),
    tokenHash: text().notNull().unique(),
    invitedByUserId: text().references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    expiresAt: integer().notNull(),
    // Set once: a link is used at most once, and a revoked one never.
    acceptedAt: integer(),
    revokedAt: integer(),
  },
  (t) => [index('invitations_workspace_idx').on(t.workspaceId, t.createdAt)],
);

/** Failed sign-in attempts per key (an email or a client IP), to slow down guessing. */
export const loginThrottles = sqliteTable('login_throttles', {
  key: text().primaryKey(),
  failures: integer().notNull(),
  firstFailureAt: integer().notNull(),
  blockedUntil: integer().notNull(),
});

/** Requests counted per key (a limit's name and a client IP, an API key's hash or an address) in its current fixed window. */
export const rateLimitCounters = sqliteTable(
  'rate_limit_counters',
  {
    key: text().primaryKey(),
    windowStart: integer().notNull(),
    hits: integer().notNull(),
  },
  (t) => [index('rate_limit_counters_window_idx').on(t.windowStart)],
);

/**
 * A queue's heartbeat: each cron tick sends a small message to every queue and its consumer
 * writes back the send time it read. A queue whose consumer stopped shows here as a last
 * send minutes after the last one consumed, and /healthz says so.
 */
export const queueHeartbeats = sqliteTable('queue_heartbeats', {
  queue: text().primaryKey(),
  sentAt: integer().notNull(),
  // The send time of the newest heartbeat consumed; null until one is.
  consumedSentAt: integer(),
  consumedAt: integer(),
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

// The store connection a store object came from, part of its key: two stores in one workspace
// both have an order #1042. Null for history whose store is gone (deleted connection) or was
// never known (rows from before connections keyed them): kept and counted, never updated.
// Keys lead with it, so deleting a connection finds its rows by index (migration 0016).
const storeRef = () => text().references(() => storeConnections.id, { onDelete: 'set null' });

// A row that belongs to one contact and goes when the contact is erased.
const contactRef = () =>
  text()
    .notNull()
    .references(() => contacts.id, { onDelete: 'cascade' });

/** A customer or subscriber of a workspace, keyed by normalized email or E.164 phone (at least one). */
export const contacts = sqliteTable(
  'contacts',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
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
    // Totals from a store export (CSV import), taken at importedTotalsAt: the aggregates
    // above are this baseline plus the store's own orders placed after it.
    importedSpentCents: integer().notNull().default(0),
    importedOrderCount: integer().notNull().default(0),
    importedTotalsAt: integer(),
    externalId: text(),
    emailConsentAt: integer(),
    emailConsentSource: text(),
    smsConsentAt: integer(),
    smsConsentSource: text(),
    // The store's own updated_at of the newest customer record applied, so an
    // older update delivered late never overwrites a newer one.
    sourceUpdatedAt: integer(),
    // Last email open and click, kept by tracking, for "engaged within N days" segments.
    lastOpenedAt: integer(),
    lastClickedAt: integer(),
    // The contact's IANA time zone when known (quiet hours); null: the workspace's.
    timeZone: text(),
    createdAt: createdAt(),
    updatedAt: integer().notNull(),
  },
  (t) => [
    uniqueIndex('contacts_email_idx').on(t.workspaceId, t.email),
    // An SMS-only subscriber is found by phone, so a phone names one contact per workspace.
    uniqueIndex('contacts_phone_idx').on(t.workspaceId, t.phone).where(sql`${t.phone} IS NOT NULL`),
    index('contacts_external_idx').on(t.workspaceId, t.externalId),
    // Keyset pages by id (a campaign's fan-out, bulk jobs, exports, segment members): each
    // stops after its limit. Without it a page sorted every matching contact of the workspace.
    index('contacts_page_idx').on(t.workspaceId, t.id),
    // No indexes on spend or order dates: segment ranges over them match large
    // shares of a workspace, where a scan beats an index plus a lookup per row
    // (measured in scripts/bench/segments.bench.mjs).
  ],
);

/** A free-form label on a contact. Compared case-insensitively (SQLite's lower(): ASCII letters); the first spelling stays. */
export const contactTags = sqliteTable(
  'contact_tags',
  {
    workspaceId: workspaceRef(),
    contactId: contactRef(),
    tag: text().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.contactId, t.tag] }),
    uniqueIndex('contact_tags_contact_tag_idx').on(t.workspaceId, t.contactId, sql`lower(${t.tag})`),
    index('contact_tags_tag_idx').on(t.workspaceId, sql`lower(${t.tag})`),
  ],
);

/** A product of one of the workspace's stores. */
export const products = sqliteTable(
  'products',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
    connectionId: storeRef(),
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
    // Shopify tracks stock per inventory item; inventory_levels/update names only that.
    inventoryItemId: text(),
    parentExternalId: text(),
    restockedAt: integer(),
    sourceUpdatedAt: integer(),
    createdAt: createdAt(),
    updatedAt: integer().notNull(),
  },
  (t) => [
    uniqueIndex('products_sku_idx').on(t.connectionId, t.sku),
    // The products page and /api/v1/products, newest first.
    index('products_created_idx').on(t.workspaceId, t.createdAt),
    index('products_external_idx').on(t.workspaceId, t.externalId),
    index('products_inventory_item_idx').on(t.connectionId, t.inventoryItemId),
  ],
);

// Which of them are purchases is src/purchases/purchase-rule.ts's to say. `failed`: the payment failed.
export const ORDER_STATUSES = ['placed', 'paid', 'completed', 'shipped', 'refunded', 'cancelled', 'failed'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** An order placed in one of the workspace's stores. */
export const orders = sqliteTable(
  'orders',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
    connectionId: storeRef(),
    contactId: text().references(() => contacts.id, { onDelete: 'set null' }),
    externalId: text().notNull(),
    // The store's label for the order (Shopify's "#1001"); the external id is its internal id.
    name: text(),
    email: text(),
    status: text({ enum: ORDER_STATUSES }).notNull(),
    currency: text().notNull(),
    totalCents: integer().notNull(),
    refundedCents: integer().notNull().default(0),
    cartExternalId: text(),
    placedAt: integer().notNull(),
    completedAt: integer(),
    shippedAt: integer(),
    sourceUpdatedAt: integer(),
    updatedAt: integer().notNull(),
  },
  (t) => [
    uniqueIndex('orders_external_idx').on(t.connectionId, t.externalId),
    index('orders_contact_idx').on(t.workspaceId, t.contactId, t.placedAt),
    // /api/v1/orders, newest first.
    index('orders_placed_idx').on(t.workspaceId, t.placedAt),
  ],
);

/** A line of an order. */
export const orderItems = sqliteTable(
  'order_items',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
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

export const STORE_PLATFORMS = ['shopify', 'woocommerce', 'custom'] as const;
export type StorePlatform = (typeof STORE_PLATFORMS)[number];

/** A store sending webhooks to a workspace; the id is in the webhook URL, the secret verifies them. */
export const storeConnections = sqliteTable(
  'store_connections',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
    platform: text({ enum: STORE_PLATFORMS }).notNull(),
    name: text().notNull(),
    // The store's currency: product webhooks carry prices without one.
    currency: text().notNull(),
    // AES-GCM ciphertext of the signing secret (shown to the owner, never stored in clear);
    // '' while a Shopify connection waits for it (Shopify shows it after the first webhook exists).
    secretCiphertext: text().notNull(),
    createdAt: createdAt(),
    lastEventAt: integer(),
    // When the store last sent a test notification: the merchant's proof the setup works.
    lastTestAt: integer(),
  },
  (t) => [index('store_connections_workspace_idx').on(t.workspaceId)],
);

/**
 * What became of a delivery: queued (not applied yet), processed (applied), ignored (a topic
 * we do not use), test (a platform's test notification: nothing changed), rejected (could not
 * be applied, see `reason`).
 */
export const INBOUND_EVENT_STATUSES = ['queued', 'processed', 'ignored', 'test', 'rejected'] as const;
export type InboundEventStatus = (typeof INBOUND_EVENT_STATUSES)[number];

/**
 * A verified webhook, recorded by the events consumer: its unique dedupe key makes
 * redeliveries no-ops. The payload (normalized events) is kept only when the edge
 * had to store it (too large for a queue message, or the queue send failed).
 */
export const inboundEvents = sqliteTable(
  'inbound_events',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
    connectionId: text()
      .notNull()
      .references(() => storeConnections.id, { onDelete: 'cascade' }),
    topic: text().notNull(),
    dedupeKey: text().notNull(),
    status: text({ enum: INBOUND_EVENT_STATUSES }).notNull(),
    payload: text(),
    // Why it was rejected, or why its last attempt failed (it is retried until rejected), in
    // words the merchant reads in the connection's deliveries log.
    reason: text(),
    // How many times the store delivered it (2 or more: redeliveries that were dropped).
    deliveries: integer().notNull().default(1),
    receivedAt: integer().notNull(),
    // When the last duplicate delivery arrived (null: delivered once).
    redeliveredAt: integer(),
    processedAt: integer(),
  },
  (t) => [
    uniqueIndex('inbound_events_dedupe_idx').on(t.connectionId, t.dedupeKey),
    // A connection's deliveries log, newest first.
    index('inbound_events_connection_idx').on(t.connectionId, t.receivedAt),
    index('inbound_events_status_idx').on(t.status, t.receivedAt),
    index('inbound_events_workspace_idx').on(t.workspaceId, t.receivedAt),
  ],
);

export const CONSENT_CHANNELS = ['email', 'sms'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

/** Every change of a contact's consent, with when and where it came from. */
export const consentChanges = sqliteTable(
  'consent_changes',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
    contactId: contactRef(),
    channel: text({ enum: CONSENT_CHANNELS }).notNull(),
    status: text({ enum: CONSENT_STATUSES }).notNull(),
    source: text().notNull(),
    changedAt: integer().notNull(),
  },
  (t) => [index('consent_changes_contact_idx').on(t.workspaceId, t.contactId, t.changedAt)],
);

/** One refund of an order, keyed by the store's refund id so a redelivery adds nothing. */
export const orderRefunds = sqliteTable(
  'order_refunds',
  {
    workspaceId: workspaceRef(),
    connectionId: storeRef(),
    // The order's external id: a refund may arrive before its order.
    orderExternalId: text().notNull(),
    externalId: text().notNull(),
    amountCents: integer().notNull(),
    refundedAt: integer().notNull(),
  },
  (t) => [uniqueIndex('order_refunds_key_idx').on(t.connectionId, t.orderExternalId, t.externalId)],
);

/** A contact's customer id in one store: a person has one per store they bought from. */
export const contactStoreIds = sqliteTable(
  'contact_store_ids',
  {
    workspaceId: workspaceRef(),
    connectionId: text()
      .notNull()
      .references(() => storeConnections.id, { onDelete: 'cascade' }),
    externalId: text().notNull(),
    contactId: contactRef(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.externalId] }), index('contact_store_ids_contact_idx').on(t.contactId)],
);

/** A store's consent change for a customer id no contact has yet; applied when the customer arrives, so it is never lost. */
export const pendingStoreConsents = sqliteTable(
  'pending_store_consents',
  {
    workspaceId: workspaceRef(),
    connectionId: text()
      .notNull()
      .references(() => storeConnections.id, { onDelete: 'cascade' }),
    externalId: text().notNull(),
    channel: text({ enum: CONSENT_CHANNELS }).notNull(),
    status: text({ enum: CONSENT_STATUSES }).notNull(),
    changedAt: integer().notNull(),
    receivedAt: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.externalId, t.channel] })],
);

export const CART_STATUSES = ['open', 'converted'] as const;
export type CartStatus = (typeof CART_STATUSES)[number];

/** A shopping cart or checkout, open until an order converts it. */
export const carts = sqliteTable(
  'carts',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
    connectionId: storeRef(),
    externalId: text().notNull(),
    contactId: text().references(() => contacts.id, { onDelete: 'cascade' }),
    status: text({ enum: CART_STATUSES }).notNull(),
    currency: text().notNull(),
    valueCents: integer().notNull(),
    // JSON array of { sku, title, quantity, unitPriceCents, imageUrl }.
    items: text().notNull(),
    recoveryUrl: text(),
    convertedOrderId: text(),
    sourceUpdatedAt: integer(),
    createdAt: createdAt(),
    updatedAt: integer().notNull(),
  },
  (t) => [
    uniqueIndex('carts_external_idx').on(t.connectionId, t.externalId),
    index('carts_contact_idx').on(t.workspaceId, t.contactId, t.status),
    index('carts_open_idx').on(t.workspaceId, t.status, t.updatedAt),
    // /api/v1/carts, newest first.
    index('carts_created_idx').on(t.workspaceId, t.createdAt),
  ],
);

export const INTEREST_KINDS = ['viewed', 'carted', 'back_in_stock'] as const;
export type InterestKind = (typeof INTEREST_KINDS)[number];

/** A contact's interest in a product: viewed it, carted it, or asked to hear when it is back. */
export const productInterests = sqliteTable(
  'product_interests',
  {
    workspaceId: workspaceRef(),
    contactId: contactRef(),
    productId: text()
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    kind: text({ enum: INTEREST_KINDS }).notNull(),
    firstAt: integer().notNull(),
    lastAt: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.contactId, t.productId, t.kind] }), index('product_interests_product_idx').on(t.workspaceId, t.productId, t.kind)],
);

export const TRIGGER_KINDS = ['contact_created', 'order_completed', 'order_shipped', 'cart_updated', 'price_dropped', 'back_in_stock'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

/** Something that happened that a flow may start from (a store event now, time-based next); unique per occurrence. */
export const triggers = sqliteTable(
  'triggers',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
    kind: text({ enum: TRIGGER_KINDS }).notNull(),
    // Identifies the occurrence (e.g. "order:123", "product:SKU:price:1999") so a redelivery raises nothing new.
    occurrenceKey: text().notNull(),
    contactId: text().references(() => contacts.id, { onDelete: 'cascade' }),
    subjectId: text(),
    data: text().notNull(),
    occurredAt: integer().notNull(),
  },
  (t) => [uniqueIndex('triggers_occurrence_idx').on(t.workspaceId, t.kind, t.occurrenceKey), index('triggers_time_idx').on(t.workspaceId, t.occurredAt)],
);

export const IMPORT_STATUSES = ['queued', 'processing', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** The delimiters a CSV import reads (comma, semicolon from European spreadsheets, tab). */
export const CSV_DELIMITERS = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];
/** A CSV file's line break, by name. */
export const CSV_LINE_BREAK_NAMES = ['lf', 'crlf', 'cr'] as const;
export type CsvLineBreak = (typeof CSV_LINE_BREAK_NAMES)[number];

/** An error row was not imported; a warning row was, without the value the warning names. */
export const IMPORT_ISSUE_SEVERITIES = ['error', 'warning'] as const;
export type ImportIssueSeverity = (typeof IMPORT_ISSUE_SEVERITIES)[number];

/** A CSV import of contacts, processed in chunks through the queue. */
export const contactImports = sqliteTable(
  'contact_imports',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
    fileName: text().notNull(),
    status: text({ enum: IMPORT_STATUSES }).notNull(),
    totalChunks: integer().notNull(),
    doneChunks: integer().notNull().default(0),
    totalRows: integer().notNull().default(0),
    importedRows: integer().notNull().default(0),
    rejectedRows: integer().notNull().default(0),
    // Imported rows that left out a bad value (a phone, a total), each reported as a warning.
    warnedRows: integer().notNull().default(0),
    // Found in the uploaded file, so every chunk of it is read the same way.
    delimiter: text({ enum: CSV_DELIMITERS }).notNull().default(','),
    lineBreak: text({ enum: CSV_LINE_BREAK_NAMES }).notNull().default('lf'),
    createdAt: createdAt(),
    finishedAt: integer(),
    // When a chunk was last counted (or the import created, or re-driven): an unfinished
    // import that has not moved for a while lost its messages, and the cron re-drives it.
    progressAt: integer(),
  },
  (t) => [
    index('contact_imports_workspace_idx').on(t.workspaceId, t.createdAt),
    // The cron's sweep for unfinished imports that stopped moving.
    index('contact_imports_unfinished_idx').on(t.status, t.progressAt),
  ],
);

/** What a bulk action does to each contact it reaches. */
export const BULK_ACTIONS = ['tag', 'untag', 'unsubscribe', 'erase'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
export const BULK_JOB_STATUSES = ['running', 'done', 'failed'] as const;
export type BulkJobStatus = (typeof BULK_JOB_STATUSES)[number];

/**
 * A bulk action over every contact of a filter, done in the background one keyset page
 * (by contact id) at a time; `cursor` is the last contact id done, and moves in the same
 * transaction as the page's changes, so a redelivered page finds it moved and does nothing.
 */
export const contactBulkJobs = sqliteTable(
  'contact_bulk_jobs',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
    action: text({ enum: BULK_ACTIONS }).notNull(),
    // The action's own input (tags, channels) and the contact filter, as JSON read back through zod.
    params: text().notNull(),
    filter: text().notNull(),
    status: text({ enum: BULK_JOB_STATUSES }).notNull(),
    total: integer().notNull(),
    done: integer().notNull().default(0),
    cursor: text(),
    // The newest contact matching when the job started: contacts created later are left out, so `total` holds.
    lastContactId: text(),
    createdAt: createdAt(),
    finishedAt: integer(),
    // When a page was last done (or the job started, or re-driven): a running job that has
    // not moved for a while lost its next page message, and the cron re-drives it.
    progressAt: integer(),
  },
  (t) => [
    index('contact_bulk_jobs_workspace_idx').on(t.workspaceId, t.createdAt),
    // The cron's sweep for running jobs that stopped moving.
    index('contact_bulk_jobs_unfinished_idx').on(t.status, t.progressAt),
  ],
);

/** One slice of an import's CSV (header repeated), small enough for one consumer invocation. */
export const contactImportChunks = sqliteTable(
  'contact_import_chunks',
  {
    importId: text()
      .notNull()
      .references(() => contactImports.id, { onDelete: 'cascade' }),
    chunkIndex: integer().notNull(),
    workspaceId: text().notNull(),
    firstLine: integer().notNull(),
    csv: text().notNull(),
    processedAt: integer(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.chunkIndex] })],
);

/** A CSV row an import rejected (an error) or imported without a bad value (a warning), and why. */
export const contactImportRejections = sqliteTable(
  'contact_import_rejections',
  {
    importId: text()
      .notNull()
      .references(() => contactImports.id, { onDelete: 'cascade' }),
    workspaceId: text().notNull(),
    line: integer().notNull(),
    severity: text({ enum: IMPORT_ISSUE_SEVERITIES }).notNull().default('error'),
    reason: text().notNull(),
    raw: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.line] })],
);

/** A saved segment: a named rule tree over contacts, evaluated when messages go out. */
export const segments = sqliteTable(
  'segments',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
    name: text().notNull(),
    description: text(),
    // A SegmentDefinition (src/segments/segment-definition.ts) as JSON, validated on write and read.
    definition: text().notNull(),
    createdAt: createdAt(),
    updatedAt: integer().notNull(),
  },
  (t) => [index('segments_workspace_idx').on(t.workspaceId, t.createdAt)],
);

/**
 * What a campaign or flow step sends, whatever the channel: the row deliveries and campaigns
 * point at, with the name a merchant picks it by. The channel's own table holds the body
 * (email_contents now; an SMS body next).
 */
export const contents = sqliteTable(
  'contents',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
    // Rows written before SMS existed were all email; the default only serves them.
    channel: text({ enum: CONSENT_CHANNELS }).notNull().default('email'),
    name: text().notNull(),
    createdAt: createdAt(),
    updatedAt: integer().notNull(),
  },
  (t) => [index('contents_workspace_idx').on(t.workspaceId, t.channel, t.createdAt)],
);

/** An email design's body (subject, preheader, Liquid HTML); its name and times are its `contents` row. */
export const emailContents = sqliteTable('email_contents', {
  id: text()
    .primaryKey()
    .references(() => contents.id, { onDelete: 'cascade' }),
  workspaceId: workspaceRef(),
  subject: text().notNull(),
  preheader: text(),
  // A Liquid template (merge tags such as {{ contact.first_name | default: "there" }}), escaped on output.
  html: text().notNull(),
  // The block editor's project (GrapesJS JSON) that `html` was exported from; null for a
  // design written as HTML, which the block editor imports when it is opened.
  editorProject: text(),
});

/** An SMS design's body (a Liquid template, merge tags as in email); its name and times are its `contents` row. */
export const smsContents = sqliteTable('sms_contents', {
  id: text()
    .primaryKey()
    .references(() => contents.id, { onDelete: 'cascade' }),
  workspaceId: workspaceRef(),
  body: text().notNull(),
});

// `unknown`: the server was handed the whole message but never answered, so it may have
// it; never resent. `cancelled`: its campaign was cancelled before it went out.
export const DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'skipped', 'failed', 'unknown', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const DELIVERY_SOURCES = ['campaign', 'flow'] as const;
export type DeliverySource = (typeof DELIVERY_SOURCES)[number];

/** One message to one contact from one campaign or flow step and trigger occurrence: the unit sent, retried and tracked. */
export const deliveries = sqliteTable(
  'deliveries',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
    contactId: contactRef(),
    channel: text({ enum: CONSENT_CHANNELS }).notNull(),
    sourceType: text({ enum: DELIVERY_SOURCES }).notNull(),
    sourceId: text().notNull(),
    // The flow step ('' for a campaign) and the trigger occurrence ('' for a campaign).
    stepKey: text().notNull(),
    occurrenceKey: text().notNull(),
    contentId: text()
      .notNull()
      .references(() => contents.id),
    status: text({ enum: DELIVERY_STATUSES }).notNull(),
    // False when the source may also reach contacts who never opted in (nor opted out).
    requiresOptIn: integer({ mode: 'boolean' }).notNull().default(true),
    // Merge data of the trigger occurrence (a flow's cart, product, prices) as JSON, or null.
    context: text(),
    // Why it was skipped or failed, in words for the logs, and as a code to group by
    // (a consent SkipReason type, or the channel's failure code).
    reason: text(),
    reasonCode: text(),
    attempts: integer().notNull().default(0),
    messageId: text(),
    // What the provider last reported after accepting it (Twilio's status callback:
    // delivered, undelivered, failed) and its error code, if any.
    providerStatus: text(),
    providerErrorCode: text(),
    queuedAt: integer().notNull(),
    sentAt: integer(),
    updatedAt: integer().notNull(),
  },
  (t) => [
    uniqueIndex('deliveries_once_idx').on(t.workspaceId, t.sourceType, t.sourceId, t.stepKey, t.contactId, t.occurrenceKey),
    index('deliveries_source_idx').on(t.workspaceId, t.sourceType, t.sourceId, t.status),
    index('deliveries_contact_idx').on(t.workspaceId, t.contactId, t.queuedAt),
    // The cron sweep for deliveries whose queue message was lost (see requeueStaleDeliveries).
    index('deliveries_stale_idx').on(t.status, t.updatedAt),
    // The marketing overview: a window's sent messages (src/reports/marketing-overview.ts).
    index('deliveries_sent_idx').on(t.workspaceId, t.sentAt),
    // Twilio's status callbacks find a delivery by the provider's message id (migration 0023).
    index('deliveries_message_idx').on(t.workspaceId, t.messageId).where(sql`${t.messageId} IS NOT NULL`),
  ],
);

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const CAMPAIGN_CHANNELS = CONSENT_CHANNELS;
export type CampaignChannel = ConsentChannel;
// Who of the audience is sent to; unsubscribed and suppressed contacts never are.
export const SENDING_FILTERS = ['all', 'subscribed', 'registered'] as const;
export type SendingFilter = (typeof SENDING_FILTERS)[number];

/** A one-off send to an audience, now or at a scheduled time; its status moves through campaign-status.ts only. */
export const campaigns = sqliteTable(
  'campaigns',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
    name: text().notNull(),
    channel: text({ enum: CAMPAIGN_CHANNELS }).notNull(),
    status: text({ enum: CAMPAIGN_STATUSES }).notNull(),
    // What is sent, on the campaign's channel (an email design's subject, preheader and HTML).
    // No action on delete: a design or segment in use cannot be deleted (409), yet a workspace's cascade still can.
    contentId: text().references(() => contents.id),
    // The audience: a saved segment, or inline rules (a SegmentDefinition as JSON); neither means every contact.
    segmentId: text().references(() => segments.id),
    audienceRules: text(),
    sendingFilter: text({ enum: SENDING_FILTERS }).notNull().default('subscribed'),
    // When it goes out (UTC), and the wall time and zone it was chosen in, shown back as chosen.
    scheduledAt: integer(),
    scheduledLocal: text(),
    scheduledTimeZone: text(),
    startedAt: integer(),
    finishedAt: integer(),
    // Fan-out progress: the last contact id paged, and whether the audience is exhausted.
    fanOutCursor: text(),
    fanOutDone: integer({ mode: 'boolean' }).notNull().default(false),
    recipients: integer().notNull().default(0),
    // Set while paused: when, and why in words when the platform paused it (null: the merchant did).
    pausedAt: integer(),
    pauseReason: text(),
    // Past the retention window its deliveries are compacted (src/deliveries/delivery-retention.ts):
    // how far that has gone (a status and the last rowid done), and when it finished.
    compactionCursor: text(),
    compactedAt: integer(),
    createdAt: createdAt(),
    updatedAt: integer().notNull(),
  },
  (t) => [
    index('campaigns_workspace_idx').on(t.workspaceId, t.createdAt),
    // The cron's look-ups: due scheduled campaigns, and sending ones to finish.
    index('campaigns_due_idx').on(t.status, t.scheduledAt),
    // Finished campaigns still to compact, the oldest first: a few rows, however many campaigns were ever sent.
    index('campaigns_to_compact_idx').on(t.finishedAt).where(sql`${t.compactedAt} IS NULL AND ${t.status} IN ('sent', 'cancelled')`),
  ],
);

export const SUPPRESSION_REASONS = ['unsubscribed', 'hard_bounce', 'complaint', 'manual'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** An address (an email, or an E.164 phone number for SMS) that must not receive marketing on its channel from this workspace. */
export const suppressions = sqliteTable(
  'suppressions',
  {
    workspaceId: workspaceRef(),
    channel: text({ enum: CONSENT_CHANNELS }).notNull(),
    address: text().notNull(),
    reason: text({ enum: SUPPRESSION_REASONS }).notNull(),
    detail: text(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.channel, t.address] })],
);

/**
 * Emails a workspace sent through the platform sender in the current UTC hour and day
 * (windows start at `hour_start` / `day_start`), counted against the platform's caps.
 */
export const platformSenderCounts = sqliteTable('platform_sender_counts', {
  workspaceId: text()
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  hourStart: integer().notNull(),
  hourCount: integer().notNull(),
  dayStart: integer().notNull(),
  dayCount: integer().notNull(),
});

/**
 * A delivery's first reader open and click, and first machine open (counted apart), flushed
 * by its CampaignTracker; and when its recipient first unsubscribed through its link.
 */
export const deliveryEngagements = sqliteTable('delivery_engagements', {
  deliveryId: text()
    .primaryKey()
    .references(() => deliveries.id, { onDelete: 'cascade' }),
  workspaceId: workspaceRef(),
  openedAt: integer(),
  clickedAt: integer(),
  machineOpenedAt: integer(),
  unsubscribedAt: integer(),
});

/**
 * How many contacts a workspace has, kept by triggers on contacts (migrations/0034), so the
 * contacts list's total costs a row, not a count of every contact.
 */
export const contactCounts = sqliteTable('contact_counts', {
  workspaceId: text()
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  n: integer().notNull(),
});

/**
 * A workspace's messages of one campaign or flow and channel by UTC day (`day` = midnight),
 * kept by triggers on deliveries and delivery_engagements (migrations/0033), so the
 * marketing overview reads days, not every delivery of the range: sent, delivered (for
 * texts, Twilio's status callback said so; email counts sent), and of those sent, how many
 * a reader opened and clicked since, all on the day the message was sent; failed on the
 * day it was queued. Erasing a contact leaves past days as they were (they hold no one's data).
 */
export const deliveryDaily = sqliteTable(
  'delivery_daily',
  {
    workspaceId: workspaceRef(),
    day: integer().notNull(),
    channel: text({ enum: CONSENT_CHANNELS }).notNull(),
    sourceType: text({ enum: DELIVERY_SOURCES }).notNull(),
    sourceId: text().notNull(),
    sent: integer().notNull().default(0),
    delivered: integer().notNull().default(0),
    failed: integer().notNull().default(0),
    opened: integer().notNull().default(0),
    clicked: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.day, t.channel, t.sourceType, t.sourceId] })],
);

/** A campaign's or flow's opens and clicks on one UTC day (`day` = midnight): readers' totals and uniques, machines' apart. */
export const engagementDaily = sqliteTable(
  'engagement_daily',
  {
    workspaceId: workspaceRef(),
    sourceType: text({ enum: DELIVERY_SOURCES }).notNull(),
    sourceId: text().notNull(),
    day: integer().notNull(),
    opens: integer().notNull().default(0),
    uniqueOpens: integer().notNull().default(0),
    machineOpens: integer().notNull().default(0),
    clicks: integer().notNull().default(0),
    uniqueClicks: integer().notNull().default(0),
    machineClicks: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.sourceType, t.sourceId, t.day] })],
);

/**
 * How many of a campaign's or flow's deliveries are in each status, with each reason code
 * ('' for none). Kept by SQLite triggers on `deliveries` (migration 0024), so the counts move
 * in the very statement that inserts, moves or deletes a delivery and can never drift from
 * the rows; progress and reports read these few rows instead of grouping every delivery.
 * A count may rest at 0; readers skip those.
 */
export const deliveryCounts = sqliteTable(
  'delivery_counts',
  {
    workspaceId: workspaceRef(),
    sourceType: text({ enum: DELIVERY_SOURCES }).notNull(),
    sourceId: text().notNull(),
    status: text({ enum: DELIVERY_STATUSES }).notNull(),
    reasonCode: text().notNull(),
    n: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.sourceType, t.sourceId, t.status, t.reasonCode] })],
);

/**
 * A campaign's or flow's recipients who opened, clicked and unsubscribed through its
 * messages (each delivery's first reader open and click, its unsubscribe), kept by
 * triggers on `delivery_engagements` and `deliveries` (migration 0036), so a report reads
 * one row instead of joining every delivery of the source to its engagement.
 */
export const engagementCounts = sqliteTable(
  'engagement_counts',
  {
    workspaceId: workspaceRef(),
    sourceType: text({ enum: DELIVERY_SOURCES }).notNull(),
    sourceId: text().notNull(),
    uniqueOpens: integer().notNull().default(0),
    uniqueClicks: integer().notNull().default(0),
    unsubscribes: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.sourceType, t.sourceId] })],
);

/**
 * A campaign's first opens and first clicks in each of the hours after it started sending
 * (`hour` 0 is the first; only the report's 48 are kept), by the same triggers: the
 * report's chart without a scan of the campaign's deliveries.
 */
export const campaignFirstHours = sqliteTable(
  'campaign_first_hours',
  {
    workspaceId: workspaceRef(),
    // No foreign key: campaigns are never deleted, only their workspace, which cascades.
    campaignId: text().notNull(),
    hour: integer().notNull(),
    opens: integer().notNull().default(0),
    clicks: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.campaignId, t.hour] })],
);

/**
 * What is left of a compacted delivery: whom it went to, so the unsubscribe link of an
 * old message still works for as long as its contact exists (about 150 bytes a row,
 * against about 800 for a delivery with its indexes). Written WITHOUT ROWID (migration
 * 0036). Its rows go with their contact (an erasure, or the workspace's cascade through
 * its contacts), so `workspace_id` needs no foreign key and no index of its own.
 */
export const deliveryArchive = sqliteTable(
  'delivery_archive',
  {
    id: text().primaryKey(),
    workspaceId: text().notNull(),
    contactId: text()
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
  },
  (t) => [index('delivery_archive_contact_idx').on(t.contactId)],
);

/**
 * Holds one row only inside the D1 batch that compacts a page of deliveries: the triggers
 * that count deliveries and engagements down when a delivery is deleted skip while it
 * does, because a compacted delivery still counts in its campaign's figures.
 */
export const deliveriesCompacting = sqliteTable('deliveries_compacting', {
  id: integer().primaryKey(),
});

/** Clicks on one link of a campaign or flow on one UTC day. */
export const linkClicksDaily = sqliteTable(
  'link_clicks_daily',
  {
    workspaceId: workspaceRef(),
    sourceType: text({ enum: DELIVERY_SOURCES }).notNull(),
    sourceId: text().notNull(),
    day: integer().notNull(),
    url: text().notNull(),
    clicks: integer().notNull().default(0),
    uniqueClicks: integer().notNull().default(0),
    machineClicks: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.sourceType, t.sourceId, t.day, t.url] })],
);

/** The last flush each CampaignTracker wrote to D1 (system table): a retried flush already there is refused by the key. */
export const trackerFlushes = sqliteTable(
  'tracker_flushes',
  {
    tracker: text().notNull(),
    seq: integer().notNull(),
    flushedAt: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tracker, t.seq] })],
);

export const ATTRIBUTION_TOUCHES = ['click', 'open'] as const;
export type AttributionTouch = (typeof ATTRIBUTION_TOUCHES)[number];

/** An order credited to the one message that led to it; revenue follows the order's refunds. */
export const orderAttributions = sqliteTable(
  'order_attributions',
  {
    orderId: text()
      .primaryKey()
      .references(() => orders.id, { onDelete: 'cascade' }),
    workspaceId: workspaceRef(),
    contactId: contactRef(),
    deliveryId: text()
      .notNull()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    sourceType: text({ enum: DELIVERY_SOURCES }).notNull(),
    sourceId: text().notNull(),
    touch: text({ enum: ATTRIBUTION_TOUCHES }).notNull(),
    touchedAt: integer().notNull(),
    revenueCents: integer().notNull(),
    currency: text().notNull(),
    orderedAt: integer().notNull(),
  },
  (t) => [index('order_attributions_source_idx').on(t.workspaceId, t.sourceType, t.sourceId, t.orderedAt), index('order_attributions_delivery_idx').on(t.deliveryId)],
);

export const FLOW_KINDS = ['welcome', 'abandoned_cart', 'price_drop', 'back_in_stock', 'win_back', 'retention'] as const;
export type FlowKind = (typeof FLOW_KINDS)[number];

/** An automated flow: its current definition (src/flows/flow-definition.ts) and where its trigger reading stands. */
export const flows = sqliteTable(
  'flows',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
    kind: text({ enum: FLOW_KINDS }).notNull(),
    name: text().notNull(),
    version: integer().notNull().default(1),
    definition: text().notNull(),
    enabled: integer({ mode: 'boolean' }).notNull().default(false),
    enabledAt: integer(),
    // The rowid of the last trigger the enrollment task read for this flow.
    triggerCursor: integer().notNull().default(0),
    createdAt: createdAt(),
    updatedAt: integer().notNull(),
  },
  (t) => [index('flows_workspace_idx').on(t.workspaceId, t.createdAt), index('flows_enabled_idx').on(t.enabled, t.kind)],
);

/** Every definition a flow had: an enrollment finishes the version it entered. */
export const flowVersions = sqliteTable(
  'flow_versions',
  {
    workspaceId: workspaceRef(),
    flowId: text()
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    version: integer().notNull(),
    definition: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.version] })],
);

// `active`: waiting or due; `done`: went through every step; `exited`: left early, with the reason.
export const ENROLLMENT_STATUSES = ['active', 'done', 'exited'] as const;
export type EnrollmentStatus = (typeof ENROLLMENT_STATUSES)[number];

/** One contact in one flow for one trigger occurrence. */
export const flowEnrollments = sqliteTable(
  'flow_enrollments',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
    flowId: text()
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    version: integer().notNull(),
    contactId: contactRef(),
    occurrenceKey: text().notNull(),
    // Merge data of the occurrence (the cart, the product and its prices) as JSON.
    context: text(),
    status: text({ enum: ENROLLMENT_STATUSES }).notNull(),
    stepIndex: integer().notNull().default(0),
    nextRunAt: integer(),
    // Set while a tick works on it; a tick that died leaves it to be claimed again after this.
    claimedUntil: integer(),
    reason: text(),
    enrolledAt: integer().notNull(),
    updatedAt: integer().notNull(),
  },
  (t) => [
    uniqueIndex('flow_enrollments_once_idx').on(t.workspaceId, t.flowId, t.contactId, t.occurrenceKey),
    index('flow_enrollments_due_idx').on(t.status, t.nextRunAt),
    index('flow_enrollments_flow_idx').on(t.workspaceId, t.flowId, t.status, t.enrolledAt),
    index('flow_enrollments_contact_idx').on(t.workspaceId, t.flowId, t.contactId, t.enrolledAt),
  ],
);

/** A link of one sent text, shortened to /s/<code> on our domain: redirects only to `url` and counts the click for its delivery. */
export const shortLinks = sqliteTable(
  'short_links',
  {
    code: text().primaryKey(),
    workspaceId: workspaceRef(),
    deliveryId: text()
      .notNull()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    url: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('short_links_delivery_idx').on(t.workspaceId, t.deliveryId)],
);

/**
 * An image a merchant uploaded for their emails: the bytes are in the IMAGES bucket under
 * `key`, served publicly at /i/<key> (recipients' mail clients load it without a session).
 */
export const images = sqliteTable(
  'images',
  {
    id: text().primaryKey(),
    workspaceId: workspaceRef(),
    // 24 random characters and the extension: the public name, unguessable.
    key: text().notNull().unique(),
    name: text().notNull(),
    contentType: text().notNull(),
    bytes: integer().notNull(),
    width: integer(),
    height: integer(),
    createdAt: createdAt(),
  },
  (t) => [index('images_workspace_idx').on(t.workspaceId, t.createdAt)],
);

/**
 * Which email designs show which uploaded image (its key found in the design's HTML),
 * rewritten with each save, so Images can say where an image is used before it is deleted.
 * Only the workspace's own images are recorded; deleting an image drops its rows.
 */
export const designImages = sqliteTable(
  'design_images',
  {
    workspaceId: workspaceRef(),
    imageKey: text().notNull(),
    contentId: text()
      .notNull()
      .references(() => contents.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.imageKey, t.contentId] }), index('design_images_content_idx').on(t.contentId)],
);
