// Sign-up and log-in pages.
import { CsrfField, Field, type FormErrors, Notice, TimeZoneOptions } from '../components';
import { AuthLayout } from '../layout';

type FormState = { csrfToken: string; values?: Record<string, string>; errors?: FormErrors; message?: string | undefined };

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
        <Field name="password" label="Password" type="password" error={errors.password} hint="At least 10 characters." autocomplete="new-password" required />
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

/** The log-in form. */
export function LogInPage({ csrfToken, values = {}, errors = {}, message, next }: FormState & { next?: string | undefined }) {
  return (
    <AuthLayout title="Log in">
      <h1>Log in</h1>
      {message ? <Notice tone="error">{message}</Notice> : null}
      <form method="post" action="/login" class="stack" novalidate>
        <CsrfField token={csrfToken} />
        {next ? <input type="hidden" name="next" value={next} /> : null}
        <Field name="email" label="Email" type="email" value={values.email} error={errors.email} autocomplete="email" required />
        <Field name="password" label="Password" type="password" error={errors.password} autocomplete="current-password" required />
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
