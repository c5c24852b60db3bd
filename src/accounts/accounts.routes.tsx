// Sign-up, log-in and log-out: the signed-out pages and their form posts.
import { Hono, type Context } from 'hono';
import { LogInPage, SignUpPage } from '../dashboard/pages/auth-pages';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { openDb } from '../db/client';
import type { AppEnv } from '../env';
import { clearSessionCookie, getSessionToken, setSessionCookie } from '../http/cookies';
import { csrfProtection } from '../http/csrf';
import { codeToStatus } from '../http/errors';
import { parseOrThrow } from '../http/validate';
import { AppError } from '../lib/errors';
import { LogInInput, SignUpInput } from './accounts.schemas';
import { logIn, signUp } from './accounts.service';
import { createSession, endSession, resolveSession } from './sessions';

/** Only same-site paths inside the app, so `next` cannot become an open redirect. */
function safeNext(next: string | undefined): string {
  return next && /^\/app(\/[\w\-/]*)?$/.test(next) ? next : '/app';
}

async function startSession(c: Context<AppEnv>, userId: string, workspaceId: string) {
  setSessionCookie(c, await createSession(openDb(c.env.DB), userId, workspaceId));
}

export const accountRoutes = new Hono<AppEnv>()
  .use('/signup', csrfProtection())
  .use('/login', csrfProtection())
  .use('/logout', csrfProtection())

  .get('/signup', (c) => c.html(<SignUpPage csrfToken={c.get('csrfToken')} />))
  .post('/signup', async (c) => {
    const form = await readForm(c);
    try {
      const signedIn = await signUp(openDb(c.env.DB), parseOrThrow(SignUpInput, form));
      await startSession(c, signedIn.userId, signedIn.workspaceId);
      return c.redirect('/app/marketing', 303);
    } catch (err) {
      if (err instanceof AppError && err.code === 'conflict') {
        return c.html(<SignUpPage csrfToken={c.get('csrfToken')} values={form} errors={{ email: err.message }} />, 409);
      }
      return c.html(<SignUpPage csrfToken={c.get('csrfToken')} values={form} errors={formErrorsOf(err)} />, 400);
    }
  })

  .get('/login', async (c) => {
    const token = getSessionToken(c);
    if (token && (await resolveSession(openDb(c.env.DB), token))) return c.redirect(safeNext(c.req.query('next')));
    return c.html(<LogInPage csrfToken={c.get('csrfToken')} next={c.req.query('next')} />);
  })
  .post('/login', async (c) => {
    const form = await readForm(c);
    const render = (status: 400 | 401 | 429, extra: { errors?: Record<string, string>; message?: string }) =>
      c.html(<LogInPage csrfToken={c.get('csrfToken')} values={{ email: form.email ?? '' }} next={form.next} {...extra} />, status);
    try {
      const input = parseOrThrow(LogInInput, form);
      const signedIn = await logIn(openDb(c.env.DB), input, c.req.header('cf-connecting-ip'));
      await startSession(c, signedIn.userId, signedIn.workspaceId);
      return c.redirect(safeNext(form.next), 303);
    } catch (err) {
      if (err instanceof AppError && (err.code === 'unauthorized' || err.code === 'rate_limited')) {
        if (err.details.retryAfterSeconds !== undefined) c.header('Retry-After', String(err.details.retryAfterSeconds));
        return render(codeToStatus(err.code) as 401 | 429, { message: err.message });
      }
      return render(400, { errors: formErrorsOf(err) });
    }
  })

  .post('/logout', async (c) => {
    const token = getSessionToken(c);
    const db = openDb(c.env.DB);
    const session = token ? await resolveSession(db, token) : null;
    if (session) await endSession(db, session.sessionId);
    clearSessionCookie(c);
    return c.redirect('/login', 303);
  });
