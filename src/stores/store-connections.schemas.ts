// Input for creating a store connection and for setting its signing secret.
import { z } from 'zod';
import { STORE_PLATFORMS } from '../db/schema';
import { isIsoCurrency } from '../lib/currencies';

const Secret = z.string().trim().min(8, { message: 'The secret is at least 8 characters: paste it whole' }).max(200, { message: 'Use at most 200 characters' });

/** A new connection: the platform and name first; Shopify's secret may follow (see StoreConnectionSecretInput). */
export const CreateStoreConnectionInput = z.object({
  platform: z.enum(STORE_PLATFORMS, { message: 'Choose Shopify, WooCommerce or Custom' }),
  name: z.string().trim().min(1, { message: 'Name the store' }).max(80),
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, { message: 'Use a three-letter currency code such as USD' })
    .refine(isIsoCurrency, { message: 'Use an ISO 4217 currency code such as USD' }),
  // The store's signing secret when already known; otherwise generated (Shopify: pasted later).
  secret: z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), Secret.optional()),
});
export type CreateStoreConnectionInput = z.infer<typeof CreateStoreConnectionInput>;

const PASTE_SECRET = "Paste the signing secret shown under Shopify's Settings → Notifications → Webhooks";

/** The signing secret a store shows (Shopify: under Settings → Notifications → Webhooks). */
export const StoreConnectionSecretInput = z.object({
  secret: z.string({ message: PASTE_SECRET }).trim().min(1, { message: PASTE_SECRET }).pipe(Secret),
});
export type StoreConnectionSecretInput = z.infer<typeof StoreConnectionSecretInput>;
