// Input of saved segments and previews.
import { z } from 'zod';
import { SegmentDefinition } from './segment-definition';

export const SegmentInput = z
  .object({
    name: z.string().trim().min(1, { message: 'Name the segment' }).max(100),
    description: z.string().trim().max(500).nullish(),
    definition: SegmentDefinition,
  })
  .strict();
export type SegmentInput = z.infer<typeof SegmentInput>;

export const SegmentPatch = SegmentInput.partial().strict();
export type SegmentPatch = z.infer<typeof SegmentPatch>;

export const PreviewInput = z.object({ definition: SegmentDefinition }).strict();

export const MembersQuery = z.object({
  cursor: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
