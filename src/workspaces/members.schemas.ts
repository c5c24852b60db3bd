// Input for inviting people and changing members' roles.
import { z } from 'zod';
import { Email } from '../accounts/accounts.schemas';
import { MEMBERSHIP_ROLES } from '../db/schema';

const RoleField = z.enum(MEMBERSHIP_ROLES, { message: 'Choose owner, admin, editor or viewer' });

export const InviteInput = z.object({ email: Email, role: RoleField });
export type InviteInput = z.infer<typeof InviteInput>;

export const MemberRoleInput = z.object({ role: RoleField });
export type MemberRoleInput = z.infer<typeof MemberRoleInput>;
