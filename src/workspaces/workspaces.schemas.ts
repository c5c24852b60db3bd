// Input for creating a workspace and editing its settings.
import { z } from 'zod';
import { Email, SingleLineText, TimeZone, WorkspaceName } from '../accounts/accounts.schemas';

// Empty form fields mean "not set".
const optional = <S extends z.ZodType>(schema: S) => z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? null : value), schema.nullable());

/** The sender's display name: it goes into the From header. */
export const SenderName = SingleLineText.max(80, { message: 'Use at most 80 characters' });

// The footer's postal address is one line: a pasted multi-line address is joined with
// ", " (it reads the same), and any other control character is refused.
const PostalAddress = z.preprocess(
  (value) => (typeof value === 'string' ? value.trim().replace(/[ \t]*(?:\r\n|\r|\n)+[ \t]*/g, ', ') : value),
  SingleLineText.max(300, { message: 'Use at most 300 characters' }),
);

/** The store's public address, the `{{ shop.url }}` of designs. */
// Piped, so a value is refused for its first fault only, with one message.
const StoreUrl = SingleLineText.max(500, { message: 'Use at most 500 characters' })
  .pipe(z.url({ protocol: /^https?$/, hostname: z.regexes.domain, message: 'Enter your store’s address, starting with https://' }))
  // URL parsing accepts spaces; a link in the text part ends at the first one.
  .pipe(z.string().regex(/^\S*$/, { message: 'Enter the address without spaces' }));

/** How long after a click or an open an order is credited to the message, in whole hours: 1 hour to 30 days. */
export const AttributionWindowHours = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
  z
    .number({ message: 'Enter a number of hours' })
    .int({ message: 'Enter a whole number of hours' })
    .min(1, { message: 'Use at least 1 hour' })
    .max(720, { message: 'Use at most 720 hours (30 days)' }),
);

/** Smart sending's quiet period for flows, in whole hours; 0 turns it off for every flow. */
export const SmartSendingHours = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
  z
    .number({ message: 'Enter a number of hours' })
    .int({ message: 'Enter a whole number of hours' })
    .min(0, { message: 'Use 0 to 168 hours (0 turns it off)' })
    .max(168, { message: 'Use 0 to 168 hours (0 turns it off)' }),
);

export const CreateWorkspaceInput = z.object({
  name: WorkspaceName,
  timeZone: TimeZone.default('UTC'),
});
export type CreateWorkspaceInput = z.infer<typeof CreateWorkspaceInput>;

export const WorkspaceSettingsInput = z.object({
  name: WorkspaceName,
  timeZone: TimeZone,
  senderName: optional(SenderName),
  senderEmail: optional(Email),
  replyToEmail: optional(Email),
  postalAddress: optional(PostalAddress),
  // Newer than the other settings: a form or script that does not send it leaves it as it is.
  storeUrl: optional(StoreUrl).optional(),
  clickWindowHours: AttributionWindowHours.optional(),
  openWindowHours: AttributionWindowHours.optional(),
  smartSendingHours: SmartSendingHours.optional(),
});
export type WorkspaceSettingsInput = z.infer<typeof WorkspaceSettingsInput>;

/** Partial update through the API: only the fields sent change. */
export const WorkspaceSettingsPatch = WorkspaceSettingsInput.partial().strict();
export type WorkspaceSettingsPatch = z.infer<typeof WorkspaceSettingsPatch>;
