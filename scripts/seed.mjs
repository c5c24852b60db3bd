// Demo data for local development, written to the local D1 (.wrangler/state):
// demo@example.com / demo-password-123, owner of "Demo Outfitters" (a UK apparel store with
// 30 products, 300 contacts and ~600 orders) and of an empty "Demo Outfitters US".
//
//   npm run seed            (after `npm run db:migrate:local`; `npm start` does both)
//
// Idempotent: when demo@example.com already exists it prints so and changes nothing.
// Deterministic: a seeded PRNG picks names, consents, baskets and statuses, so every machine
// gets the same data; only the dates are relative to today, so the store always looks active.
// Everything goes in one SQL file, which wrangler runs locally as one batch (one
// transaction): a failed seed leaves nothing half-written behind.
import { pbkdf2Sync, randomBytes, webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { insertStatements, sqlLiteral } from './lib/sql.mjs';
import { executeLocalD1File, queryLocalD1, ROOT } from './lib/wrangler.mjs';

export const DEMO_EMAIL = 'demo@example.com';
export const DEMO_PASSWORD = 'demo-password-123';

const PRNG_SEED = 20240501;
const CONTACT_COUNT = 300;
const ORDER_COUNT = 600;
const ORDER_HISTORY_DAYS = 400;
const CURRENCY = 'GBP';
const STORE_URL = 'https://demo-outfitters.test';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------
// Randomness and ids

/** A small deterministic PRNG (mulberry32) with the helpers the generators need. */
function createRandom(seed) {
  let state = seed >>> 0;
  function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  const int = (min, max) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick: (list) => list[Math.floor(next() * list.length)],
    /** One value of [[value, weight], ...], in proportion to the weights. */
    weighted(entries) {
      let remaining = next() * entries.reduce((sum, [, weight]) => sum + weight, 0);
      for (const [value, weight] of entries) {
        remaining -= weight;
        if (remaining < 0) return value;
      }
      return entries[entries.length - 1][0];
    },
    /** `count` distinct items of `list`. */
    sample(list, count) {
      const copy = [...list];
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(next() * (copy.length - i));
        [copy[i], copy[j]] = [copy[j], copy[i]];
      }
      return copy.slice(0, count);
    },
  };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** An id in the app's format (src/lib/ids.ts): 10 Crockford chars of ms time + 16 random ones. */
function newId(time, random) {
  let prefix = '';
  let t = Math.floor(time);
  for (let i = 0; i < 10; i++) {
    prefix = CROCKFORD[t % 32] + prefix;
    t = Math.floor(t / 32);
  }
  let rest = '';
  for (let i = 0; i < 16; i++) rest += CROCKFORD[random.int(0, 31)];
  return prefix + rest;
}

// Must match src/lib/crypto.ts (verifyPassword reads the iteration count from the hash).
const PASSWORD_ITERATIONS = 100_000;

/** `pbkdf2-sha256$<iterations>$<salt>$<hash>`, base64url without padding, as the app stores it. */
function hashPassword(password) {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(password, salt, PASSWORD_ITERATIONS, 32, 'sha256');
  return `pbkdf2-sha256$${PASSWORD_ITERATIONS}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

// ---------------------------------------------------------------------------
// The account: one user owning two workspaces (so the workspace switcher has a choice).

function buildAccount(random, now) {
  const createdAt = now - 420 * DAY;
  const userId = newId(createdAt, random);
  const ukWorkspaceId = newId(createdAt, random);
  const usWorkspaceId = newId(createdAt + MINUTE, random);
  const workspace = (id, name, timeZone, senderEmail) => ({
    id,
    name,
    time_zone: timeZone,
    sender_name: name,
    sender_email: senderEmail,
    created_at: createdAt,
    updated_at: createdAt,
  });
  const settings = (workspaceId, postalAddress) => ({
    workspace_id: workspaceId,
    reply_to_email: null,
    postal_address: postalAddress,
    updated_at: createdAt,
  });
  const owner = (workspaceId) => ({ workspace_id: workspaceId, user_id: userId, role: 'owner', created_at: createdAt });
  return {
    ukWorkspaceId,
    workspaces: [
      workspace(ukWorkspaceId, 'Demo Outfitters', 'Europe/London', 'hello@demo-outfitters.test'),
      workspace(usWorkspaceId, 'Demo Outfitters US', 'America/New_York', 'hello@us.demo-outfitters.test'),
    ],
    workspace_settings: [settings(ukWorkspaceId, '1 Demo Street, London, UK'), settings(usWorkspaceId, '100 Demo Avenue, New York, NY 10001, USA')],
    users: [{ id: userId, email: DEMO_EMAIL, name: 'Demo Merchant', password_hash: hashPassword(DEMO_PASSWORD), created_at: createdAt }],
    memberships: [owner(ukWorkspaceId), owner(usWorkspaceId)],
  };
}

// ---------------------------------------------------------------------------
// Products: an apparel catalogue, one row per variant (SKU).

// [sku prefix, product name, slug, price in pence, variants as [sku suffix, label]]
const CATALOGUE = [
  [
    'TSHIRT-BLK',
    'Classic Tee',
    'classic-tee',
    2000,
    [
      ['S', 'Black, S'],
      ['M', 'Black, M'],
      ['L', 'Black, L'],
    ],
  ],
  [
    'TSHIRT-WHT',
    'Classic Tee',
    'classic-tee',
    2000,
    [
      ['S', 'White, S'],
      ['M', 'White, M'],
      ['L', 'White, L'],
    ],
  ],
  [
    'TSHIRT-NVY',
    'Classic Tee',
    'classic-tee',
    2000,
    [
      ['S', 'Navy, S'],
      ['M', 'Navy, M'],
      ['L', 'Navy, L'],
    ],
  ],
  [
    'HOODIE-GRY',
    'Heavyweight Hoodie',
    'heavyweight-hoodie',
    5500,
    [
      ['M', 'Grey, M'],
      ['L', 'Grey, L'],
    ],
  ],
  [
    'HOODIE-NVY',
    'Heavyweight Hoodie',
    'heavyweight-hoodie',
    5500,
    [
      ['M', 'Navy, M'],
      ['L', 'Navy, L'],
    ],
  ],
  [
    'CREW-OAT',
    'Organic Crew Sweatshirt',
    'organic-crew',
    4500,
    [
      ['M', 'Oatmeal, M'],
      ['L', 'Oatmeal, L'],
    ],
  ],
  [
    'JACKET-RAIN',
    'Packable Rain Jacket',
    'rain-jacket',
    12000,
    [
      ['M', 'Olive, M'],
      ['L', 'Olive, L'],
    ],
  ],
  [
    'JEANS-IND',
    'Straight Jeans',
    'straight-jeans',
    7000,
    [
      ['30', 'Indigo, W30'],
      ['32', 'Indigo, W32'],
      ['34', 'Indigo, W34'],
    ],
  ],
  ['CHINO-STN', 'Stretch Chinos', 'stretch-chinos', 6000, [['32', 'Stone, W32']]],
  [
    'POLO',
    'Pique Polo',
    'pique-polo',
    3500,
    [
      ['WHT-M', 'White, M'],
      ['BLK-M', 'Black, M'],
    ],
  ],
  [
    'BEANIE',
    'Merino Beanie',
    'merino-beanie',
    1800,
    [
      ['BLK', 'Black'],
      ['RST', 'Rust'],
    ],
  ],
  ['CAP-NVY', 'Canvas Cap', 'canvas-cap', 2200, [['OS', 'Navy']]],
  ['SOCKS-3PK', 'Everyday Socks (3 pack)', 'everyday-socks', 1200, [['OS', 'Mixed']]],
  ['TOTE-NAT', 'Canvas Tote', 'canvas-tote', 1500, [['OS', 'Natural']]],
  ['SCARF-WOOL', 'Lambswool Scarf', 'lambswool-scarf', 3500, [['OS', 'Charcoal']]],
  ['GLOVES-LTHR', 'Leather Gloves', 'leather-gloves', 4000, [['M', 'Brown, M']]],
];

// Out of stock, so back-in-stock flows have something to watch.
const SOLD_OUT_SKUS = new Set(['HOODIE-NVY-L', 'JACKET-RAIN-L', 'BEANIE-RST', 'JEANS-IND-30']);
// Recently reduced, so price-drop flows have something to announce: sku -> price before.
const PRICE_DROPS = new Map([
  ['JACKET-RAIN-M', 14000],
  ['JACKET-RAIN-L', 14000],
  ['SCARF-WOOL', 4500],
]);
const PRICE_DROP_DAYS_AGO = 3;

function skuOf(prefix, suffix) {
  // One-size items keep their bare prefix (SOCKS-3PK, not SOCKS-3PK-OS).
  return suffix === 'OS' ? prefix : `${prefix}-${suffix}`;
}

function buildProducts(random, workspaceId, now) {
  const createdAt = now - 410 * DAY;
  const products = [];
  for (const [prefix, name, slug, priceCents, variants] of CATALOGUE) {
    for (const [suffix, label] of variants) {
      const sku = skuOf(prefix, suffix);
      const previousPrice = PRICE_DROPS.get(sku) ?? null;
      const imageSlug = `${slug}-${label
        .split(',')[0]
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')}`;
      products.push({
        id: newId(createdAt + products.length * MINUTE, random),
        workspace_id: workspaceId,
        external_id: String(7001 + products.length),
        sku,
        title: `${name} (${label})`,
        url: `${STORE_URL}/products/${slug}?variant=${sku}`,
        image_url: `${STORE_URL}/images/${imageSlug}.jpg`,
        currency: CURRENCY,
        price_cents: priceCents,
        previous_price_cents: previousPrice,
        price_changed_at: previousPrice ? now - PRICE_DROP_DAYS_AGO * DAY : null,
        inventory: SOLD_OUT_SKUS.has(sku) ? 0 : random.int(3, 120),
        created_at: createdAt,
        updated_at: previousPrice ? now - PRICE_DROP_DAYS_AGO * DAY : createdAt,
      });
    }
  }
  return products;
}

/** What an order placed at `time` paid for a product (before a price drop: the old price). */
function priceAt(product, time) {
  return product.previous_price_cents && time < product.price_changed_at ? product.previous_price_cents : product.price_cents;
}

// ---------------------------------------------------------------------------
// Contacts

const FIRST_NAMES = [
  'Oliver',
  'Amelia',
  'George',
  'Isla',
  'Harry',
  'Ava',
  'Noah',
  'Mia',
  'Jack',
  'Ivy',
  'Leo',
  'Lily',
  'Arthur',
  'Freya',
  'Muhammad',
  'Florence',
  'Oscar',
  'Grace',
  'Charlie',
  'Sophia',
  'Jacob',
  'Evie',
  'Thomas',
  'Poppy',
  'Alfie',
  'Ella',
  'Henry',
  'Chloe',
  'Theo',
  'Emily',
  'Archie',
  'Aisha',
  'Joshua',
  'Zara',
  'James',
  'Priya',
  'William',
  'Siobhan',
  'Finn',
  'Niamh',
  'Kwame',
  'Amara',
  'Rhys',
  'Ffion',
  'Hamish',
  'Eilidh',
  'Tomasz',
  'Zofia',
  'Luca',
  'Giulia',
  'Mateo',
  'Lucía',
  'Arjun',
  'Ananya',
  'Kofi',
  'Chiara',
  'Daniel',
  'Hannah',
  'Samuel',
  'Olivia',
];
// Includes apostrophes and accents on purpose: they exercise escaping and normalization.
const LAST_NAMES = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Johnson',
  'Davies',
  'Patel',
  'Robinson',
  'Wright',
  'Thompson',
  'Evans',
  'Walker',
  'White',
  'Roberts',
  'Green',
  'Hall',
  'Wood',
  'Jackson',
  'Clarke',
  'Khan',
  'Hughes',
  'Edwards',
  'Lewis',
  'Harris',
  'Martin',
  'Cooper',
  'King',
  'Lee',
  "O'Brien",
  "O'Connor",
  'MacDonald',
  'Campbell',
  'Murphy',
  'Kelly',
  'Nowak',
  'Kowalski',
  'Rossi',
  'García',
  'Okafor',
  'Mensah',
  'Singh',
  'Ahmed',
  'Chen',
  'Nguyen',
  'Morgan',
  'Price',
  'Bennett',
  'Fletcher',
];
const EMAIL_DOMAINS = [
  ['example.com', 40],
  ['example.net', 20],
  ['example.org', 15],
  ['mail.test', 15],
  ['inbox.test', 10],
];
// Share of contacts who have bought at least once; the rest are subscribers only.
const CUSTOMER_SHARE = 0.7;
// A few contacts signed up by SMS only and have no email address.
const SMS_ONLY_CONTACTS = 4;
// Ofcom's range reserved for drama (+44 7700 900000-900999): real-looking, never anyone's.
const FIRST_DEMO_PHONE = 447700900000;

/** Lower-case ASCII letters of a name, for email local parts ("Lucía" -> "lucia", "O'Brien" -> "obrien"). */
function emailPart(name) {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

function contactEmail(random, first, last, taken) {
  const f = emailPart(first);
  const l = emailPart(last);
  const local = random.weighted([
    [`${f}.${l}`, 40],
    [`${f}${l}`, 15],
    [`${f[0]}${l}`, 15],
    [`${f}.${l}${random.int(1, 99)}`, 15],
    [`${f}_${l}`, 15],
  ]);
  const domain = random.weighted(EMAIL_DOMAINS);
  let email = `${local}@${domain}`;
  for (let n = 2; taken.has(email); n++) email = `${local}${n}@${domain}`;
  taken.add(email);
  return email;
}

function emailConsentOf(random) {
  return random.weighted([
    ['subscribed', 60],
    ['unsubscribed', 15],
    ['not_subscribed', 25],
  ]);
}

function smsConsentOf(random, phone) {
  if (!phone) return 'not_subscribed';
  return random.weighted([
    ['subscribed', 50],
    ['unsubscribed', 10],
    ['not_subscribed', 40],
  ]);
}

/** When a consent status was given: at sign-up, and an unsubscribe some time later. */
function consentTimeOf(random, status, createdAt, now) {
  if (status === 'not_subscribed') return null;
  if (status === 'subscribed') return createdAt;
  return Math.min(now - HOUR, createdAt + random.int(1, 120) * DAY);
}

function buildContacts(random, workspaceId, now) {
  const taken = new Set();
  const contacts = [];
  let phonesIssued = 0;
  for (let i = 0; i < CONTACT_COUNT; i++) {
    const smsOnly = i >= CONTACT_COUNT - SMS_ONLY_CONTACTS;
    const isCustomer = !smsOnly && random.chance(CUSTOMER_SHARE);
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const email = smsOnly ? null : contactEmail(random, first, last, taken);
    const phone = smsOnly || random.chance(0.45) ? `+${FIRST_DEMO_PHONE + phonesIssued++}` : null;
    // Customers signed up long enough ago to have an order history.
    const createdAt = now - (isCustomer ? random.int(30, 420) : random.int(0, 420)) * DAY - random.int(0, DAY - 1);
    const emailConsent = email ? emailConsentOf(random) : 'not_subscribed';
    const smsConsent = smsOnly ? 'subscribed' : smsConsentOf(random, phone);
    const registered = isCustomer ? random.chance(0.55) : random.chance(0.2);
    const emailConsentAt = consentTimeOf(random, emailConsent, createdAt, now);
    const smsConsentAt = consentTimeOf(random, smsConsent, createdAt, now);
    contacts.push({
      id: newId(createdAt, random),
      workspace_id: workspaceId,
      email,
      phone,
      first_name: first,
      last_name: last,
      email_consent: emailConsent,
      sms_consent: smsConsent,
      registered,
      // Filled in from the orders by applyOrderAggregates.
      total_spent_cents: 0,
      order_count: 0,
      first_order_at: null,
      last_order_at: null,
      external_id: registered ? String(880001 + i) : null,
      email_consent_at: emailConsentAt,
      email_consent_source: emailConsentAt ? 'import' : null,
      sms_consent_at: smsConsentAt,
      sms_consent_source: smsConsentAt ? (smsOnly ? 'sms_keyword' : 'import') : null,
      created_at: createdAt,
      updated_at: Math.max(createdAt, emailConsentAt ?? 0, smsConsentAt ?? 0),
      isCustomer,
    });
  }
  return contacts;
}

/** The consent history matching each contact's current status (one change each). */
function buildConsentChanges(random, workspaceId, contacts) {
  const changes = [];
  for (const contact of contacts) {
    for (const channel of ['email', 'sms']) {
      const changedAt = contact[`${channel}_consent_at`];
      if (!changedAt) continue;
      changes.push({
        id: newId(changedAt, random),
        workspace_id: workspaceId,
        contact_id: contact.id,
        channel,
        status: contact[`${channel}_consent`],
        source: contact[`${channel}_consent_source`],
        changed_at: changedAt,
      });
    }
  }
  return changes;
}

// ---------------------------------------------------------------------------
// Orders

/** Recent orders are still on their way; older ones are done, a few refunded or cancelled. */
function orderStatusFor(random, ageMs) {
  if (ageMs < 3 * DAY) {
    return random.weighted([
      ['placed', 45],
      ['paid', 35],
      ['shipped', 10],
      ['cancelled', 10],
    ]);
  }
  if (ageMs < 10 * DAY) {
    return random.weighted([
      ['shipped', 70],
      ['completed', 15],
      ['paid', 5],
      ['refunded', 5],
      ['cancelled', 5],
    ]);
  }
  return random.weighted([
    ['completed', 86],
    ['refunded', 7],
    ['cancelled', 7],
  ]);
}

/** Which customer places each order: everyone once, then loyal customers more often. */
function orderingCustomers(random, customers) {
  const loyalty = customers.map(() =>
    random.weighted([
      [1, 60],
      [3, 30],
      [10, 10],
    ]),
  );
  const buyers = [...customers];
  while (buyers.length < ORDER_COUNT) buyers.push(random.weighted(customers.map((c, i) => [c, loyalty[i]])));
  return buyers;
}

function buildOrderItems(random, workspaceId, orderId, placedAt, products) {
  const lineCount = random.weighted([
    [1, 50],
    [2, 28],
    [3, 14],
    [4, 8],
  ]);
  return random.sample(products, lineCount).map((product) => ({
    id: newId(placedAt, random),
    workspace_id: workspaceId,
    order_id: orderId,
    product_id: product.id,
    sku: product.sku,
    title: product.title,
    quantity: random.weighted([
      [1, 80],
      [2, 15],
      [3, 5],
    ]),
    unit_price_cents: priceAt(product, placedAt),
  }));
}

/** The timestamps an order in `status` has: paid/completed, shipped, and its last change. */
function orderTimeline(random, status, placedAt, now) {
  const later = (minHours, maxHours) => Math.min(now - MINUTE, placedAt + random.int(minHours * 60, maxHours * 60) * MINUTE);
  const completedAt = ['paid', 'completed', 'shipped'].includes(status) ? later(0, 1) : null;
  const shippedAt = ['shipped', 'completed'].includes(status) ? later(20, 72) : null;
  const refundedAt = status === 'refunded' ? later(72, 20 * 24) : null;
  const cancelledAt = status === 'cancelled' ? later(1, 24) : null;
  const updatedAt = Math.max(placedAt, completedAt ?? 0, shippedAt ?? 0, refundedAt ?? 0, cancelledAt ?? 0);
  return { completedAt, shippedAt, refundedAt, updatedAt };
}

function buildOrders(random, workspaceId, contacts, products, now) {
  const windowStart = now - ORDER_HISTORY_DAYS * DAY;
  const drafts = orderingCustomers(
    random,
    contacts.filter((c) => c.isCustomer),
  ).map((contact) => {
    const from = Math.max(windowStart, contact.created_at);
    // sqrt: order density grows towards today, like a store that is growing.
    return { contact, placedAt: Math.floor(from + Math.sqrt(random.next()) * (now - 5 * MINUTE - from)) };
  });
  // Order numbers rise with time, as a store's do.
  drafts.sort((a, b) => a.placedAt - b.placedAt);

  const orders = [];
  const orderItems = [];
  const orderRefunds = [];
  for (const [n, { contact, placedAt }] of drafts.entries()) {
    const id = newId(placedAt, random);
    const externalId = `DO-${10001 + n}`;
    const status = orderStatusFor(random, now - placedAt);
    const items = buildOrderItems(random, workspaceId, id, placedAt, products);
    const totalCents = items.reduce((sum, item) => sum + item.quantity * item.unit_price_cents, 0);
    const timeline = orderTimeline(random, status, placedAt, now);
    orders.push({
      id,
      workspace_id: workspaceId,
      contact_id: contact.id,
      external_id: externalId,
      email: contact.email,
      status,
      currency: CURRENCY,
      total_cents: totalCents,
      refunded_cents: status === 'refunded' ? totalCents : 0,
      placed_at: placedAt,
      completed_at: timeline.completedAt,
      shipped_at: timeline.shippedAt,
      updated_at: timeline.updatedAt,
    });
    orderItems.push(...items);
    if (status === 'refunded') {
      orderRefunds.push({
        workspace_id: workspaceId,
        order_external_id: externalId,
        external_id: `RF-${10001 + n}`,
        amount_cents: totalCents,
        refunded_at: timeline.refundedAt,
      });
    }
  }
  return { orders, orderItems, orderRefunds };
}

/**
 * Sets each contact's spend, order count and first/last order from its orders, with the
 * rule the app uses (src/stores/orders.service.ts): cancelled and refunded orders count for
 * nothing, refunds are subtracted.
 */
function applyOrderAggregates(contacts, orders) {
  const byId = new Map(contacts.map((contact) => [contact.id, contact]));
  for (const order of orders) {
    const contact = byId.get(order.contact_id);
    contact.updated_at = Math.max(contact.updated_at, order.updated_at);
    if (order.status === 'cancelled' || order.status === 'refunded') continue;
    contact.total_spent_cents += Math.max(order.total_cents - order.refunded_cents, 0);
    contact.order_count += 1;
    contact.first_order_at = Math.min(contact.first_order_at ?? Infinity, order.placed_at);
    contact.last_order_at = Math.max(contact.last_order_at ?? 0, order.placed_at);
  }
}

// ---------------------------------------------------------------------------
// Tags

const VIP_COUNT = 25;

function buildContactTags(random, workspaceId, contacts) {
  const vips = new Set(
    [...contacts]
      .filter((c) => c.total_spent_cents > 0)
      .sort((a, b) => b.total_spent_cents - a.total_spent_cents)
      .slice(0, VIP_COUNT),
  );
  const tags = [];
  for (const contact of contacts) {
    const names = [];
    if (vips.has(contact)) names.push('vip');
    if (contact.email_consent === 'subscribed' && random.chance(0.6)) names.push('newsletter');
    if (contact.order_count >= 3) names.push('returning');
    if (contact.isCustomer && random.chance(0.04)) names.push('wholesale');
    if (random.chance(0.1)) names.push('early-access');
    if (random.chance(0.15)) names.push('instagram');
    for (const tag of names) tags.push({ workspace_id: workspaceId, contact_id: contact.id, tag });
  }
  return tags;
}

/** Saved segments a merchant would start with, to show the builder with real counts. */
function buildSegments(random, workspaceId, now) {
  const segments = [
    [
      'VIP customers',
      'Tagged vip, still subscribed',
      {
        match: 'all',
        children: [
          { field: 'tags', op: 'hasAny', tags: ['vip'] },
          { field: 'emailConsent', op: 'is', value: 'subscribed' },
        ],
      },
    ],
    [
      'Lapsed buyers',
      'Bought before, not in the last 90 days',
      {
        match: 'all',
        children: [
          { field: 'orderCount', op: 'gte', value: 1 },
          { field: 'lastPurchase', op: 'moreThanDaysAgo', days: 90 },
        ],
      },
    ],
    ['Big spenders', 'Over £250 lifetime', { match: 'all', children: [{ field: 'totalSpent', op: 'gt', value: 25000 }] }],
  ];
  return segments.map(([name, description, definition], i) => ({
    id: newId(now - (segments.length - i) * MINUTE, random),
    workspace_id: workspaceId,
    name,
    description,
    definition: JSON.stringify(definition),
    created_at: now - (segments.length - i) * MINUTE,
    updated_at: now,
  }));
}

/** The announcement starter as a design, and two campaigns using it: a draft, and one scheduled next week. */
function buildCampaigns(random, workspaceId, segments, now) {
  const design = {
    id: newId(now, random),
    workspace_id: workspaceId,
    name: 'Winter newsletter',
    subject: 'Winter is here at {{ shop.name }}',
    preheader: 'New coats and boots, this week only',
    html: readFileSync(join(ROOT, 'public', 'templates', 'announcement.html'), 'utf8'),
    created_at: now,
    updated_at: now,
  };
  // Monday 09:00 next week, London time (the demo workspace's zone), as the builder would store it.
  const monday = new Date(now + ((8 - new Date(now).getUTCDay()) % 7 || 7) * DAY);
  const local = `${monday.toISOString().slice(0, 10)}T09:00`;
  const londonOffset = Number(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', timeZoneName: 'shortOffset' })
      .formatToParts(monday)
      .find((p) => p.type === 'timeZoneName')
      .value.replace('GMT', '') || 0,
  );
  const campaign = (name, segment, fields) => ({
    id: newId(now, random),
    workspace_id: workspaceId,
    name,
    channel: 'email',
    content_id: design.id,
    segment_id: segment.id,
    sending_filter: 'subscribed',
    created_at: now,
    updated_at: now,
    ...fields,
  });
  return {
    designs: [design],
    campaigns: [
      campaign('VIP early access', segments[0], { status: 'draft', scheduled_at: null, scheduled_local: null, scheduled_time_zone: null }),
      campaign('Winter newsletter', segments[2], {
        status: 'scheduled',
        scheduled_at: Date.parse(`${local}:00Z`) - londonOffset * 3_600_000,
        scheduled_local: local,
        scheduled_time_zone: 'Europe/London',
      }),
    ],
  };
}

/**
 * A generic ("custom") store connection, so Settings → Store connections shows a
 * webhook URL and secret to try curl against. The secret is encrypted as the Worker
 * does (AES-256-GCM, `v1.<iv>.<ciphertext>`), with ENCRYPTION_KEY from .dev.vars.
 */
async function buildStoreConnection(random, workspaceId, now) {
  const vars = readFileSync(join(ROOT, '.dev.vars'), 'utf8');
  const key = /^ENCRYPTION_KEY=(.+)$/m.exec(vars)?.[1]?.trim();
  if (!key) return [];
  const iv = webcrypto.getRandomValues(new Uint8Array(12));
  const aes = await webcrypto.subtle.importKey('raw', Buffer.from(key, 'base64'), 'AES-GCM', false, ['encrypt']);
  const secret = 'whsec_demo_local_only_0123456789';
  const ciphertext = await webcrypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, new TextEncoder().encode(secret));
  const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
  return [
    {
      id: newId(now, random),
      workspace_id: workspaceId,
      platform: 'custom',
      name: 'Demo store (generic events)',
      currency: CURRENCY,
      secret_ciphertext: `v1.${b64url(iv)}.${b64url(ciphertext)}`,
      created_at: now,
    },
  ];
}

// ---------------------------------------------------------------------------

/** All demo rows, by table, in an order that satisfies the foreign keys. */
export async function buildDemoData(now = Date.now()) {
  const random = createRandom(PRNG_SEED);
  const account = buildAccount(random, now);
  const workspaceId = account.ukWorkspaceId;
  const products = buildProducts(random, workspaceId, now);
  const contacts = buildContacts(random, workspaceId, now);
  const { orders, orderItems, orderRefunds } = buildOrders(random, workspaceId, contacts, products, now);
  applyOrderAggregates(contacts, orders);
  const contactTags = buildContactTags(random, workspaceId, contacts);
  const consentChanges = buildConsentChanges(random, workspaceId, contacts);
  const segments = buildSegments(random, workspaceId, now);
  const storeConnections = await buildStoreConnection(random, workspaceId, now);
  const { designs, campaigns } = buildCampaigns(random, workspaceId, segments, now);
  return {
    workspaces: account.workspaces,
    users: account.users,
    memberships: account.memberships,
    workspace_settings: account.workspace_settings,
    products,
    contacts: contacts.map(({ isCustomer, ...row }) => row),
    contact_tags: contactTags,
    consent_changes: consentChanges,
    orders,
    order_items: orderItems,
    order_refunds: orderRefunds,
    segments,
    store_connections: storeConnections,
    email_contents: designs,
    campaigns,
  };
}

// Tables a schema may not have yet (added by later migrations); without them the seed skips them.
const OPTIONAL_TABLES = new Set(['consent_changes', 'order_refunds', 'segments', 'store_connections', 'email_contents', 'campaigns']);

/**
 * One look at the local database: does the demo user exist, and which columns does each table
 * have (so the seed writes only columns the migrated schema knows, and notices new required ones).
 */
function readLocalDatabase(tableNames) {
  // Only the tables we write: D1 refuses table_info on its own internal (_cf_) tables.
  const [users, columns] = queryLocalD1(
    `SELECT id FROM users WHERE email = ${sqlLiteral(DEMO_EMAIL)};
     SELECT m.name AS tbl, p.name AS col, p."notnull" AS required, p.dflt_value AS dflt, p.pk AS pk
     FROM sqlite_master m JOIN pragma_table_info(m.name) p
     WHERE m.type = 'table' AND m.name IN (${tableNames.map(sqlLiteral).join(', ')})`,
  );
  const tables = new Map();
  for (const { tbl, col, required, dflt, pk } of columns) {
    if (!tables.has(tbl)) tables.set(tbl, new Map());
    tables.get(tbl).set(col, { mustBeGiven: Boolean(required || pk) && dflt === null });
  }
  return { demoUserExists: users.length > 0, tables };
}

/** The INSERTs for one table, limited to the columns the schema has. */
function tableInserts(table, rows, schemaColumns, warn) {
  if (!rows.length) return [];
  if (!schemaColumns) {
    if (OPTIONAL_TABLES.has(table)) return [];
    throw new Error(`the local database has no table ${table}: run the migrations first`);
  }
  const given = Object.keys(rows[0]);
  for (const [column, { mustBeGiven }] of schemaColumns) {
    if (mustBeGiven && !given.includes(column)) {
      throw new Error(`${table}.${column} is required by the schema but the seed does not set it: update scripts/seed.mjs`);
    }
  }
  const unknown = given.filter((column) => !schemaColumns.has(column));
  if (unknown.length) warn(`the schema has no ${unknown.map((c) => `${table}.${c}`).join(', ')}; left out`);
  return insertStatements(
    table,
    given.filter((column) => schemaColumns.has(column)),
    rows,
  );
}

/** The seed as one SQL text, and a summary of the rows it writes per table. */
function seedSql(data, tables, warn) {
  const statements = [];
  const written = [];
  for (const [table, rows] of Object.entries(data)) {
    const inserts = tableInserts(table, rows, tables.get(table), warn);
    if (inserts.length) written.push(`${rows.length} ${table}`);
    statements.push(...inserts);
  }
  return { sql: `-- Demo data generated by scripts/seed.mjs\n${statements.join('\n')}\n`, summary: written.join(', ') };
}

/**
 * Writes the demo data into the local D1 unless the demo user already exists.
 * Needs the local migrations applied. Returns whether it wrote anything.
 */
export async function seedDemo({ log = (line) => console.log(`[seed] ${line}`) } = {}) {
  const data = await buildDemoData();
  const { demoUserExists, tables } = readLocalDatabase(Object.keys(data));
  if (demoUserExists) {
    log(`${DEMO_EMAIL} already exists; leaving the local database as it is.`);
    return { seeded: false };
  }
  const dir = mkdtempSync(join(tmpdir(), 'seed-'));
  try {
    const file = join(dir, 'seed.sql');
    const { sql, summary } = seedSql(data, tables, (line) => log(`warning: ${line}`));
    writeFileSync(file, sql);
    executeLocalD1File(file);
    log(`seeded ${summary}.`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  log(`sign in as ${DEMO_EMAIL} / ${DEMO_PASSWORD}`);
  return { seeded: true };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  seedDemo().catch((err) => {
    console.error(`[seed] failed: ${err.message}`);
    process.exit(1);
  });
}
