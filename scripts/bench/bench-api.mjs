// The benches' client of the product's API under `wrangler dev`: one workspace's API key,
// each call nudged (dev-server.mjs), and a campaign seen through to "sent".

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `api(path, body?, { method, headers })` for the workspace of `apiKey`: a body that is
 * not a string goes as JSON; no body means GET, a body POST. Answers other than 2xx
 * throw with their text. A read that `wrangler dev` still never answers, nudged or not,
 * is asked again (locally seen after heavy loads, README "A request that `wrangler dev`
 * never answers"); a write is not, so nothing is done twice.
 */
export function apiClient(server, apiKey, label) {
  return async (path, body, { method = body === undefined ? 'GET' : 'POST', headers = {} } = {}) => {
    const attempts = method === 'GET' ? 3 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await server.nudged(
          fetch(`${server.base}/api/v1${path}`, {
            method,
            signal: AbortSignal.timeout(attempts > 1 ? 60_000 : 300_000),
            headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
            body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
          }),
        );
        if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
        return res.json();
      } catch (err) {
        if (err?.name !== 'TimeoutError' || attempt >= attempts) throw err;
        console.log(`${label}: GET ${path} had no answer in 60 s; asking again`);
      }
    }
  };
}

/**
 * After the last message arrived: two seconds for any duplicate to show up, then cron
 * ticks until the campaign is marked sent (at most 30). Returns its last status.
 */
export async function waitForCampaignSent(server, api, campaignId) {
  await sleep(2000);
  let status = 'sending';
  for (let i = 0; i < 30 && status !== 'sent'; i++) {
    await fetch(`${server.base}/__scheduled?cron=*+*+*+*+*`);
    status = (await api(`/campaigns/${campaignId}`)).campaign.status;
    if (status !== 'sent') await sleep(1000);
  }
  return status;
}
