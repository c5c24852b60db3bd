// Input for creating an API key.
import { z } from 'zod';
import { MEMBERSHIP_ROLES } from '../db/schema';

export const CreateApiKeyInput = z.object({
  name: z.string().trim().min(1, { message: 'Name the key after what uses it' }).max(60, { message: 'Use at most 60 characters' }),
  // What the key may do (src/workspaces/roles.ts); admin when not said, as keys could do before roles.
  role: z.enum(MEMBERSHIP_ROLES, { message: 'Choose admin, editor or viewer' }).default('admin'),
});
export type CreateApiKeyInput = z.infer<typeof CreateApiKeyInput>;
