// The page a person sees when a browser request fails.
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { codeToStatus } from '../http/errors';
import type { AppError } from '../lib/errors';
import { AuthLayout } from './layout';

const TITLES: Partial<Record<AppError['code'], string>> = {
  not_found: 'Page not found',
  forbidden: 'Not allowed',
  unauthorized: 'Please log in',
  rate_limited: 'Slow down',
  payload_too_large: 'Too large',
  internal: 'Something went wrong',
};

/** Renders an error as a page with the right status and a way back. */
export function renderErrorPage(c: Context<AppEnv>, err: AppError) {
  const title = TITLES[err.code] ?? 'Request failed';
  return c.html(
    <AuthLayout title={title}>
      <h1>{title}</h1>
      <p class="lead">{err.message}</p>
      <p class="muted small">Request id: {c.get('requestId')}</p>
      <p>
        <a class="button" href="/app">
          Back to the dashboard
        </a>
      </p>
    </AuthLayout>,
    codeToStatus(err.code),
  );
}
