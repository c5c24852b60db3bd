// Page layouts: the signed-out card layout and the signed-in app shell.
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { MembershipRole } from '../db/schema';
import { currentScriptNonce } from '../http/security-headers';
import { CsrfField } from './components';
import { Script, ScriptNonceProvider } from './script';

/** The sections of the app shown in the navigation. */
export type Section = 'marketing' | 'contacts' | 'products' | 'segments' | 'settings';

const NAV: { id: Section; href: string; label: string }[] = [
  { id: 'marketing', href: '/app/marketing', label: 'Marketing' },
  { id: 'contacts', href: '/app/contacts', label: 'Contacts' },
  { id: 'products', href: '/app/products', label: 'Products' },
  { id: 'segments', href: '/app/segments', label: 'Segments' },
  { id: 'settings', href: '/app/settings', label: 'Settings' },
];

// Every page goes through here, so here the page learns its response's script nonce.
function Document({ title, children, bodyClass }: { title: string; children: Child; bodyClass: string }) {
  return (
    <ScriptNonceProvider nonce={currentScriptNonce()}>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${title} · Edge Marketing`}</title>
          <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
          <link rel="stylesheet" href="/app.css" />
          <Script src="/app.js" />
        </head>
        <body class={bodyClass}>{children}</body>
      </html>
    </ScriptNonceProvider>
  );
}

// The first thing Tab reaches on every page: past the navigation, straight to the page itself.
function SkipLink() {
  return (
    <a class="skip-link" href="#main">
      Skip to content
    </a>
  );
}

function Brand({ href }: { href: string }) {
  return (
    <a class="brand" href={href}>
      <span class="brand-mark" aria-hidden="true">
        ✉
      </span>
      Edge Marketing
    </a>
  );
}

/** Signed-out pages: one centred card. */
export function AuthLayout({ title, children }: { title: string; children: Child }) {
  return (
    <Document title={title} bodyClass="auth">
      <SkipLink />
      <main class="auth-card" id="main" tabindex={-1}>
        <Brand href="/" />
        {children}
      </main>
    </Document>
  );
}

/** What the shell needs about the signed-in user. */
export type ShellData = {
  csrfToken: string;
  email: string;
  currentWorkspaceId: string;
  workspaces: { id: string; name: string; role: MembershipRole }[];
};

/** Signed-in pages: navigation, workspace switcher, then the page. */
export function AppLayout({ title, section, shell, children }: { title: string; section: Section; shell: ShellData; children: Child }) {
  const current = shell.workspaces.find((ws) => ws.id === shell.currentWorkspaceId);
  return (
    <Document title={title} bodyClass="app">
      <SkipLink />
      <header class="sidebar">
        <Brand href="/app/marketing" />
        <form class="workspace-switcher" method="post" action="/app/workspaces/switch" data-autosubmit>
          <CsrfField token={shell.csrfToken} />
          <label for="workspace-select">Workspace</label>
          <div class="switcher-row">
            <select id="workspace-select" name="workspaceId">
              {shell.workspaces.map((ws) => (
                <option value={ws.id} selected={ws.id === shell.currentWorkspaceId}>
                  {ws.name}
                </option>
              ))}
            </select>
            <button type="submit" class="button small secondary js-hidden">
              Switch
            </button>
          </div>
          <a class="switcher-new" href="/app/workspaces/new">
            + New workspace
          </a>
        </form>
        <nav class="main-nav" aria-label="Main">
          {NAV.map((item) => (
            <a href={item.href} class={item.id === section ? 'nav-link active' : 'nav-link'} aria-current={item.id === section ? 'page' : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
        <div class="account">
          <span class="account-email" title={shell.email}>
            {shell.email}
          </span>
          <form method="post" action="/logout">
            <CsrfField token={shell.csrfToken} />
            <button type="submit" class="link-button">
              Log out
            </button>
          </form>
        </div>
      </header>
      <main class="content" id="main" tabindex={-1} data-workspace={current?.name}>
        {children}
      </main>
    </Document>
  );
}
