// Input for creating a store connection.
import { z } from 'zod';
import { STORE_PLATFORMS } from '../db/schema';
import { isIsoCurrency } from '../lib/currencies';

export const CreateStoreConnectionInput = z
  .object({
    platform: z.enum(STORE_PLATFORMS, { message: 'Choose Shopify, WooCommerce or Custom' }),
    name: z.string().trim().min(1, { message: 'Name the store' }).max(80),
    currency: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{3}$/, { message: 'Use a three-letter currency code such as USD' })
      .refine(isIsoCurrency, { message: 'Use an ISO 4217 currency code such as USD' }),
    // Shopify's webhook signing secret (the app's client secret); generated for the others.
    secret: z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), z.string().trim().min(8).max(200).optional()),
  })
  .refine((input) => input.platform !== 'shopify' || input.secret, {
    path: ['secret'],
    message: "Paste the signing secret shown under Shopify's Settings → Notifications → Webhooks",
  });
export type CreateStoreConnectionInput = z.infer<typeof CreateStoreConnectionInput>;
