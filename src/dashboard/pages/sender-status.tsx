// The workspace sender's state from real attempts, as a notice: on Settings → Email
// sender, and on a campaign page while it sends or after the platform paused it.
import { describeSenderHealth, type SenderHealth } from '../../email/sender-health';
import { Notice } from '../components';

/**
 * Working or failing (and what to fix); nothing before any attempt, when there is nothing
 * to say. `linkToSettings`: off on the Settings page itself.
 */
export function SenderStatusNotice({ health, timeZone, linkToSettings = true }: { health: SenderHealth; timeZone: string; linkToSettings?: boolean }) {
  if (health.state === 'untested') return null;
  if (health.state === 'ok') return <Notice tone="success">{describeSenderHealth(health, timeZone)}</Notice>;
  return (
    <Notice tone="error">
      <strong>Your email sender is failing.</strong> {describeSenderHealth(health, timeZone)}
      {linkToSettings ? (
        <>
          {' '}
          <a href="/app/settings/email">Open Settings → Email sender</a>
        </>
      ) : null}
    </Notice>
  );
}
