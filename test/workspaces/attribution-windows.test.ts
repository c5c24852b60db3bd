// The attribution windows: whole hours from 1 to 720 (30 days), stored in ms, set in
// Settings or through the API; anything else is refused with 400 naming the field.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { apiErrorOf, callApi, createApiKey, patchApi, signUpMerchant } from '../helpers/factories';

async function windowsOf(workspaceId: string) {
  return env.DB.prepare('SELECT click_window_ms, open_window_ms FROM workspace_settings WHERE workspace_id = ?').bind(workspaceId).first();
}

describe('attribution windows', () => {
  it('start at 5 days and change through the API in hours', async () => {
    const merchant = await signUpMerchant('Window Shop');
    const key = await createApiKey(merchant);
    expect((await (await callApi(key, '/workspace')).json<{ workspace: object }>()).workspace).toMatchObject({ clickWindowHours: 120, openWindowHours: 120 });
    const res = await patchApi(key, '/workspace', { clickWindowHours: 1, openWindowHours: 720 });
    expect(res.status).toBe(200);
    expect((await res.json<{ workspace: object }>()).workspace).toMatchObject({ clickWindowHours: 1, openWindowHours: 720 });
    expect(await windowsOf(merchant.workspaceId)).toEqual({ click_window_ms: 3_600_000, open_window_ms: 2_592_000_000 });
  });

  it('refuses a window out of range, fractional or not a number, naming the field and changing nothing', async () => {
    const merchant = await signUpMerchant('Strict Windows');
    const key = await createApiKey(merchant);
    for (const field of ['clickWindowHours', 'openWindowHours']) {
      for (const value of [0, -5, 721, 1.5, 'a week', null, true]) {
        const res = await patchApi(key, '/workspace', { postalAddress: '2 Quay St', [field]: value });
        expect(res.status).toBe(400);
        expect((await apiErrorOf(res)).issues?.map((issue) => issue.path)).toEqual([field]);
      }
    }
    expect(await windowsOf(merchant.workspaceId)).toEqual({ click_window_ms: 432_000_000, open_window_ms: 432_000_000 });
  });

  it('are edited on the Settings page, which names a bad field and keeps what was typed', async () => {
    const merchant = await signUpMerchant('Form Windows');
    const form = { name: 'Form Windows', timeZone: 'UTC', senderName: '', senderEmail: '', replyToEmail: '', postalAddress: '', clickWindowHours: '48', openWindowHours: '24' };
    expect((await merchant.client.post('/app/settings', form)).status).toBe(303);
    expect(await windowsOf(merchant.workspaceId)).toEqual({ click_window_ms: 172_800_000, open_window_ms: 86_400_000 });
    const page = await (await merchant.client.get('/app/settings')).text();
    expect(page).toMatch(/name="clickWindowHours" type="number" value="48"/);

    const bad = await merchant.client.post('/app/settings', { ...form, clickWindowHours: '1000', openWindowHours: '' });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('Use at most 720 hours (30 days)');
    expect(html).toContain('Enter a number of hours');
    expect(html).toMatch(/name="clickWindowHours" type="number" value="1000"/);
    expect(await windowsOf(merchant.workspaceId)).toEqual({ click_window_ms: 172_800_000, open_window_ms: 86_400_000 });
  });
});
