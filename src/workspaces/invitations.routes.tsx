// Following an invitation link. /invitations/:token (signed out) offers to create the invited
// address's account and join; /app/invitations/:token (signed in, so the log-in page leads
// back to it) joins as the current user when they hold the invited address.
import { Hono } from 'hono';
import { createSession, setSessionWorkspace } from '../accounts/sessions';
import { Password } from '../accounts/accounts.schemas';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { AcceptInvitationPage, InvitationPage } from '../dashboard/pages/invitation-pages';
import { renderAppPage } from '../dashboard/render';
import { openDb } from '../db/client';
import type { AppEnv } from '../env';
import { setSessionCookie } from '../http/cookies';
import { csrfProtection } from '../http/csrf';
import { parseOrThrow } from '../http/validate';
import { z } from 'zod';
import { acceptInvitation, findInvitation, signUpByInvitation } from './invitations.service';

const SignUpByInvitationInput = z.object({ password: Password });

/** Mounted at /invitations. */
export const invitationRoutes = new Hono<AppEnv>()
  .use('/*', csrfProtection())
  .get('/:token', async (c) => {
    const token = c.req.param('token');
    // The token is in the URL: keep it out of Referer headers and caches.
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(<InvitationPage offer={await findInvitation(openDb(c.env.DB), token)} token={token} csrfToken={c.get('csrfToken')} />);
  })
  .post('/:token', async (c) => {
    const token = c.req.param('token');
    const db = openDb(c.env.DB);
    const offer = await findInvitation(db, token);
    try {
      const { password } = parseOrThrow(SignUpByInvitationInput, await readForm(c));
      const { userId, workspaceId } = await signUpByInvitation(db, token, password);
      setSessionCookie(c, await createSession(db, userId, workspaceId));
      return c.redirect('/app/marketing', 303);
    } catch (err) {
      return c.html(<InvitationPage offer={offer} token={token} csrfToken={c.get('csrfToken')} errors={formErrorsOf(err)} />, 400);
    }
  });

/** Mounted at /app/invitations. */
export const invitationAppRoutes = new Hono<AppEnv>()
  .get('/:token', async (c) => {
    const token = c.req.param('token');
    c.header('Referrer-Policy', 'no-referrer');
    const offer = await findInvitation(openDb(c.env.DB), token);
    const body = <AcceptInvitationPage offer={offer} token={token} csrfToken={c.get('csrfToken')} email={c.get('session').email} />;
    return renderAppPage(c, { title: 'Invitation', section: 'settings', body });
  })
  .post('/:token/accept', async (c) => {
    const session = c.get('session');
    const db = openDb(c.env.DB);
    const workspaceId = await acceptInvitation(db, c.req.param('token'), session);
    await setSessionWorkspace(db, session.sessionId, workspaceId);
    return c.redirect('/app/marketing', 303);
  });
