// Who may do what in a workspace: the one table of roles and permissions. The HTTP
// layer enforces it per route (src/http/auth.ts requirePermission), pages read it to
// hide what the viewer cannot do, and the README shows it.
import { MEMBERSHIP_ROLES, type MembershipRole } from '../db/schema';

export type Role = MembershipRole;
export const ROLES = MEMBERSHIP_ROLES;

/** Every change a role may be allowed; reading anything of the workspace needs none. */
export const PERMISSIONS = [
  'contacts:write',
  'contacts:erase',
  'segments:write',
  'designs:write',
  'campaigns:write',
  'campaigns:send',
  'suppressions:manage',
  'stores:manage',
  'settings:workspace',
  'settings:sender',
  'api-keys:manage',
  'members:manage',
  'owners:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What each permission lets one do, in words, for 403 messages and the README. */
export const PERMISSION_LABELS: Record<Permission, string> = {
  'contacts:write': 'add, edit, tag and import contacts',
  'contacts:erase': 'erase contacts',
  'segments:write': 'create, edit and delete segments',
  'designs:write': 'create, edit, delete and test-send email designs',
  'campaigns:write': 'create campaigns, edit their audience and content, and test-send them',
  'campaigns:send': 'schedule, send, pause, resume and cancel campaigns',
  'suppressions:manage': 'add and remove suppressed addresses',
  'stores:manage': 'connect and disconnect stores',
  'settings:workspace': 'change the workspace settings',
  'settings:sender': 'change the email sender and the Twilio account, and send their tests',
  'api-keys:manage': 'create and revoke API keys',
  'members:manage': 'invite members, change their roles and remove them',
  'owners:manage': 'make or unmake owners',
};

const EDITOR: readonly Permission[] = ['contacts:write', 'segments:write', 'designs:write', 'campaigns:write'];
const ADMIN: readonly Permission[] = [
  ...EDITOR,
  'contacts:erase',
  'campaigns:send',
  'suppressions:manage',
  'stores:manage',
  'settings:workspace',
  'settings:sender',
  'api-keys:manage',
  'members:manage',
];

/** The table: a viewer reads everything and changes nothing. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  owner: [...ADMIN, 'owners:manage'],
  admin: ADMIN,
  editor: EDITOR,
  viewer: [],
};

/** Whether `role` may do what `permission` names. */
export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** Whether `role` grants nothing `than` does not (owner > admin > editor > viewer). */
export function roleIsAtMost(role: Role, than: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(than);
}

/** The most an API key may be: keys never manage people or owners. */
export const API_KEY_MAX_ROLE: Role = 'admin';

/** The roles a user of `role` may hand out (to a member, an invitation or an API key). */
export function grantableRoles(role: Role): Role[] {
  return ROLES.filter((candidate) => roleIsAtMost(candidate, role) && (candidate !== 'owner' || roleAllows(role, 'owners:manage')));
}

/** Each permission with the roles that have it, in table order (for pages and the README). */
export function permissionTable(): { permission: Permission; label: string; roles: Role[] }[] {
  return PERMISSIONS.map((permission) => ({ permission, label: PERMISSION_LABELS[permission], roles: ROLES.filter((role) => roleAllows(role, permission)) }));
}
