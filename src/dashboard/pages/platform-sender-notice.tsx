// The platform sender's rules as a notice, shown before anything is sent: on Settings →
// Email sender and on the campaign builder's review step (and, once a cap is reached,
// on a sending campaign's page, saying why it waits).
import type { PlatformSenderStatus } from '../../email/platform-sender-status';
import { formatInZone } from '../../lib/time';
import { Notice } from '../components';

const numbers = new Intl.NumberFormat('en');

/** Whether the platform sender reaches customers, what trust still needs, and the caps used. */
export function PlatformSenderNotice({ status, timeZone, capOnly = false }: { status: PlatformSenderStatus; timeZone: string; capOnly?: boolean }) {
  const { trust, usage } = status;
  const cap = usage.capReached;
  return (
    <>
      {!trust.trusted && !capOnly ? (
        <Notice tone="warning">
          <div data-platform-sender="members-only">
            <p>
              <strong>The platform sender reaches only your workspace's members for now.</strong> Campaigns skip every other recipient, and test emails go only to members who verified their address.
              To send to customers, connect your store and verify your email, or add your own SMTP server in <a href="/app/settings/email">Settings → Email sender</a>.
            </p>
            <ul>
              <li>{trust.ownerVerified ? 'Owner email verified: done.' : "Owner email verified: not yet (follow the link we emailed to the workspace's owner)."}</li>
              <li>{trust.storeConnected ? 'Store connected: done.' : 'Store connected: not yet (connect your store in Settings → Stores; it counts once it has sent its first event).'}</li>
            </ul>
          </div>
        </Notice>
      ) : null}
      {cap ? (
        <Notice tone="warning">
          <span data-platform-sender="cap-reached">
            {`The platform sender's limit of ${numbers.format(cap.limit)} emails ${cap.window === 'hour' ? 'an hour' : 'a day'} for this workspace is reached: what is left waits and goes out after ${formatInZone(cap.until, timeZone)}. Nothing is lost. Add your own SMTP server to send more.`}
          </span>
        </Notice>
      ) : capOnly ? null : (
        <p class="muted small" data-platform-sender="usage">
          {`Platform sender limits: ${numbers.format(usage.sentThisHour)} of ${numbers.format(usage.limits.hourly)} emails this hour, ${numbers.format(usage.sentToday)} of ${numbers.format(usage.limits.daily)} today. Past them, emails wait for the next hour or day.`}
        </p>
      )}
    </>
  );
}
