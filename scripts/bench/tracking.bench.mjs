// Benchmark (issues 15 and 17): the open pixel, the click redirect and the SMS short link
// against the hello-world route on the same `wrangler dev`, in one run, at concurrency 1
// and 32 (32 only in a quick run), in rounds (against-hello.mjs). Target: the pixel and the
// click at least 0.8x hello-world's requests/s, answered from their signed tokens alone;
// the short link, which must read its row from D1, at least 0.8x the requests/s of a bare
// D1 round trip measured in the same rounds (d1RoundTrip). Each a p99 at most 1.5x
// hello-world's (the short link's: the round trip's; medians of the rounds), every answer
// the pixel or the 302 to the signed or stored link.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, executeSql, startDevServer } from './dev-server.mjs';
import { againstFloorRow, againstHello, againstHelloRow, CONCURRENCIES, d1RoundTrip, floorRow, formatAgainstFloor, meetsTargets } from './against-hello.mjs';
import { benchResult } from './report.mjs';

const MIN_RATE = 0.8;
const MAX_TAIL = 1.5;
const DELIVERIES = 5_000;
const SEP = '\u001f';

// Tokens as src/tracking/tracking-tokens.ts signs them, with the dev server's APP_SECRET.
function sign(secret, fields) {
  const payload = Buffer.from(fields.join(SEP));
  const mac = createHmac('sha256', secret)
    .update(Buffer.concat([Buffer.from(`track${SEP}`), payload]))
    .digest()
    .subarray(0, 16);
  return `${payload.toString('base64url')}.${mac.toString('base64url')}`;
}

function tokens(secret, kind) {
  const sentAt = String(Math.floor(Date.now() / 1000) - 3600);
  return Array.from({ length: DELIVERIES }, (_, i) => {
    const fields = [kind, 'bench-workspace', `bench-delivery-${i}`, 'campaign', 'bench-campaign', String(i % 8), sentAt];
    return sign(secret, kind === 'c' ? [...fields, `https://shop.example/p/${i % 7}?utm_source=email#top`] : fields);
  });
}

// Short links of one SMS delivery, as src/sms/short-links.ts stores them (codes: 10 base62 characters).
const SMS_WORKSPACE = '01BENCHSHORTLINKS000000000';
const shortCode = (i) => `s${String(i).padStart(9, '0')}`;
function shortLinkSql(now) {
  return `
INSERT INTO workspaces (id, name, time_zone, created_at, updated_at) VALUES ('${SMS_WORKSPACE}', 'Bench Texts', 'UTC', ${now}, ${now});
INSERT INTO contacts (id, workspace_id, phone, sms_consent, created_at, updated_at) VALUES ('01BENCHSHORTLINKCONTACT000', '${SMS_WORKSPACE}', '+14155550100', 'subscribed', ${now}, ${now});
INSERT INTO contents (id, workspace_id, channel, name, created_at, updated_at) VALUES ('01BENCHSHORTLINKTEXT000000', '${SMS_WORKSPACE}', 'sms', 'Text', ${now}, ${now});
INSERT INTO sms_contents (id, workspace_id, body) VALUES ('01BENCHSHORTLINKTEXT000000', '${SMS_WORKSPACE}', 'Sale: https://shop.example/p');
INSERT INTO deliveries (id, workspace_id, contact_id, channel, source_type, source_id, step_key, occurrence_key, content_id, status, queued_at, sent_at, updated_at)
  VALUES ('01BENCHSHORTLINKDELIVERY00', '${SMS_WORKSPACE}', '01BENCHSHORTLINKCONTACT000', 'sms', 'campaign', 'bench-sms-campaign', '', '', '01BENCHSHORTLINKTEXT000000', 'sent', ${now}, ${now}, ${now});
WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < ${DELIVERIES - 1})
INSERT INTO short_links (code, workspace_id, delivery_id, url, created_at)
SELECT 's' || printf('%09d', n), '${SMS_WORKSPACE}', '01BENCHSHORTLINKDELIVERY00', 'https://shop.example/p/' || (n % 7) || '?utm_source=sms', ${now} FROM seq;
`;
}

export async function run() {
  // The dev server writes .dev.vars on a fresh checkout, so the secret is read after it starts.
  const server = await startDevServer({
    port: 8803,
    prepare: (state) => {
      executeSql(state, 'tracking', shortLinkSql(Date.now()));
    },
  });
  const secret = /^APP_SECRET=(.*)$/m.exec(readFileSync(join(ROOT, '.dev.vars'), 'utf8'))?.[1]?.trim();
  if (!secret) {
    server.stop();
    throw new Error('.dev.vars has no APP_SECRET');
  }
  const rows = [];
  try {
    const opens = tokens(secret, 'o');
    const clicks = tokens(secret, 'c');
    // Redirects are not followed: the 302 is the answer we want.
    const clickInit = { redirect: 'manual', headers: { 'user-agent': 'bench' } };
    const pixelAnswer = (res) => res.status === 200 && res.headers.get('content-type') === 'image/gif';
    const redirected = (res) => res.status === 302 && res.headers.get('location')?.startsWith('https://shop.example/p/');
    for (const concurrency of CONCURRENCIES) {
      const compared = await againstHello({
        base: server.base,
        concurrency,
        label: 'tracking',
        paths: [
          { name: 'open pixel', makeRequest: (i) => [`${server.base}/o/${opens[i % DELIVERIES]}`, { headers: { 'user-agent': 'bench' } }], check: pixelAnswer },
          { name: 'click redirect', makeRequest: (i) => [`${server.base}/c/${clicks[i % DELIVERIES]}`, clickInit], check: redirected },
          { name: 'SMS short link', makeRequest: (i) => [`${server.base}/s/${shortCode(i % DELIVERIES)}`, clickInit], check: redirected },
          d1RoundTrip(server.base),
        ],
      });
      const [pixel, click, short, floor] = compared;
      const at = `c=${String(concurrency).padStart(2)}`;
      for (const path of [pixel, click]) {
        const pass = meetsTargets(path, MIN_RATE, MAX_TAIL);
        console.log(`tracking ${at} ${path.name.padEnd(14)} median ${path.rate.toFixed(2)}x req/s, ${path.tail.toFixed(2)}x p99 ${pass ? 'PASS' : 'FAIL'}`);
        rows.push(againstHelloRow({ path: `${path.name}, c=${concurrency}`, compared: path, minRate: MIN_RATE, maxTail: MAX_TAIL }));
      }
      rows.push(floorRow({ path: `D1 round trip (GET /healthz/d1), c=${concurrency}`, floor }));
      const shortRow = againstFloorRow({ path: `SMS short link, c=${concurrency}`, compared: short, floor, minShare: MIN_RATE, maxTail: MAX_TAIL });
      console.log(`tracking ${at} SMS short link ${formatAgainstFloor(short, floor)} ${shortRow.pass ? 'PASS' : 'FAIL'}`);
      rows.push(shortRow);
    }
  } finally {
    server.stop();
  }
  return benchResult('tracking', rows);
}
