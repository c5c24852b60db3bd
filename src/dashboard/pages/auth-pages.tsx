// Signed-out pages (sign-up, log-in, forgotten password, reset, verification) and the
// signed-in notice asking to verify the address.
import { CsrfField, Field, type FormErrors, Notice, TimeZoneOptions } from '../components';
import { AuthLayout } from '../layout';

type FormState = { csrfToken: string; values?: Record<string, string>; errors?: FormErrors; message?: string | undefined };

const PASSWORD_HINT = 'At least 10 characters, and not a common password.';

/** The sign-up form: email, password and the first workspace's name. */
export function SignUpPage({ csrfToken, values = {}, errors = {}, message }: FormState) {
  return (
    <AuthLayout title="Create your account">
      <h1>Create your account</h1>
      <p class="lead">Email and SMS marketing for your store, running at the edge.</p>
      {message ? <Notice tone="error">{message}</Notice> : null}
      <form method="post" action="/signup" class="stack" novalidate>
        <CsrfField token={csrfToken} />
        <Field name="email" label="Work email" type="email" value={values.email} error={errors.email} autocomplete="email" required />
        <Field name="password" label="Password" type="password" error={errors.password} hint={PASSWORD_HINT} autocomplete="new-password" required />
        <Field name="workspaceName" label="Store or brand name" value={values.workspaceName} error={errors.workspaceName} hint="One workspace per store or brand; you can add more later." required />
        <Field name="timeZone" label="Time zone" value={values.timeZone ?? 'UTC'} error={errors.timeZone} list="time-zones" />
        <TimeZoneOptions id="time-zones" />
        <button type="submit" class="button primary wide">
          Create account
        </button>
      </form>
      <p class="switch-auth">
        Already have an account? <a href="/login">Log in</a>
      </p>
    </AuthLayout>
  );
}

/** After sign-up, the same whether the address was new or not: the inbox says what happened. */
export function SignUpSentPage() {
  return (
    <AuthLayout title="Check your inbox">
      <h1>Check your inbox</h1>
      <p class="lead">We sent an email to the address you entered. Open the link in it to confirm your address.</p>
      <p>
        Then <a href="/login">log in</a> with your email and password. If the address already had an account, the email says how to get back into it.
      </p>
    </AuthLayout>
  );
}

/** The log-in form; `notice` is a confirmation shown above it (e.g. after a reset). */
export function LogInPage({ csrfToken, values = {}, errors = {}, message, next, notice }: FormState & { next?: string | undefined; notice?: string | undefined }) {
  return (
    <AuthLayout title="Log in">
      <h1>Log in</h1>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {message ? <Notice tone="error">{message}</Notice> : null}
      <form method="post" action="/login" class="stack" novalidate>
        <CsrfField token={csrfToken} />
        {next ? <input type="hidden" name="next" value={next} /> : null}
        <Field name="email" label="Email" type="email" value={values.email} error={errors.email} autocomplete="email" required />
        <Field name="password" label="Password" type="password" error={errors.password} autocomplete="current-password" required />
        <p class="forgot-password">
          <a href="/forgot-password">Forgot password?</a>
        </p>
        <button type="submit" class="button primary wide">
          Log in
        </button>
      </form>
      <p class="switch-auth">
        New here? <a href="/signup">Create an account</a>
      </p>
    </AuthLayout>
  );
}

/** "Forgot password": the address to send a link to, or (`sent`) the same answer for every address. */
export function ForgotPasswordPage({ csrfToken, values = {}, errors = {}, message, sent = false }: FormState & { sent?: boolean }) {
  return (
    <AuthLayout title="Forgot password">
      <h1>Forgot your password?</h1>
      {sent ? (
        <Notice tone="success">If an account uses that address, we sent it a link to choose a new password. The link works once, for one hour.</Notice>
      ) : (
        <p class="lead">Enter your account's email address and we will send you a link to choose a new password.</p>
      )}
      {message ? <Notice tone="error">{message}</Notice> : null}
      <form method="post" action="/forgot-password" class="stack" novalidate>
        <CsrfField token={csrfToken} />
        <Field name="email" label="Email" type="email" value={values.email} error={errors.email} autocomplete="email" required />
        <button type="submit" class="button primary wide">
          {sent ? 'Send another link' : 'Send the link'}
        </button>
      </form>
      <p class="switch-auth">
        Remembered it? <a href="/login">Log in</a>
      </p>
    </AuthLayout>
  );
}

/** Choosing a new password through a reset link; without a valid link, how to get a new one. */
export function ResetPasswordPage({ csrfToken, token, errors = {}, message }: FormState & { token: string | null }) {
  return (
    <AuthLayout title="Choose a new password">
      <h1>Choose a new password</h1>
      {message ? <Notice tone="error">{message}</Notice> : null}
      {token === null ? (
        <p>
          <a href="/forgot-password">Ask for a new link</a>
        </p>
      ) : (
        <form method="post" action="/reset-password" class="stack" novalidate>
          <CsrfField token={csrfToken} />
          <input type="hidden" name="token" value={token} />
          <Field name="password" label="New password" type="password" error={errors.password} hint={PASSWORD_HINT} autocomplete="new-password" required />
          <button type="submit" class="button primary wide">
            Save the new password
          </button>
        </form>
      )}
    </AuthLayout>
  );
}

/** What following a verification link did. */
export function VerifyEmailPage({ verified }: { verified: boolean }) {
  return (
    <AuthLayout title={verified ? 'Email confirmed' : 'Link not valid'}>
      <h1>{verified ? 'Your email address is confirmed' : 'This link is not valid'}</h1>
      {verified ? (
        <p class="lead">Thank you. You can use everything the platform offers.</p>
      ) : (
        <p class="lead">It has expired or was changed. Log in and send a new link from the notice at the top of the dashboard.</p>
      )}
      <p>
        <a class="button primary" href="/app">
          Open the dashboard
        </a>
      </p>
    </AuthLayout>
  );
}

/** Shown in the dashboard until the user's address is verified, with a button that mails a new link. */
export function VerifyEmailNotice({ csrfToken, email }: { csrfToken: string; email: string }) {
  return (
    <Notice tone="warning">
      <form method="post" action="/app/account/verify-email" class="verify-email-notice">
        <CsrfField token={csrfToken} />
        Confirm your email address <strong>{email}</strong> with the link we sent you.{' '}
        <button type="submit" class="button small">
          Send a new link
        </button>
      </form>
    </Notice>
  );
}

/** After "Send a new link" in the dashboard. */
export function VerificationResentPage({ email }: { email: string }) {
  return (
    <AuthLayout title="Check your inbox">
      <h1>Check your inbox</h1>
      <p class="lead">
        We sent a new link to <strong>{email}</strong>. It works for 3 days.
      </p>
      <p>
        <a href="/app">Back to the dashboard</a>
      </p>
    </AuthLayout>
  );
}
