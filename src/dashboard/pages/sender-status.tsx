// The workspace sender's state from real attempts, as a notice: on Settings → Email
// sender, and on a campaign page while it sends or after the platform paused it.
import { describeSenderHealth, type SenderHealth } from '../../messages/sender-health';
import { Notice } from '../components';

/** Working or failing (and what to fix); nothing before any attempt, when there is nothing to say. */
export function SenderStatusNotice({ health, timeZone }: { health: SenderHealth; timeZone: string }) {
  if (health.state === 'untested') return null;
  if (health.state === 'ok') return <Notice tone="success">{describeSenderHealth(health, timeZone)}</Notice>;
  return (
    <Notice tone="error">
      <strong>Your email sender is failing.</strong> {describeSenderHealth(health, timeZone)} <a href="/app/settings/email">Open Settings → Email sender</a>
    </Notice>
  );
}
