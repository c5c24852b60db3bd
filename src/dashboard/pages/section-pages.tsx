// The Marketing section's header and tabs (the tabs' pages: campaigns-list-page.tsx,
// flows-pages.tsx, email-designs-pages.tsx).
import { Tabs } from '../components';

const MARKETING_TABS = [
  { id: 'campaigns', href: '/app/marketing', label: 'Campaigns' },
  { id: 'flows', href: '/app/marketing/flows', label: 'Flows' },
  { id: 'designs', href: '/app/marketing/designs', label: 'Email designs' },
  { id: 'sms', href: '/app/marketing/sms', label: 'SMS messages' },
  { id: 'images', href: '/app/marketing/images', label: 'Images' },
];

/** The Marketing heading with its tabs. */
export function MarketingHeader({ current }: { current: string }) {
  return (
    <>
      <PageHeader title="Marketing" description="One-off campaigns and automated flows, by email and SMS." />
      <Tabs tabs={MARKETING_TABS} current={current} />
    </>
  );
}

function PageHeader({ title, description }: { title: string; description: string }) {
  return (
    <div class="page-header">
      <h1>{title}</h1>
      <p class="muted">{description}</p>
    </div>
  );
}
