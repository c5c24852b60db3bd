// The pages an invitation link leads to: signing up as the invited address, or joining
// as the signed-in user.
import type { InvitationOffer } from '../../workspaces/invitations.service';
import { CsrfField, Field, type FormErrors, Notice } from '../components';
import { AuthLayout } from '../layout';

const PASSWORD_HINT = 'At least 10 characters, and not a common password.';

function Offer({ offer }: { offer: InvitationOffer }) {
  return (
    <p class="lead">
      You are invited to join <strong>{offer.workspaceName}</strong> as <strong>{offer.role}</strong>.
    </p>
  );
}

/** The link's page when signed out: sign up as the invited address, or log in to accept. */
export function InvitationPage({ offer, token, csrfToken, errors = {} }: { offer: InvitationOffer; token: string; csrfToken: string; errors?: FormErrors }) {
  return (
    <AuthLayout title="Invitation">
      <h1>Join {offer.workspaceName}</h1>
      <Offer offer={offer} />
      {offer.hasAccount ? (
        <p>
          <a class="button primary" href={`/app/invitations/${token}`}>
            Log in as {offer.email} to accept
          </a>
        </p>
      ) : (
        <form method="post" action={`/invitations/${token}`} class="stack" novalidate>
          <CsrfField token={csrfToken} />
          <p>
            Create the account of <strong>{offer.email}</strong>:
          </p>
          <Field name="password" label="Password" type="password" error={errors.password} hint={PASSWORD_HINT} autocomplete="new-password" required />
          <button type="submit" class="button primary wide">
            Create account and join
          </button>
        </form>
      )}
    </AuthLayout>
  );
}

/** The link's page when signed in: join as this user, or why not. */
export function AcceptInvitationPage({ offer, token, csrfToken, email }: { offer: InvitationOffer; token: string; csrfToken: string; email: string }) {
  return (
    <section class="card">
      <h1>Join {offer.workspaceName}</h1>
      <Offer offer={offer} />
      {offer.email === email ? (
        <form method="post" action={`/app/invitations/${token}/accept`}>
          <CsrfField token={csrfToken} />
          <button type="submit" class="button primary">
            Join {offer.workspaceName}
          </button>
        </form>
      ) : (
        <Notice tone="warning">{`This invitation is for ${offer.email}, and you are logged in as ${email}. Log out and open the link again to accept it as ${offer.email}.`}</Notice>
      )}
    </section>
  );
}
