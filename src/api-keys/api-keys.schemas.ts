// Input for creating an API key.
import { z } from 'zod';

export const CreateApiKeyInput = z.object({
  name: z.string().trim().min(1, { message: 'Name the key after what uses it' }).max(60, { message: 'Use at most 60 characters' }),
});
export type CreateApiKeyInput = z.infer<typeof CreateApiKeyInput>;
