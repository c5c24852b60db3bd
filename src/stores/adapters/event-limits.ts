// The size limits a store's text is held to once mapped to StoreEvents, the same as
// the contacts API's where it has one. Identifiers (ids, emails, phones, SKUs,
// currencies) out of bounds were already refused when the payload was read; what
// is fitted here only describes (names, titles, tags, links). A store sends what
// the shop holds, and refusing a whole order for a long name would lose the order,
// so such text is cut (links, which a cut would break, are dropped) and each change
// is noted for the caller to record.
import { MAX_TAG_LENGTH } from '../../contacts/contact-fields';
import type { FieldIssue } from '../../lib/errors';
import type { LineItem, Person, ProductVariant, StoreEvent } from '../store-events';

// The contacts API's limits (src/contacts/contacts.schemas.ts): names 100, at most 50 tags.
export const MAX_NAME_LENGTH = 100;
export const MAX_TAGS = 50;
// Product and line item titles: Shopify's own limit for a product title.
export const MAX_TITLE_LENGTH = 255;
// Order labels: far beyond any store's "#1001" or prefixed number.
export const MAX_ORDER_NAME_LENGTH = 100;
// Links longer than browsers and mail clients reliably follow.
export const MAX_URL_LENGTH = 2048;
// Country codes are two letters; anything this long is not one.
const MAX_COUNTRY_LENGTH = 64;

/** StoreEvents within the limits, and what was changed to get there (empty when nothing was). */
export type FittedEvents = { events: StoreEvent[]; adjusted: FieldIssue[] };

type Notes = FieldIssue[];

/** `value` cut to `max` UTF-16 units, never through the middle of a surrogate pair. */
function cut(value: string, max: number): string {
  const head = value.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head;
}

function clip<T extends string | null | undefined>(value: T, max: number, path: string, notes: Notes): T {
  if (typeof value !== 'string' || value.length <= max) return value;
  notes.push({ path, message: `Cut from ${value.length} to ${max} characters` });
  return cut(value, max) as T;
}

function dropLong<T extends string | null | undefined>(value: T, max: number, path: string, notes: Notes): T | null {
  if (typeof value !== 'string' || value.length <= max) return value;
  notes.push({ path, message: `Dropped: ${value.length} characters, more than ${max}` });
  return null;
}

function fitPerson(person: Person, path: string, notes: Notes): Person {
  return {
    ...person,
    firstName: clip(person.firstName, MAX_NAME_LENGTH, `${path}.firstName`, notes),
    lastName: clip(person.lastName, MAX_NAME_LENGTH, `${path}.lastName`, notes),
    country: dropLong(person.country, MAX_COUNTRY_LENGTH, `${path}.country`, notes),
  };
}

/** Tags as the contacts API would take them: at most 50, each at most 64 characters. */
function fitTags(tags: string[], path: string, notes: Notes): string[] {
  const unique = [...new Set(tags)];
  // A cut tag would be a different tag: too long ones are left out, not cut.
  const fitting = unique.filter((tag) => tag.length <= MAX_TAG_LENGTH);
  if (fitting.length < unique.length) notes.push({ path, message: `Left out ${unique.length - fitting.length} tags longer than ${MAX_TAG_LENGTH} characters` });
  if (fitting.length > MAX_TAGS) notes.push({ path, message: `Kept the first ${MAX_TAGS} of ${fitting.length} tags` });
  return fitting.slice(0, MAX_TAGS);
}

function fitItems(items: LineItem[], path: string, notes: Notes): LineItem[] {
  return items.map((item, i) => ({
    ...item,
    title: clip(item.title, MAX_TITLE_LENGTH, `${path}.${i}.title`, notes),
    ...(item.imageUrl === undefined ? {} : { imageUrl: dropLong(item.imageUrl, MAX_URL_LENGTH, `${path}.${i}.imageUrl`, notes) }),
  }));
}

function fitVariant(variant: ProductVariant, path: string, notes: Notes): ProductVariant {
  return {
    ...variant,
    title: clip(variant.title, MAX_TITLE_LENGTH, `${path}.title`, notes),
    url: dropLong(variant.url, MAX_URL_LENGTH, `${path}.url`, notes),
    imageUrl: dropLong(variant.imageUrl, MAX_URL_LENGTH, `${path}.imageUrl`, notes),
  };
}

function fitEvent(event: StoreEvent, path: string, notes: Notes): StoreEvent {
  switch (event.kind) {
    case 'customer':
      return { ...event, person: fitPerson(event.person, `${path}.person`, notes), tags: fitTags(event.tags, `${path}.tags`, notes) };
    case 'order':
      return {
        ...event,
        name: clip(event.name, MAX_ORDER_NAME_LENGTH, `${path}.name`, notes),
        person: event.person && fitPerson(event.person, `${path}.person`, notes),
        items: fitItems(event.items, `${path}.items`, notes),
      };
    case 'cart':
      return {
        ...event,
        person: event.person && fitPerson(event.person, `${path}.person`, notes),
        items: fitItems(event.items, `${path}.items`, notes),
        recoveryUrl: dropLong(event.recoveryUrl, MAX_URL_LENGTH, `${path}.recoveryUrl`, notes),
      };
    case 'product':
      return { ...event, variants: event.variants.map((variant, i) => fitVariant(variant, `${path}.variants.${i}`, notes)) };
    case 'interest':
    case 'consent':
      return { ...event, person: fitPerson(event.person, `${path}.person`, notes) };
    case 'refund':
    case 'inventory':
      return event;
  }
}

/** Fits every event's descriptive text to the limits; the paths of `adjusted` are the events'. */
export function fitStoreEvents(events: StoreEvent[]): FittedEvents {
  const adjusted: Notes = [];
  return { events: events.map((event, i) => fitEvent(event, String(i), adjusted)), adjusted };
}
