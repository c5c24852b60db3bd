// Input of campaigns: building, scheduling and test sends.
import { z } from 'zod';
import { Email } from '../accounts/accounts.schemas';
import { CAMPAIGN_CHANNELS, SENDING_FILTERS } from '../db/schema';
import { isExistingLocalTime } from '../lib/time';
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

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

/** Send now, or at a wall-clock time ("2026-12-01T09:00") in the workspace's time zone. */
export const ScheduleInput = z
  .object({
    now: z.literal(true, { message: 'now can only be true' }).optional(),
    sendAt: z
      .string()
      .regex(LOCAL_DATE_TIME, { message: 'Give the date and hour as YYYY-MM-DDTHH:mm, in the workspace time zone' })
      // Only a well-formed value is judged here, so a malformed one gets the format message alone.
      .refine((value) => !LOCAL_DATE_TIME.test(value) || isExistingLocalTime(value), { message: 'That date or time does not exist (such as 30 February or 25:00); choose one on the calendar' })
      .optional(),
  })
  .strict()
  .refine((input) => (input.now === true) !== (input.sendAt !== undefined), { message: 'Give either sendAt or now: true', path: ['sendAt'] });
export type ScheduleInput = z.infer<typeof ScheduleInput>;

export const CampaignTestSendInput = z.object({ to: z.array(Email).min(1, { message: 'Give at least one address' }).max(5, { message: 'Test-send to at most 5 addresses' }) }).strict();

/** The outcomes a campaign's results list recipient by recipient: those that did not simply go out. */
export const RESULT_STATUSES = ['failed', 'skipped', 'unknown', 'cancelled'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

/** A keyset page of a campaign's results, of one outcome or (without `status`) all four. */
export const CampaignResultsQuery = z
  .object({
    status: z.enum(RESULT_STATUSES, { message: 'Choose failed, skipped, unknown or cancelled' }).optional(),
    // The `nextCursor` of the previous page (a delivery id).
    cursor: z.string().max(100).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type CampaignResultsQuery = z.infer<typeof CampaignResultsQuery>;
