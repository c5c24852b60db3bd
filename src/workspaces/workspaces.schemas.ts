// Input for creating a workspace and editing its settings.
import { z } from 'zod';
import { Email, TimeZone, WorkspaceName } from '../accounts/accounts.schemas';

// Empty form fields mean "not set".
const optional = <S extends z.ZodType>(schema: S) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? null : value), schema.nullable());

export const CreateWorkspaceInput = z.object({
  name: WorkspaceName,
  timeZone: TimeZone.default('UTC'),
});
export type CreateWorkspaceInput = z.infer<typeof CreateWorkspaceInput>;

export const WorkspaceSettingsInput = z.object({
  name: WorkspaceName,
  timeZone: TimeZone,
  senderName: optional(z.string().trim().max(80, { message: 'Use at most 80 characters' })),
  senderEmail: optional(Email),
  replyToEmail: optional(Email),
  postalAddress: optional(z.string().trim().max(300, { message: 'Use at most 300 characters' })),
});
export type WorkspaceSettingsInput = z.infer<typeof WorkspaceSettingsInput>;

/** Partial update through the API: only the fields sent change. */
export const WorkspaceSettingsPatch = WorkspaceSettingsInput.partial().strict();
export type WorkspaceSettingsPatch = z.infer<typeof WorkspaceSettingsPatch>;
