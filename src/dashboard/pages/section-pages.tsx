// The Marketing section's header and tabs, and the Flows tab, which says what will
// appear there until flows exist (the Campaigns tab is in campaigns-pages.tsx).
import { EmptyState, Tabs } from '../components';

const MARKETING_TABS = [
  { id: 'campaigns', href: '/app/marketing', label: 'Campaigns' },
  { id: 'flows', href: '/app/marketing/flows', label: 'Flows' },
  { id: 'designs', href: '/app/marketing/designs', label: 'Email designs' },
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

/** Marketing → Flows tab. */
export function FlowsTab() {
  const flows = [
    ['Welcome', 'greets new customers and subscribers'],
    ['Abandoned cart', 'reminds shoppers of what they left behind'],
    ['Win-back', 'reaches customers who have not bought in a while'],
    ['Price drop', 'tells shoppers a product they looked at got cheaper'],
    ['Back in stock', 'lets subscribers know a product is available again'],
    ['Customer retention', 'nudges customers who have not reordered after N days'],
  ];
  return (
    <>
      <MarketingHeader current="flows" />
      <EmptyState title="No flows switched on">
        <p>Flows run by themselves once switched on, triggered by what happens in your store:</p>
        <ul class="flow-list">
          {flows.map(([name, what]) => (
            <li>
              <strong>{name}</strong> {what}
            </li>
          ))}
        </ul>
        <p>Each flow will appear here with its status and performance.</p>
      </EmptyState>
    </>
  );
}
