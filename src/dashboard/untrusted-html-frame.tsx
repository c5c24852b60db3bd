// The one way the dashboard shows HTML it did not write (email designs): a frame sandboxed
// without allow-scripts, so nothing in it runs, whatever it contains.

/**
 * An opaque origin (sandbox with no keyword), filled from `src` (a route answering with
 * untrustedHtmlResponse) or by /untrusted-html.js.
 */
export function UntrustedHtmlFrame(props: { class: string; title: string; src?: string; hidden?: boolean; loading?: 'lazy' }) {
  return <iframe {...props} sandbox="" referrerpolicy="no-referrer" data-untrusted-html="view" />;
}
