// What the demo store's history is: an apparel catalogue, the people on its list and
// the orders, refunds and open checkouts they made, written as the inputs the product
// takes (contact upserts and normalized StoreEvents) with the time each one happened.
// Pure and deterministic: demo-seed.ts applies it through the domain code.
import type { ContactUpsert } from '../contacts/contacts.service';
import type { ConsentChannel, ConsentStatus, OrderStatus } from '../db/schema';
import { DAY, HOUR, MINUTE } from '../lib/time';
import type { SegmentInput } from '../segments/segments.schemas';
import type { CartEvent, LineItem, OrderEvent, Person, ProductVariant } from '../stores/store-events';
import { createRandom, type Random } from './demo-random';

export const PRNG_SEED = 20240501;
export const CONTACT_COUNT = 300;
export const ORDER_COUNT = 600;
const ORDER_HISTORY_DAYS = 400;
export const CURRENCY = 'GBP';
export const STORE_URL = 'https://demo-outfitters.test';
/** When the merchant signed up and connected the store, before the history below. */
export const ACCOUNT_AGE_DAYS = 420;
const CATALOGUE_AGE_DAYS = 410;

// [sku prefix, product name, slug, price in pence, variants as [sku suffix, label]]
const CATALOGUE: [string, string, string, number, [string, string][]][] = [
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
export const PRICE_DROP_DAYS_AGO = 3;

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
const EMAIL_DOMAINS: [string, number][] = [
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
// Ofcom's London range reserved for drama (+44 20 7946 0000-0999): valid, never anyone's.
// Its mobile one (07700 900xxx) is not a valid number to libphonenumber, so contacts refuse it.
const FIRST_DEMO_PHONE = 442079460000;
// Checkouts left open in the last two days, for abandoned-cart flows and the openCart rule.
const OPEN_CART_COUNT = 12;

/** A product as the store sends it (one event per product, its variants by SKU), and when. */
export type DemoProduct = { parentExternalId: string; variants: ProductVariant[]; at: number };

/** A contact signing up (`source` names where it came from), and consent withdrawn later. */
export type DemoContact = {
  upsert: ContactUpsert & { consentAt: number };
  source: string;
  createdAt: number;
  unsubscribes: { channel: ConsentChannel; at: number }[];
  person: Person;
  isCustomer: boolean;
};

/** An order in its latest state, applied when it reached it; `refund` follows for a refunded one. */
export type DemoOrder = { event: OrderEvent; at: number; refund: { externalId: string; amountCents: number; at: number } | null };

export type DemoPlan = {
  products: DemoProduct[];
  priceDrops: DemoProduct[];
  contacts: DemoContact[];
  orders: DemoOrder[];
  openCarts: CartEvent[];
  segments: SegmentInput[];
};

type CatalogueItem = ProductVariant & { previousPriceCents: number | null; priceChangedAt: number | null };

function skuOf(prefix: string, suffix: string): string {
  // One-size items keep their bare prefix (SOCKS-3PK, not SOCKS-3PK-OS).
  return suffix === 'OS' ? prefix : `${prefix}-${suffix}`;
}

function buildCatalogue(random: Random, now: number): CatalogueItem[] {
  const items: CatalogueItem[] = [];
  for (const [prefix, name, slug, priceCents, variants] of CATALOGUE) {
    for (const [suffix, label] of variants) {
      const sku = skuOf(prefix, suffix);
      const previousPriceCents = PRICE_DROPS.get(sku) ?? null;
      const colour = label
        .split(',')[0]!
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-');
      items.push({
        externalId: String(7001 + items.length),
        sku,
        title: `${name} (${label})`,
        priceCents,
        currency: CURRENCY,
        inventory: SOLD_OUT_SKUS.has(sku) ? 0 : random.int(3, 120),
        inventoryItemId: null,
        url: `${STORE_URL}/products/${slug}?variant=${sku}`,
        imageUrl: `${STORE_URL}/images/${slug}-${colour}.jpg`,
        previousPriceCents,
        priceChangedAt: previousPriceCents ? now - PRICE_DROP_DAYS_AGO * DAY : null,
      });
    }
  }
  return items;
}

/** The catalogue as product events: first at the price before any drop, then the drops. */
function productEvents(catalogue: CatalogueItem[], now: number): { products: DemoProduct[]; priceDrops: DemoProduct[] } {
  const variant = ({ previousPriceCents, priceChangedAt, ...fields }: CatalogueItem, priceCents: number): ProductVariant => ({ ...fields, priceCents });
  // A product page's address is its id at the store; its variants are the SKUs.
  const byParent = new Map<string, CatalogueItem[]>();
  for (const item of catalogue) {
    const parent = item.url!.split('?')[0]!;
    byParent.set(parent, [...(byParent.get(parent) ?? []), item]);
  }
  const createdAt = now - CATALOGUE_AGE_DAYS * DAY;
  const products = [...byParent].map(([parent, items]) => ({
    parentExternalId: parent,
    variants: items.map((item) => variant(item, item.previousPriceCents ?? item.priceCents)),
    at: createdAt,
  }));
  const priceDrops = [...byParent]
    .map(([parent, items]) => ({
      parentExternalId: parent,
      variants: items.filter((item) => item.previousPriceCents).map((item) => variant(item, item.priceCents)),
      at: now - PRICE_DROP_DAYS_AGO * DAY,
    }))
    .filter((product) => product.variants.length);
  return { products, priceDrops };
}

/** What an order placed at `time` paid for a product (before a price drop: the old price). */
function priceAt(item: CatalogueItem, time: number): number {
  return item.previousPriceCents && item.priceChangedAt && time < item.priceChangedAt ? item.previousPriceCents : item.priceCents;
}

/** Lower-case ASCII letters of a name, for email local parts ("Lucía" -> "lucia", "O'Brien" -> "obrien"). */
function emailPart(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

function contactEmail(random: Random, first: string, last: string, taken: Set<string>): string {
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

function emailConsentOf(random: Random): ConsentStatus {
  return random.weighted<ConsentStatus>([
    ['subscribed', 60],
    ['unsubscribed', 15],
    ['not_subscribed', 25],
  ]);
}

function smsConsentOf(random: Random, phone: string | null): ConsentStatus {
  if (!phone) return 'not_subscribed';
  return random.weighted<ConsentStatus>([
    ['subscribed', 50],
    ['unsubscribed', 10],
    ['not_subscribed', 40],
  ]);
}

/** Tags a merchant or the store gave at sign-up; `vip` and `returning` come from the orders later. */
function signUpTags(random: Random, emailConsent: ConsentStatus, isCustomer: boolean): string[] {
  const tags: string[] = [];
  if (emailConsent === 'subscribed' && random.chance(0.6)) tags.push('newsletter');
  if (isCustomer && random.chance(0.04)) tags.push('wholesale');
  if (random.chance(0.1)) tags.push('early-access');
  if (random.chance(0.15)) tags.push('instagram');
  return tags;
}

function buildContacts(random: Random, now: number): DemoContact[] {
  const taken = new Set<string>();
  const contacts: DemoContact[] = [];
  let phonesIssued = 0;
  for (let i = 0; i < CONTACT_COUNT; i++) {
    const smsOnly = i >= CONTACT_COUNT - SMS_ONLY_CONTACTS;
    const isCustomer = !smsOnly && random.chance(CUSTOMER_SHARE);
    const firstName = random.pick(FIRST_NAMES);
    const lastName = random.pick(LAST_NAMES);
    const email = smsOnly ? null : contactEmail(random, firstName, lastName, taken);
    const phone = smsOnly || random.chance(0.45) ? `+${FIRST_DEMO_PHONE + phonesIssued++}` : null;
    // Customers signed up long enough ago to have an order history.
    const createdAt = now - (isCustomer ? random.int(30, 420) : random.int(0, 420)) * DAY - random.int(0, DAY - 1);
    const emailConsent = email ? emailConsentOf(random) : 'not_subscribed';
    const smsConsent = smsOnly ? 'subscribed' : smsConsentOf(random, phone);
    const registered = isCustomer ? random.chance(0.55) : random.chance(0.2);
    // Who unsubscribed had subscribed at sign-up, and left some time later.
    const unsubscribes = (['email', 'sms'] as const)
      .filter((channel) => (channel === 'email' ? emailConsent : smsConsent) === 'unsubscribed')
      .map((channel) => ({ channel, at: Math.min(now - HOUR, createdAt + random.int(1, 120) * DAY) }));
    const atSignUp = (status: ConsentStatus) => (status === 'not_subscribed' ? undefined : 'subscribed');
    const externalId = registered ? String(880001 + i) : null;
    contacts.push({
      upsert: {
        email,
        phone,
        firstName,
        lastName,
        externalId,
        registered,
        emailConsent: atSignUp(emailConsent),
        smsConsent: atSignUp(smsConsent),
        consentAt: createdAt,
        tags: signUpTags(random, emailConsent, isCustomer),
      },
      source: smsOnly ? 'sms_keyword' : 'import',
      createdAt,
      unsubscribes,
      person: { email, phone: null, firstName, lastName, externalId, registered },
      isCustomer,
    });
  }
  return contacts;
}

/** Recent orders are still on their way (some unpaid, a few whose payment failed); older ones are done, a few refunded or cancelled. */
function orderStatusFor(random: Random, ageMs: number): OrderStatus {
  if (ageMs < 3 * DAY) {
    return random.weighted<OrderStatus>([
      ['placed', 40],
      ['paid', 35],
      ['shipped', 10],
      ['cancelled', 8],
      ['failed', 7],
    ]);
  }
  if (ageMs < 10 * DAY) {
    return random.weighted<OrderStatus>([
      ['shipped', 70],
      ['completed', 15],
      ['paid', 5],
      ['refunded', 5],
      ['cancelled', 5],
    ]);
  }
  return random.weighted<OrderStatus>([
    ['completed', 86],
    ['refunded', 7],
    ['cancelled', 7],
  ]);
}

/** Which customer places each order: everyone once, then loyal customers more often. */
function orderingCustomers(random: Random, customers: DemoContact[]): DemoContact[] {
  const loyalty = customers.map(() =>
    random.weighted([
      [1, 60],
      [3, 30],
      [10, 10],
    ]),
  );
  const weighted = customers.map((customer, i) => [customer, loyalty[i]!] as const);
  const buyers = [...customers];
  while (buyers.length < ORDER_COUNT) buyers.push(random.weighted(weighted));
  return buyers;
}

function basket(random: Random, catalogue: CatalogueItem[], at: number, maxLines: number): LineItem[] {
  const lineCount = random.weighted(
    (
      [
        [1, 50],
        [2, 28],
        [3, 14],
        [4, 8],
      ] as const
    ).filter(([lines]) => lines <= maxLines),
  );
  return random.sample(catalogue, lineCount).map((item) => ({
    sku: item.sku,
    productExternalId: item.externalId,
    title: item.title,
    quantity: random.weighted([
      [1, 80],
      [2, 15],
      [3, 5],
    ]),
    unitPriceCents: priceAt(item, at),
    imageUrl: item.imageUrl,
  }));
}

const total = (items: LineItem[]) => items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);

/** When an order in `status` shipped, was refunded (in full, or `partly` for a completed one), and last changed. */
function orderTimeline(random: Random, status: OrderStatus, partly: boolean, placedAt: number, now: number) {
  const later = (minHours: number, maxHours: number) => Math.min(now - MINUTE, placedAt + random.int(minHours * 60, maxHours * 60) * MINUTE);
  const paidAt = ['paid', 'completed', 'shipped', 'refunded'].includes(status) ? later(0, 1) : null;
  const shippedAt = ['shipped', 'completed'].includes(status) ? later(20, 72) : null;
  const refundedAt = status === 'refunded' || partly ? later(72, 20 * 24) : null;
  const cancelledAt = status === 'cancelled' || status === 'failed' ? later(1, 24) : null;
  const updatedAt = Math.max(placedAt, paidAt ?? 0, shippedAt ?? 0, refundedAt ?? 0, cancelledAt ?? 0);
  return { shippedAt, refundedAt, updatedAt };
}

function buildOrders(random: Random, contacts: DemoContact[], catalogue: CatalogueItem[], now: number): DemoOrder[] {
  const windowStart = now - ORDER_HISTORY_DAYS * DAY;
  const drafts = orderingCustomers(
    random,
    contacts.filter((contact) => contact.isCustomer),
  ).map((contact) => {
    const from = Math.max(windowStart, contact.createdAt);
    // sqrt: order density grows towards today, like a store that is growing.
    return { contact, placedAt: Math.floor(from + Math.sqrt(random.next()) * (now - 5 * MINUTE - from)) };
  });
  // Order numbers rise with time, as a store's do.
  drafts.sort((a, b) => a.placedAt - b.placedAt);
  return drafts.map(({ contact, placedAt }, n) => {
    const status = orderStatusFor(random, now - placedAt);
    const items = basket(random, catalogue, placedAt, 4);
    const totalCents = total(items);
    // A few completed baskets send one line back: a partial refund, still a purchase.
    const returned = status === 'completed' && items.length > 1 && random.chance(0.08) ? items[0]! : null;
    const timeline = orderTimeline(random, status, returned !== null, placedAt, now);
    const event: OrderEvent = {
      kind: 'order',
      externalId: `DO-${10001 + n}`,
      person: contact.person,
      status,
      currency: CURRENCY,
      totalCents,
      refunds: [],
      placedAt,
      shippedAt: timeline.shippedAt,
      updatedAt: timeline.updatedAt,
      cartExternalId: null,
      items,
      // Consent comes from sign-up and unsubscribes alone, so the demo's mix stays as chosen.
      acceptsEmailMarketing: false,
    };
    const refundCents = returned ? returned.quantity * returned.unitPriceCents : totalCents;
    const refund = timeline.refundedAt === null ? null : { externalId: `RF-${10001 + n}`, amountCents: refundCents, at: timeline.refundedAt };
    return { event, at: timeline.updatedAt, refund };
  });
}

/** Checkouts subscribers started in the last two days and did not finish. */
function buildOpenCarts(random: Random, contacts: DemoContact[], catalogue: CatalogueItem[], now: number): CartEvent[] {
  const shoppers = random.sample(
    contacts.filter((contact) => contact.upsert.email && contact.upsert.emailConsent === 'subscribed' && !contact.unsubscribes.length),
    OPEN_CART_COUNT,
  );
  return shoppers.map((contact, n) => {
    const updatedAt = now - random.int(60, 48 * 60) * MINUTE;
    const items = basket(random, catalogue, updatedAt, 3);
    const externalId = `CK-${50001 + n}`;
    return {
      kind: 'cart',
      externalId,
      person: contact.person,
      currency: CURRENCY,
      valueCents: total(items),
      items,
      recoveryUrl: `${STORE_URL}/checkouts/${externalId}/recover`,
      completed: false,
      updatedAt,
      acceptsEmailMarketing: false,
    };
  });
}

/** Saved segments a merchant would start with, to show the builder with real counts. */
const SEGMENTS: SegmentInput[] = [
  {
    name: 'VIP customers',
    description: 'Tagged vip, still subscribed',
    definition: {
      match: 'all',
      children: [
        { field: 'tags', op: 'hasAny', tags: ['vip'] },
        { field: 'emailConsent', op: 'is', value: 'subscribed' },
      ],
    },
  },
  {
    name: 'Lapsed buyers',
    description: 'Bought before, not in the last 90 days',
    definition: {
      match: 'all',
      children: [
        { field: 'orderCount', op: 'gte', value: 1 },
        { field: 'lastPurchase', op: 'moreThanDaysAgo', days: 90 },
      ],
    },
  },
  { name: 'Big spenders', description: 'Over £250 lifetime', definition: { match: 'all', children: [{ field: 'totalSpent', op: 'gt', value: 25000 }] } },
];

/** The demo store's whole history as of `now`. */
export function buildDemoPlan(now: number): DemoPlan {
  const random = createRandom(PRNG_SEED);
  const catalogue = buildCatalogue(random, now);
  const contacts = buildContacts(random, now);
  const orders = buildOrders(random, contacts, catalogue, now);
  const openCarts = buildOpenCarts(random, contacts, catalogue, now);
  return { ...productEvents(catalogue, now), contacts, orders, openCarts, segments: SEGMENTS };
}
