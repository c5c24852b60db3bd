// Sign-up, log-in and log-out, the forgotten-password and verification links: the
// signed-out pages and their form posts; and, signed in, sending a new verification link.
import { Hono, type Context } from 'hono';
import { ForgotPasswordPage, LogInPage, ResetPasswordPage, SignUpPage, SignUpSentPage, VerificationResentPage, VerifyEmailPage } from '../dashboard/pages/auth-pages';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { openDb } from '../db/client';
import type { AppEnv } from '../env';
import { clearSessionCookie, getSessionToken, setSessionCookie } from '../http/cookies';
import { csrfProtection } from '../http/csrf';
import { clientIp, enforceRateLimits, ipHits, RATE_LIMITS, type RateLimitHit } from '../http/rate-limit';
import { parseOrThrow } from '../http/validate';
import { sendSystemEmail } from '../email/system-email';
import { AppError } from '../lib/errors';
import { ForgotPasswordInput, LogInInput, ResetPasswordInput, SignUpInput } from './accounts.schemas';
import type { AccountMail } from './account-emails';
import { logIn, newVerificationEmail, requestPasswordReset, requestSignUp, resetPassword, userOfResetToken, verifyEmail } from './accounts.service';
import { createSession, endSession, resolveSession } from './sessions';

/** Only same-site paths inside the app, so `next` cannot become an open redirect. */
function safeNext(next: string | undefined): string {
  return next && /^\/app(\/[\w\-/]*)?$/.test(next) ? next : '/app';
}

async function startSession(c: Context<AppEnv>, userId: string, workspaceId: string) {
  setSessionCookie(c, await createSession(openDb(c.env.DB), userId, workspaceId));
}

function limit(c: Context<AppEnv>, hits: RateLimitHit[]): Promise<void> {
  return enforceRateLimits(openDb(c.env.DB), c.env, hits);
}

/**
 * Sends account mail after the answer, so the answer takes as long whether a mail went
 * out or not (and whether the address has an account or not); a failure is logged.
 */
function sendAfterAnswer(c: Context<AppEnv>, mail: AccountMail | null): void {
  if (!mail) return;
  c.executionCtx.waitUntil(
    sendSystemEmail(c.env, mail).then(
      (outcome) => {
        if (outcome && !outcome.ok) console.error(JSON.stringify({ event: 'account_mail_failed', requestId: c.get('requestId'), message: outcome.message }));
      },
      (err) => console.error(JSON.stringify({ event: 'account_mail_failed', requestId: c.get('requestId'), message: String(err) })),
    ),
  );
}

/** A refused form's answer: 429 with Retry-After, or 400 with the fields' errors. */
function formFailure(c: Context<AppEnv>, err: unknown): { status: 400 | 429; message?: string; errors?: Record<string, string> } {
  if (err instanceof AppError && err.code === 'rate_limited') {
    c.header('Retry-After', String(err.details.retryAfterSeconds));
    return { status: 429, message: err.message };
  }
  if (err instanceof AppError && err.code === 'invalid_input' && !err.details.issues?.length) return { status: 400, message: err.message };
  return { status: 400, errors: formErrorsOf(err) };
}

export const accountRoutes = new Hono<AppEnv>()
  .use('/signup', csrfProtection())
  .use('/login', csrfProtection())
  .use('/logout', csrfProtection())
  .use('/forgot-password', csrfProtection())
  .use('/reset-password', csrfProtection())

  .get('/signup', (c) => c.html(<SignUpPage csrfToken={c.get('csrfToken')} />))
  .post('/signup', async (c) => {
    const form = await readForm(c);
    try {
      const input = parseOrThrow(SignUpInput, form);
      await limit(c, ipHits(RATE_LIMITS.signUpIp, clientIp(c)));
      const { mail } = await requestSignUp(openDb(c.env.DB), c.env, input);
      sendAfterAnswer(c, mail);
      return c.redirect('/signup/sent', 303);
    } catch (err) {
      const { status, ...extra } = formFailure(c, err);
      return c.html(<SignUpPage csrfToken={c.get('csrfToken')} values={form} {...extra} />, status);
    }
  })
  .get('/signup/sent', (c) => c.html(<SignUpSentPage />))

  .get('/login', async (c) => {
    const token = getSessionToken(c);
    if (token && (await resolveSession(openDb(c.env.DB), token))) return c.redirect(safeNext(c.req.query('next')));
    const notice = c.req.query('reset') === 'done' ? 'Your password was changed and every other session ended. Log in with the new password.' : undefined;
    return c.html(<LogInPage csrfToken={c.get('csrfToken')} next={c.req.query('next')} notice={notice} />);
  })
  .post('/login', async (c) => {
    const form = await readForm(c);
    const render = (status: 400 | 401 | 429, extra: { errors?: Record<string, string>; message?: string }) =>
      c.html(<LogInPage csrfToken={c.get('csrfToken')} values={{ email: form.email ?? '' }} next={form.next} {...extra} />, status);
    try {
      await limit(c, ipHits(RATE_LIMITS.logInIp, clientIp(c)));
      const input = parseOrThrow(LogInInput, form);
      const signedIn = await logIn(openDb(c.env.DB), input, clientIp(c));
      await startSession(c, signedIn.userId, signedIn.workspaceId);
      return c.redirect(safeNext(form.next), 303);
    } catch (err) {
      if (err instanceof AppError && err.code === 'unauthorized') return render(401, { message: err.message });
      const { status, ...extra } = formFailure(c, err);
      return render(status, extra);
    }
  })

  .get('/forgot-password', (c) => c.html(<ForgotPasswordPage csrfToken={c.get('csrfToken')} />))
  .post('/forgot-password', async (c) => {
    const form = await readForm(c);
    try {
      const { email } = parseOrThrow(ForgotPasswordInput, form);
      // Counted per address typed, known or not, so a refusal says nothing about the account.
      await limit(c, [{ limit: RATE_LIMITS.accountEmails, subject: email }, ...ipHits(RATE_LIMITS.accountEmailsIp, clientIp(c))]);
      const { mail } = await requestPasswordReset(openDb(c.env.DB), c.env, email);
      sendAfterAnswer(c, mail);
      return c.html(<ForgotPasswordPage csrfToken={c.get('csrfToken')} values={{ email }} sent />);
    } catch (err) {
      const { status, ...extra } = formFailure(c, err);
      return c.html(<ForgotPasswordPage csrfToken={c.get('csrfToken')} values={form} {...extra} />, status);
    }
  })

  .get('/reset-password', async (c) => {
    const token = c.req.query('token') ?? '';
    const user = await userOfResetToken(openDb(c.env.DB), c.env.APP_SECRET, token);
    if (!user) return c.html(<ResetPasswordPage csrfToken={c.get('csrfToken')} token={null} message="This link has expired or has already been used." />, 400);
    return c.html(<ResetPasswordPage csrfToken={c.get('csrfToken')} token={token} />);
  })
  .post('/reset-password', async (c) => {
    const form = await readForm(c);
    const token = form.token ?? '';
    try {
      const input = parseOrThrow(ResetPasswordInput, form);
      await resetPassword(openDb(c.env.DB), c.env.APP_SECRET, input.token, input.password);
      return c.redirect('/login?reset=done', 303);
    } catch (err) {
      const { status, ...extra } = formFailure(c, err);
      // A dead link shows no form: only the way to a new one.
      const stillUsable = !extra.message;
      return c.html(<ResetPasswordPage csrfToken={c.get('csrfToken')} token={stillUsable ? token : null} {...extra} />, status);
    }
  })

  .get('/verify-email', async (c) => {
    const verified = await verifyEmail(openDb(c.env.DB), c.env.APP_SECRET, c.req.query('token') ?? '');
    return c.html(<VerifyEmailPage verified={verified} />, verified ? 200 : 400);
  })

  .post('/logout', async (c) => {
    const token = getSessionToken(c);
    const db = openDb(c.env.DB);
    const session = token ? await resolveSession(db, token) : null;
    if (session) await endSession(db, session.sessionId);
    clearSessionCookie(c);
    return c.redirect('/login', 303);
  });

/** Signed-in account actions, under /app/account (behind the session and CSRF middleware). */
export const accountAppRoutes = new Hono<AppEnv>().post('/verify-email', async (c) => {
  const session = c.get('session');
  await limit(c, [{ limit: RATE_LIMITS.accountEmails, subject: session.email }, ...ipHits(RATE_LIMITS.accountEmailsIp, clientIp(c))]);
  const mail = await newVerificationEmail(openDb(c.env.DB), c.env, session.userId);
  if (!mail) return c.redirect('/app', 303);
  const outcome = await sendSystemEmail(c.env, mail);
  if (!outcome.ok) throw new AppError('internal', 'The email could not be sent. Try again in a few minutes.');
  return c.html(<VerificationResentPage email={session.email} />);
});
