// The one way the dashboard shows HTML it did not write (email designs): a frame sandboxed
// without allow-scripts, so nothing in it runs, whatever it contains.

/**
 * `view`: an opaque origin (sandbox with no keyword), filled from `src` (a route answering
 * with untrustedHtmlResponse) or by /untrusted-html.js. `edit`: allow-same-origin only, so
 * the page's script can make the document editable; still no script of its own, and
 * /untrusted-html.js fills it with a copy stripped of scripts and event handlers.
 */
export function UntrustedHtmlFrame({ mode = 'view', ...props }: { mode?: 'view' | 'edit'; class: string; title: string; src?: string; hidden?: boolean }) {
  return <iframe {...props} sandbox={mode === 'edit' ? 'allow-same-origin' : ''} referrerpolicy="no-referrer" data-untrusted-html={mode} />;
}
