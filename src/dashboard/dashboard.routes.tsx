// The /app sections that are pages only (their actions live in each area's routes).
import { Hono } from 'hono';
import { listCampaigns } from '../campaigns/campaigns.service';
import type { AppEnv } from '../env';
import { tenantOf } from '../http/tenant';
import { getWorkspace } from '../workspaces/workspaces.service';
import { readFirstRunChecklist } from '../workspaces/first-run-checklist';
import { roleAllows } from '../workspaces/roles';
import { FirstRunChecklistCard } from './pages/first-run-checklist-card';
import { readChannelFigures, readOverviewFigures, readWeeklyActivity, recentWeeks } from '../reports/marketing-overview';
import { dayRangeOf, OVERVIEW_DEFAULT_DAYS } from '../reports/reports.schemas';
import { CampaignsTab } from './pages/campaigns-list-page';
import { MarketingOverviewCard } from './pages/marketing-overview-card';
import { renderAppPage } from './render';

// Weeks in the overview's activity chart (the current one included).
const OVERVIEW_CHART_WEEKS = 12;

export const dashboardRoutes = new Hono<AppEnv>()
  .get('/', (c) => c.redirect('/app/marketing'))
  .get('/marketing', async (c) => {
    const tenant = tenantOf(c);
    const now = Date.now();
    const range = dayRangeOf({}, now, OVERVIEW_DEFAULT_DAYS);
    const [campaigns, workspace, figures, channels, weeks, checklist] = await Promise.all([
      listCampaigns(tenant),
      getWorkspace(tenant),
      readOverviewFigures(tenant, range),
      readChannelFigures(tenant, range),
      readWeeklyActivity(tenant, recentWeeks(now, OVERVIEW_CHART_WEEKS)),
      readFirstRunChecklist(tenant),
    ]);
    const canHide = roleAllows(c.get('role'), 'settings:workspace');
    const overview = (
      <>
        <FirstRunChecklistCard checklist={checklist} csrfToken={c.get('csrfToken')} canHide={canHide} />
        <MarketingOverviewCard figures={figures} channels={channels} weeks={weeks} />
      </>
    );
    return renderAppPage(c, { title: 'Campaigns', section: 'marketing', body: <CampaignsTab campaigns={campaigns} timeZone={workspace.timeZone} overview={overview} /> });
  });
