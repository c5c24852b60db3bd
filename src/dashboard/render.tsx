// Renders signed-in pages inside the app shell.
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { openDb } from '../db/client';
import type { AppEnv } from '../env';
import { listUserWorkspaces } from '../workspaces/workspaces.service';
import type { Viewer } from './components';
import { AppLayout, type Section } from './layout';
import { VerifyEmailNotice } from './pages/auth-pages';

/** The signed-in user as pages see them: their role decides which actions are offered. */
export function viewerOf(c: Context<AppEnv>): Viewer {
  const session = c.get('session');
  return { email: session.email, role: session.role, csrfToken: c.get('csrfToken') };
}

/** Loads the shell (workspaces for the switcher) and renders `body` in it. */
export async function renderAppPage(c: Context<AppEnv>, page: { title: string; section: Section; body: Child }, status: ContentfulStatusCode = 200) {
  const session = c.get('session');
  const workspaces = await listUserWorkspaces(openDb(c.env.DB), session.userId);
  const shell = { csrfToken: c.get('csrfToken'), email: session.email, currentWorkspaceId: session.workspaceId, workspaces };
  return c.html(
    <AppLayout title={page.title} section={page.section} shell={shell}>
      {session.emailVerified ? null : <VerifyEmailNotice csrfToken={shell.csrfToken} email={session.email} />}
      {page.body}
    </AppLayout>,
    status,
  );
}
