// Settings → Members: who belongs to the workspace with which role, pending invitations,
// inviting by email, and the table of what each role may do.
import { formatInZone } from '../../lib/time';
import type { InvitationView } from '../../workspaces/invitations.service';
import type { MemberView } from '../../workspaces/members.service';
import { ROLES, type Role, permissionTable } from '../../workspaces/roles';
import { CsrfField, EmptyState, Field, type FormErrors, Notice, PostButton, TableHead, type Viewer, viewerCan } from '../components';
import { SettingsHeader } from './settings-page';

/** What a members action wants shown after it ran. */
export type MembersState = { notice?: string | undefined; problem?: string | undefined; errors?: FormErrors; values?: Record<string, string> };

function RoleSelect({ id, roles, selected }: { id: string; roles: Role[]; selected?: string | undefined }) {
  return (
    <select id={id} name="role">
      {roles.map((role) => (
        <option value={role} selected={role === selected}>
          {role}
        </option>
      ))}
    </select>
  );
}

function MemberRow({ member, viewer, grantable, timeZone }: { member: MemberView; viewer: Viewer; grantable: Role[]; timeZone: string }) {
  // Owners are changed only by owners; the server refuses the rest either way.
  const canChange = viewerCan(viewer, 'members:manage') && (member.role !== 'owner' || viewerCan(viewer, 'owners:manage'));
  return (
    <tr>
      <td data-label="Email">{member.email}</td>
      <td data-label="Role">
        {canChange ? (
          <form method="post" action={`/app/settings/members/${member.userId}/role`} class="inline-form">
            <CsrfField token={viewer.csrfToken} />
            <label class="visually-hidden" for={`role-${member.userId}`}>{`Role of ${member.email}`}</label>
            <RoleSelect id={`role-${member.userId}`} roles={grantable} selected={member.role} />
            <button type="submit" class="button small secondary">
              Change
            </button>
          </form>
        ) : (
          member.role
        )}
      </td>
      <td data-label="Joined">{formatInZone(member.joinedAt, timeZone)}</td>
      <td class="row-actions">
        {canChange ? (
          <PostButton action={`/app/settings/members/${member.userId}/remove`} csrfToken={viewer.csrfToken} label="Remove" tone="danger" confirm={`Remove ${member.email} from this workspace?`} />
        ) : null}
      </td>
    </tr>
  );
}

function InviteForm({ viewer, grantable, errors = {}, values = {} }: { viewer: Viewer; grantable: Role[]; errors?: FormErrors; values?: Record<string, string> }) {
  return (
    <form method="post" action="/app/settings/members/invitations" class="inline-form">
      <CsrfField token={viewer.csrfToken} />
      <Field name="email" id="field-invite-email" label="Invite by email" type="email" value={values.email} error={errors.email} required />
      <div class={errors.role ? 'field has-error' : 'field'}>
        <label for="field-invite-role">Role</label>
        <RoleSelect id="field-invite-role" roles={grantable} selected={values.role ?? 'editor'} />
        {errors.role ? <p class="field-error">{errors.role}</p> : null}
      </div>
      <button type="submit" class="button primary">
        Send invitation
      </button>
    </form>
  );
}

function RolesTable() {
  return (
    <table class="table">
      <TableHead columns={['Action', ...ROLES]} />
      <tbody>
        <tr>
          <td>See everything in the workspace</td>
          {ROLES.map(() => (
            <td>✓</td>
          ))}
        </tr>
        {permissionTable().map((row) => (
          <tr>
            <td>{row.label}</td>
            {ROLES.map((role) => (
              <td>{row.roles.includes(role) ? '✓' : '—'}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Settings → Members. `grantable` are the roles the viewer may hand out. */
export function MembersPage(props: { workspaceName: string; timeZone: string; members: MemberView[]; invitations: InvitationView[]; grantable: Role[]; viewer: Viewer; state?: MembersState }) {
  const { viewer, grantable, timeZone, state = {} } = props;
  const canManage = viewerCan(viewer, 'members:manage');
  return (
    <>
      <SettingsHeader workspaceName={props.workspaceName} current="members" />
      {state.notice ? <Notice tone="success">{state.notice}</Notice> : null}
      {state.problem ? <Notice tone="error">{state.problem}</Notice> : null}
      <section class="card" aria-labelledby="members-heading">
        <h2 id="members-heading">Members</h2>
        <table class="table">
          <TableHead columns={['Email', 'Role', 'Joined', { label: 'Actions', hidden: true }]} />
          <tbody>
            {props.members.map((member) => (
              <MemberRow member={member} viewer={viewer} grantable={grantable} timeZone={timeZone} />
            ))}
          </tbody>
        </table>
      </section>
      <section class="card" aria-labelledby="invitations-heading">
        <h2 id="invitations-heading">Invitations</h2>
        {canManage ? <InviteForm viewer={viewer} grantable={grantable} errors={state.errors} values={state.values} /> : <p class="muted small">Only owners and admins can invite people.</p>}
        {props.invitations.length ? (
          <table class="table">
            <TableHead columns={['Email', 'Role', 'Expires', { label: 'Actions', hidden: true }]} />
            <tbody>
              {props.invitations.map((invitation) => (
                <tr>
                  <td data-label="Email">{invitation.email}</td>
                  <td data-label="Role">{invitation.role}</td>
                  <td data-label="Expires">{formatInZone(invitation.expiresAt, timeZone)}</td>
                  <td class="row-actions">
                    {canManage ? <PostButton action={`/app/settings/members/invitations/${invitation.id}/revoke`} csrfToken={viewer.csrfToken} label="Revoke" tone="danger" /> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <EmptyState title="No pending invitations">
            <p>An invitation link works once and expires after 7 days.</p>
          </EmptyState>
        )}
      </section>
      <section class="card" aria-labelledby="roles-heading">
        <h2 id="roles-heading">What each role may do</h2>
        <p class="muted">API keys act with the role chosen when they were made: at most admin, never more than their creator.</p>
        <RolesTable />
      </section>
    </>
  );
}
