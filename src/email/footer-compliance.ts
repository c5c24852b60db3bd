// CAN-SPAM: every marketing email shows the sender's postal address in its footer. The
// address is a workspace setting; it reaches the email through the footer we add
// (withComplianceFooter), or through `{{ shop.postal_address }}` in a design that brings
// its own footer (one that links `{{ unsubscribe_url }}` itself, so ours is not added).
import type { FieldIssue } from '../lib/errors';

/** Where the merchant sets the address (Settings → Workspace). */
export const POSTAL_ADDRESS_SETTINGS_PATH = '/app/settings#general-heading';

const OWN_UNSUBSCRIBE_LINK = /\{\{-?\s*unsubscribe_url\b/;
const POSTAL_ADDRESS_TAG = /\{\{-?\s*shop\.postal_address\b/;

/**
 * Why an email with this design would go out without a postal address, or null when it
 * would carry one. `html` is the design's source (null: no design chosen yet).
 */
export function footerAddressIssue(postalAddress: string | null, html: string | null): FieldIssue | null {
  if (!postalAddress) return { path: 'postalAddress', message: 'Add your postal address in Settings: anti-spam law (CAN-SPAM) requires it in the footer of every marketing email' };
  if (html && OWN_UNSUBSCRIBE_LINK.test(html) && !POSTAL_ADDRESS_TAG.test(html) && !html.includes(postalAddress)) {
    return { path: 'contentId', message: 'This design has its own footer without your postal address: add {{ shop.postal_address }} next to its unsubscribe link' };
  }
  return null;
}
