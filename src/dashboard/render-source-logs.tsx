// A campaign's or flow's logs page, rendered by the campaign and flow routes.
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { tenantOf } from '../http/tenant';
import { type DayRange, dayRangeLabels, dayRangeOf, LOG_DEFAULT_DAYS, LogsQuery } from '../reports/reports.schemas';
import type { LogPage } from '../reports/source-logs';
import { getWorkspace } from '../workspaces/workspaces.service';
import { SourceLogsPage } from './pages/source-logs-page';
import { renderAppPage } from './render';

/**
 * Renders the logs page for the days in the query. `read` names the source (404 for another
 * workspace's) and reads a page of its log. A bad date or cursor shows the default range
 * with what was wrong (400), rather than an error page.
 */
export async function renderSourceLogs(c: Context<AppEnv>, paths: { reportPath: string; logsPath: string }, read: (range: DayRange, query: LogsQuery) => Promise<{ name: string; page: LogPage }>) {
  const raw = c.req.query();
  const parsed = LogsQuery.safeParse({ from: raw.from || undefined, to: raw.to || undefined, cursor: raw.cursor || undefined });
  const query: LogsQuery = parsed.success ? parsed.data : { limit: 50 };
  const range = dayRangeOf(query, Date.now(), LOG_DEFAULT_DAYS);
  const [{ name, page }, workspace] = await Promise.all([read(range, query), getWorkspace(tenantOf(c))]);
  const body = (
    <SourceLogsPage
      source={{ name, ...paths }}
      range={dayRangeLabels(range)}
      page={page}
      cursor={raw.cursor}
      error={parsed.success ? undefined : parsed.error.issues[0]?.message}
      timeZone={workspace.timeZone}
    />
  );
  return renderAppPage(c, { title: `${name}: logs`, section: 'marketing', body }, parsed.success ? 200 : 400);
}
