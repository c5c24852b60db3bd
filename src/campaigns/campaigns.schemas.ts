// Input of campaigns: building, scheduling and test sends.
import { z } from 'zod';
import { Email } from '../accounts/accounts.schemas';
import { CAMPAIGN_CHANNELS, SENDING_FILTERS } from '../db/schema';
import { SegmentDefinition } from '../segments/segment-definition';

/** Who a campaign goes to: everyone, a saved segment (evaluated when it sends), or rules of its own. */
export const CampaignAudience = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('everyone') }).strict(),
    z.object({ type: z.literal('segment'), segmentId: z.string().min(1, { message: 'Choose a segment' }).max(40) }).strict(),
    z.object({ type: z.literal('rules'), definition: SegmentDefinition }).strict(),
  ],
  { message: 'Choose everyone, a saved segment or rules' },
);
export type CampaignAudience = z.infer<typeof CampaignAudience>;

export const CampaignInput = z
  .object({
    name: z.string().trim().min(1, { message: 'Name the campaign' }).max(120),
    channel: z.enum(CAMPAIGN_CHANNELS, { message: 'Choose email or sms' }).default('email'),
    contentId: z.string().min(1).max(40).nullish(),
    audience: CampaignAudience.default({ type: 'everyone' }),
    sendingFilter: z.enum(SENDING_FILTERS, { message: 'Choose all, subscribed or registered' }).default('subscribed'),
  })
  .strict();
export type CampaignInput = z.infer<typeof CampaignInput>;

/** What the builder's live count needs. */
export const AudienceCountInput = CampaignInput.pick({ channel: true, audience: true, sendingFilter: true });

export const CampaignPatch = z
  .object({
    name: CampaignInput.shape.name.optional(),
    contentId: CampaignInput.shape.contentId,
    audience: CampaignAudience.optional(),
    sendingFilter: z.enum(SENDING_FILTERS, { message: 'Choose all, subscribed or registered' }).optional(),
  })
  .strict();
export type CampaignPatch = z.infer<typeof CampaignPatch>;

/** Send now, or at a wall-clock time ("2026-12-01T09:00") in the workspace's time zone. */
export const ScheduleInput = z
  .object({
    now: z.literal(true, { message: 'now can only be true' }).optional(),
    sendAt: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, { message: 'Give the date and hour as YYYY-MM-DDTHH:mm, in the workspace time zone' })
      .optional(),
  })
  .strict()
  .refine((input) => (input.now === true) !== (input.sendAt !== undefined), { message: 'Give either sendAt or now: true', path: ['sendAt'] });
export type ScheduleInput = z.infer<typeof ScheduleInput>;

export const CampaignTestSendInput = z
  .object({ to: z.array(Email).min(1, { message: 'Give at least one address' }).max(5, { message: 'Test-send to at most 5 addresses' }) })
  .strict();
