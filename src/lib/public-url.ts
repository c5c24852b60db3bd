// Absolute URLs of this app that leave it (unsubscribe and tracking links in mail,
// webhook addresses shown to merchants), all under one configured origin.

/** `path` (starting with "/") under the public base URL, whether or not that ends in "/". */
export function publicUrl(env: { PUBLIC_BASE_URL: string }, path: `/${string}`): string {
  return `${env.PUBLIC_BASE_URL.replace(/\/+$/, '')}${path}`;
}
