// A design or SMS message a flow sends cannot be deleted (flows name them inside their JSON
// steps, where no foreign key guards them); once no flow sends it, it can be.
import { describe, expect, it } from 'vitest';
import { apiErrorOf, callApi, createApiKey, patchApi, postApi, signUpMerchant } from '../helpers/factories';

type Step = { id: string; type: string; contentId?: string };
type Flow = { id: string; name: string; definition: { steps: Step[] } & Record<string, unknown> };

describe('deleting what a flow sends', () => {
  it('refuses with 409 naming the flow, then deletes once the flow no longer sends it, in its own workspace only', async () => {
    const merchant = await signUpMerchant('Flow contents');
    const key = await createApiKey(merchant);
    const flow = (await (await postApi(key, '/flows', { kind: 'welcome' })).json<{ flow: Flow }>()).flow;
    const step = flow.definition.steps.find((s) => s.type === 'email')!;
    const starter = step.contentId!;

    const refused = await callApi(key, `/email-designs/${starter}`, { method: 'DELETE' });
    expect(refused.status).toBe(409);
    expect((await apiErrorOf(refused)).message).toContain(`used by the flow "${flow.name}"`);
    expect((await callApi(key, `/email-designs/${starter}`)).status).toBe(200);

    // An SMS message in a step is kept the same way.
    const sms = (await (await postApi(key, '/sms-messages', { name: 'Hello text', body: 'Hi {{ contact.first_name }}' })).json<{ message: { id: string } }>()).message;
    const replacement = (await (await postApi(key, '/email-designs', { name: 'Other', subject: 'Hi', html: '<p>Hi</p>' })).json<{ design: { id: string } }>()).design;
    const steps = flow.definition.steps.map((s) => (s.id === step.id ? { ...s, contentId: replacement.id } : s));
    const edited = await patchApi(key, `/flows/${flow.id}`, { definition: { ...flow.definition, steps: [...steps, { id: 'sms-1', type: 'sms', contentId: sms.id }] } });
    expect(edited.status, await edited.clone().text()).toBe(200);
    expect((await callApi(key, `/sms-messages/${sms.id}`, { method: 'DELETE' })).status).toBe(409);

    // No flow sends the starter any more, and no contact waits on the version that did.
    expect((await callApi(key, `/email-designs/${starter}`, { method: 'DELETE' })).status).toBe(204);

    // Another workspace's flow never holds back this workspace's deletions.
    const other = await signUpMerchant('Flow contents elsewhere');
    const otherKey = await createApiKey(other);
    const own = (await (await postApi(otherKey, '/email-designs', { name: 'Mine', subject: 'Hi', html: '<p>Hi</p>' })).json<{ design: { id: string } }>()).design;
    expect((await callApi(otherKey, `/email-designs/${own.id}`, { method: 'DELETE' })).status).toBe(204);
  });
});
