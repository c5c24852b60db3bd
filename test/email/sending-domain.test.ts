import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { joinTxtStrings, lookupTxt } from '../../src/channels/dns-over-https';
import { checkDomainRecords, dohResolverOf } from '../../src/email/sending-domain';
import { apiErrorOf, callApi, createApiKey, postApi, signUpMerchant } from '../helpers/factories';
import { useOwnSmtpServer } from '../helpers/smtp-settings';

// The local resolver (scripts/dev-doh.mjs) answers by name: see the zones there.
const resolver = dohResolverOf(env);

async function sendFrom(workspaceId: string, email: string) {
  await useOwnSmtpServer(workspaceId, { port: 2525 });
  await env.DB.prepare('UPDATE workspaces SET sender_email = ? WHERE id = ?').bind(email, workspaceId).run();
}

function storedCheck(workspaceId: string) {
  return env.DB.prepare('SELECT domain_check, domain_checked_at, dkim_selector FROM workspace_settings WHERE workspace_id = ?')
    .bind(workspaceId)
    .first<{ domain_check: string | null; domain_checked_at: number | null; dkim_selector: string | null }>();
}

describe('DNS over HTTPS', () => {
  it('joins a TXT record’s quoted strings', () => {
    expect(joinTxtStrings('"v=spf1 include:a" " ~all"')).toBe('v=spf1 include:a ~all');
    expect(joinTxtStrings('"say \\"hi\\""')).toBe('say "hi"');
    expect(joinTxtStrings('v=spf1 -all')).toBe('v=spf1 -all');
  });

  it('reads TXT records, and none for a name that does not exist', async () => {
    expect(await lookupTxt(resolver, 'good.example')).toEqual({ ok: true, records: ['v=spf1 include:_spf.google.com ~all'] });
    expect(await lookupTxt(resolver, 'nothing-here.example')).toEqual({ ok: true, records: [] });
  });

  it('gives up on a stalling resolver after its timeout, and turns garbage, lies, huge answers and DNS errors into a reason', async () => {
    const started = Date.now();
    expect(await lookupTxt(resolver, 'stall.example')).toEqual({ ok: false, reason: 'the resolver did not answer in time' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await lookupTxt(resolver, 'garbage.example')).toMatchObject({ ok: false, reason: 'the resolver’s answer was not DNS JSON' });
    expect(await lookupTxt(resolver, 'lying.example')).toMatchObject({ ok: false, reason: 'the resolver’s answer was not DNS JSON' });
    expect(await lookupTxt(resolver, 'huge.example')).toMatchObject({ ok: false, reason: 'the resolver’s answer was too large' });
    expect(await lookupTxt(resolver, 'servfail.example')).toMatchObject({ ok: false, reason: 'the resolver answered with DNS error 2' });
    expect(await lookupTxt({ ...resolver, url: 'http://127.0.0.1:2599/dns-query' }, 'good.example')).toMatchObject({ ok: false, reason: 'the resolver could not be reached' });
  });
});

describe('checking a sending domain', () => {
  it('finds SPF, DKIM under a common selector and DMARC on a good domain', async () => {
    const check = await checkDomainRecords(resolver, 'good.example', null, 1);
    expect(check).toMatchObject({ domain: 'good.example', spf: { state: 'found' }, dkim: { state: 'found', selector: 'google' }, dmarc: { state: 'found' }, problem: null });
  });

  it('reports each missing record, and finds DKIM under the selector given', async () => {
    const bare = await checkDomainRecords(resolver, 'bare.example', null);
    expect(bare).toMatchObject({ spf: { state: 'missing' }, dkim: { state: 'missing', selector: null }, dmarc: { state: 'missing' }, problem: null });
    const custom = await checkDomainRecords(resolver, 'custom.example', 'mysel');
    expect(custom).toMatchObject({ spf: { state: 'missing' }, dkim: { state: 'found', selector: 'mysel' }, dmarc: { state: 'missing' } });
  });

  it('says "could not check" for a stalling resolver, without waiting out every selector', async () => {
    const started = Date.now();
    const check = await checkDomainRecords(resolver, 'stall.example', null);
    expect(check).toMatchObject({ spf: { state: 'unknown' }, dkim: { state: 'unknown' }, dmarc: { state: 'unknown' }, problem: 'the resolver did not answer in time' });
    // SPF and DMARC together, then one DKIM look-up: about two timeouts of 1 s, not thirteen.
    expect(Date.now() - started).toBeLessThan(6000);
  });
});

describe('Settings → Email sender: the domain check', () => {
  it('explains the records, checks them when asked and keeps the result for the workspace', async () => {
    const merchant = await signUpMerchant();
    await sendFrom(merchant.workspaceId, 'news@bare.example');
    let page = await (await merchant.client.get('/app/settings/email')).text();
    expect(page).toContain('Sending domain: bare.example');
    expect(page).toContain('v=spf1');
    expect(page).toContain('The records have not been checked yet.');

    const res = await merchant.client.post('/app/settings/email/domain-check', { dkimSelector: '' });
    expect(res.status).toBe(303);
    const stored = await storedCheck(merchant.workspaceId);
    expect(JSON.parse(stored!.domain_check!)).toMatchObject({ domain: 'bare.example', spf: { state: 'missing' } });
    expect(stored!.domain_checked_at).toBeGreaterThan(0);
    page = await (await merchant.client.get('/app/settings/email')).text();
    expect(page).toContain('No SPF record');
    expect(page).toContain('No DKIM key under the common selectors');
    expect(page).toContain('No DMARC record');
    expect(page).toContain('data-record="SPF" data-state="missing"');
  });

  it('shows a good domain as found, and a stalling or garbage resolver as "could not check", not an error page', async () => {
    const merchant = await signUpMerchant();
    await sendFrom(merchant.workspaceId, 'news@good.example');
    await merchant.client.post('/app/settings/email/domain-check', {});
    let page = await (await merchant.client.get('/app/settings/email')).text();
    expect(page).toContain('SPF, DKIM and DMARC are all there.');

    for (const domain of ['stall.example', 'garbage.example']) {
      await sendFrom(merchant.workspaceId, `news@${domain}`);
      expect((await merchant.client.post('/app/settings/email/domain-check', {})).status).toBe(303);
      page = await (await merchant.client.get('/app/settings/email')).text();
      expect(page, domain).toContain('data-record="SPF" data-state="unknown"');
      expect(page, domain).toContain('Some records could not be checked');
    }
  });

  it('saves a DKIM selector and refuses a malformed one (400 naming dkimSelector), for senders only', async () => {
    const merchant = await signUpMerchant();
    await sendFrom(merchant.workspaceId, 'news@custom.example');
    await merchant.client.post('/app/settings/email/domain-check', { dkimSelector: ' MySel ' });
    expect(await storedCheck(merchant.workspaceId)).toMatchObject({ dkim_selector: 'mysel' });
    expect(await (await merchant.client.get('/app/settings/email')).text()).toContain('data-record="DKIM" data-state="found"');

    const bad = await merchant.client.post('/app/settings/email/domain-check', { dkimSelector: 'a/../b' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('A selector is letters, digits');

    await env.DB.prepare("UPDATE memberships SET role = 'editor' WHERE workspace_id = ?").bind(merchant.workspaceId).run();
    expect((await merchant.client.post('/app/settings/email/domain-check', {})).status).toBe(403);
  });

  it('checks the platform’s domain while the workspace has no sender of its own, and hides a check of another domain', async () => {
    const merchant = await signUpMerchant();
    await sendFrom(merchant.workspaceId, 'news@good.example');
    await merchant.client.post('/app/settings/email/domain-check', {});
    await env.DB.prepare('UPDATE workspace_settings SET smtp_host = NULL WHERE workspace_id = ?').bind(merchant.workspaceId).run();
    const page = await (await merchant.client.get('/app/settings/email')).text();
    const platformDomain = env.PLATFORM_SENDER_EMAIL.split('@')[1];
    expect(page).toContain(`Sending domain: ${platformDomain}`);
    expect(page).toContain('The records have not been checked yet.');
  });
});

describe('the campaign review and the sending domain', () => {
  it('warns before send when the last check found no SPF or DKIM, from the stored result', async () => {
    const merchant = await signUpMerchant();
    await merchant.client.get('/app/marketing/campaigns/new');
    const created = await merchant.client.post('/app/marketing/campaigns', { name: 'Check me', channel: 'email' });
    const id = /\/campaigns\/([0-9A-Z]{26})/.exec(created.headers.get('location')!)![1]!;
    const review = () => merchant.client.get(`/app/marketing/campaigns/${id}?step=review`).then((res) => res.text());

    await sendFrom(merchant.workspaceId, 'news@bare.example');
    expect(await review()).not.toContain('data-domain-warning');
    await merchant.client.post('/app/settings/email/domain-check', {});
    expect(await review()).toContain('Your sending domain bare.example has no SPF or DKIM record');

    await sendFrom(merchant.workspaceId, 'news@good.example');
    // A check of the old domain says nothing about the new one.
    expect(await review()).not.toContain('data-domain-warning');
    await merchant.client.post('/app/settings/email/domain-check', {});
    expect(await review()).not.toContain('data-domain-warning');
  });
});

describe('/api/v1/email-sender/domain-check', () => {
  type DomainBody = { domain: string; platform: boolean; dkimSelector: string | null; check: { spf: { state: string }; dkim: { state: string; selector: string | null } } | null; missing: string[] };

  it('reads the last check, runs one when asked, and names a bad selector (400, nothing stored)', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    await sendFrom(merchant.workspaceId, 'news@bare.example');
    expect(await (await callApi(key, '/email-sender/domain-check')).json<DomainBody>()).toEqual({ domain: 'bare.example', platform: false, dkimSelector: null, check: null, missing: [] });

    const ran = await postApi(key, '/email-sender/domain-check');
    expect(ran.status).toBe(200);
    const body = await ran.json<DomainBody>();
    expect(body.check).toMatchObject({ spf: { state: 'missing' }, dkim: { state: 'missing' } });
    expect(body.missing.join(' ')).toContain('No SPF record');
    expect(await (await callApi(key, '/email-sender/domain-check')).json<DomainBody>()).toEqual(body);

    const bad = await postApi(key, '/email-sender/domain-check', { dkimSelector: 'a/../b' });
    expect(bad.status).toBe(400);
    expect((await apiErrorOf(bad)).issues?.map((issue) => issue.path)).toEqual(['dkimSelector']);
    expect(await storedCheck(merchant.workspaceId)).toMatchObject({ dkim_selector: null });

    await sendFrom(merchant.workspaceId, 'news@custom.example');
    const custom = await (await postApi(key, '/email-sender/domain-check', { dkimSelector: 'MySel' })).json<DomainBody>();
    expect(custom).toMatchObject({ domain: 'custom.example', dkimSelector: 'mysel', check: { dkim: { state: 'found', selector: 'mysel' } } });
  });

  it('keeps each workspace to its own domain and check', async () => {
    const [first, second] = [await signUpMerchant(), await signUpMerchant()];
    await sendFrom(first.workspaceId, 'news@good.example');
    await sendFrom(second.workspaceId, 'news@bare.example');
    await postApi(await createApiKey(first), '/email-sender/domain-check');
    const other = await (await callApi(await createApiKey(second), '/email-sender/domain-check')).json<DomainBody>();
    expect(other).toMatchObject({ domain: 'bare.example', check: null });
    expect(await storedCheck(second.workspaceId)).toMatchObject({ domain_check: null });
  });
});
