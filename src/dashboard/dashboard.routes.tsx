// The /app sections that are pages only (their actions live in each area's routes).
import { Hono } from 'hono';
import { listCampaigns } from '../campaigns/campaigns.service';
import type { AppEnv } from '../env';
import { tenantOf } from '../http/tenant';
import { getWorkspace } from '../workspaces/workspaces.service';
import { CampaignsTab } from './pages/campaigns-list-page';
import { FlowsTab } from './pages/section-pages';
import { renderAppPage } from './render';

export const dashboardRoutes = new Hono<AppEnv>()
  .get('/', (c) => c.redirect('/app/marketing'))
  .get('/marketing', async (c) => {
    const tenant = tenantOf(c);
    const [campaigns, workspace] = await Promise.all([listCampaigns(tenant), getWorkspace(tenant)]);
    return renderAppPage(c, { title: 'Campaigns', section: 'marketing', body: <CampaignsTab campaigns={campaigns} timeZone={workspace.timeZone} /> });
  })
  .get('/marketing/flows', (c) => renderAppPage(c, { title: 'Flows', section: 'marketing', body: <FlowsTab /> }));
