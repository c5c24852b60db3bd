// The /app sections that are pages only (their actions live in each area's routes).
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { CampaignsTab, FlowsTab } from './pages/section-pages';
import { renderAppPage } from './render';

export const dashboardRoutes = new Hono<AppEnv>()
  .get('/', (c) => c.redirect('/app/marketing'))
  .get('/marketing', (c) => renderAppPage(c, { title: 'Campaigns', section: 'marketing', body: <CampaignsTab /> }))
  .get('/marketing/flows', (c) => renderAppPage(c, { title: 'Flows', section: 'marketing', body: <FlowsTab /> }));
