// Settings → Members (mounted at /app/settings/members): everyone sees the members and
// the roles table; inviting, changing roles and removing need members:manage.
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { MembersPage, type MembersState } from '../dashboard/pages/members-page';
import { renderAppPage, viewerOf } from '../dashboard/render';
import { sendSystemEmail } from '../email/system-email';
import type { AppEnv } from '../env';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { parseOrThrow } from '../http/validate';
import { AppError } from '../lib/errors';
import { publicUrl } from '../lib/public-url';
import { createInvitation, listPendingInvitations, revokeInvitation } from './invitations.service';
import { InviteInput, MemberRoleInput } from './members.schemas';
import { changeMemberRole, listMembers, removeMember } from './members.service';
import { grantableRoles } from './roles';
import { getWorkspace } from './workspaces.service';

const NOTICES: Record<string, string> = {
  invited: 'Invitation sent.',
  revoked: 'Invitation revoked: its link no longer works.',
  changed: 'Role changed.',
  removed: 'Member removed.',
};

async function renderMembersPage(c: Context<AppEnv>, state: MembersState = {}, status: ContentfulStatusCode = 200) {
  const tenant = tenantOf(c);
  const [workspace, members, invitations] = await Promise.all([getWorkspace(tenant), listMembers(tenant), listPendingInvitations(tenant)]);
  const body = (
    <MembersPage
      workspaceName={workspace.name}
      timeZone={workspace.timeZone}
      members={members}
      invitations={invitations}
      grantable={grantableRoles(c.get('role'))}
      viewer={viewerOf(c)}
      state={state}
    />
  );
  return renderAppPage(c, { title: 'Members', section: 'settings', body }, status);
}

// A refusal the page explains beside the list (the last owner, an owner changed by an admin).
async function orProblem(c: Context<AppEnv>, action: () => Promise<void>, done: string) {
  try {
    await action();
    return c.redirect(`/app/settings/members?done=${done}`, 303);
  } catch (err) {
    if (err instanceof AppError && (err.code === 'conflict' || err.code === 'forbidden' || err.code === 'invalid_input')) return renderMembersPage(c, { problem: err.message }, 409);
    throw err;
  }
}

export const memberRoutes = new Hono<AppEnv>()
  .get('/', (c) => renderMembersPage(c, { notice: NOTICES[c.req.query('done') ?? ''] }))
  .post('/invitations', requirePermission('members:manage'), async (c) => {
    const form = await readForm(c);
    const tenant = tenantOf(c);
    try {
      const input = parseOrThrow(InviteInput, form);
      const { token, invitation } = await createInvitation(tenant, { userId: c.get('session').userId, role: c.get('role') }, input);
      const workspace = await getWorkspace(tenant);
      const outcome = await sendSystemEmail(c.env, {
        to: input.email,
        subject: `You are invited to ${workspace.name}`,
        paragraphs: [`${c.get('session').email} invited you to join ${workspace.name} as ${input.role}.`, 'The link works once and expires in 7 days.'],
        action: { label: 'Accept the invitation', url: publicUrl(c.env, `/invitations/${token}`) },
        footnote: 'If you did not expect this invitation, ignore this email: nothing happens unless you follow the link.',
      });
      if (!outcome.ok) {
        // A link nobody received must not stay usable.
        await revokeInvitation(tenant, invitation.id);
        return renderMembersPage(c, { problem: `The invitation email could not be sent: ${outcome.message}`, values: form }, 502);
      }
      return c.redirect('/app/settings/members?done=invited', 303);
    } catch (err) {
      return renderMembersPage(c, { errors: formErrorsOf(err), values: form }, 400);
    }
  })
  .post('/invitations/:id/revoke', requirePermission('members:manage'), async (c) => {
    await revokeInvitation(tenantOf(c), c.req.param('id'));
    return c.redirect('/app/settings/members?done=revoked', 303);
  })
  .post('/:userId/role', requirePermission('members:manage'), async (c) => {
    const { role } = parseOrThrow(MemberRoleInput, await readForm(c));
    return orProblem(c, () => changeMemberRole(tenantOf(c), c.get('role'), c.req.param('userId'), role), 'changed');
  })
  .post('/:userId/remove', requirePermission('members:manage'), (c) => orProblem(c, () => removeMember(tenantOf(c), c.get('role'), c.req.param('userId')), 'removed'));
