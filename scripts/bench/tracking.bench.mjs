// Benchmark (issues 15 and 17): the open pixel, the click redirect and the SMS short link
// against the hello-world route on the same `wrangler dev`, in one run, at concurrency 1
// and 32. Target: each at least 0.8x hello-world's requests/s and a p99 at most 1.5x
// hello-world's p99.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, executeSql, startDevServer } from './dev-server.mjs';
import { runLoad } from './load.mjs';
import { benchResult, QUICK, row } from './report.mjs';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? (QUICK ? 2_000 : 10_000));
const CONCURRENCIES = [1, 32];
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

const fmt = (r, failed = r.errors) =>
  `${r.rps.toFixed(0).padStart(5)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, errors ${failed}${failed ? ` ${JSON.stringify(r.failures)}` : ''}`;

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
    // A 302 counts as an error in runLoad (status >= 300): redirects are not followed, and 302 is the answer we want.
    const clickInit = { redirect: 'manual', headers: { 'user-agent': 'bench' } };
    for (const concurrency of CONCURRENCIES) {
      const load = (makeRequest) => runLoad({ makeRequest, concurrency, durationMs: DURATION_MS });
      const hello = await load(() => [`${server.base}/healthz/live`, {}]);
      const pixel = await load((i) => [`${server.base}/o/${opens[i % DELIVERIES]}`, { headers: { 'user-agent': 'bench' } }]);
      const click = await load((i) => [`${server.base}/c/${clicks[i % DELIVERIES]}`, clickInit]);
      const short = await load((i) => [`${server.base}/s/${shortCode(i % DELIVERIES)}`, clickInit]);
      console.log(`tracking c=${String(concurrency).padStart(2)} hello-world    ${fmt(hello)}`);
      for (const [name, result] of [
        ['open pixel    ', pixel],
        ['click redirect', click],
        ['SMS short link', short],
      ]) {
        const failed = name.startsWith('open') ? result.errors : result.errors - (result.failures[302] ?? 0);
        const rate = result.rps / hello.rps;
        const tail = result.p99 / hello.p99;
        const pass = rate >= 0.8 && tail <= 1.5 && failed === 0;
        console.log(`tracking c=${String(concurrency).padStart(2)} ${name} ${fmt(result, failed)}  -> ${rate.toFixed(2)}x req/s, ${tail.toFixed(2)}x p99 ${pass ? 'PASS' : 'FAIL'}`);
        rows.push(
          row({
            path: `${name.trim()}, c=${concurrency}`,
            figure: `${result.rps.toFixed(0)} req/s, p99 ${result.p99.toFixed(1)} ms${failed ? `, ${failed} errors` : ''}`,
            baseline: `hello-world ${hello.rps.toFixed(0)} req/s, p99 ${hello.p99.toFixed(1)} ms`,
            ratio: rate,
            target: `>= 0.80x req/s, p99 <= 1.5x (${tail.toFixed(2)}x)`,
            pass,
          }),
        );
      }
    }
  } finally {
    server.stop();
  }
  return benchResult('tracking', rows);
}
