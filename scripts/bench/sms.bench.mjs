// Benchmark: texts through the real send path, then the short links they carry.
// (b) Throughput: an SMS campaign to N contacts with SMS consent (plus one in ten without
// it, who must get nothing), set up as a merchant does through the API (SMS message,
// Twilio account with its sending speed at the top of the range and quiet hours off,
// campaign, "send now"), through the fan-out, the sends queue and the SMS channel to the
// local Twilio stand-in (scripts/dev-twilio.mjs), with duplicates and losses counted per
// number at the stand-in (both must be 0). Judged by the rate it holds once texts flow
// (its middle 80%) against the fastest this run allows: a raw `fetch` loop posting the same
// requests to the same stand-in, no faster than the sending speed the campaign keeps to.
// No 1-second window may hold more than 1.1x that speed. The rate from "send now" to the
// last text, with the wait before the first, is shown beside it. BENCH_SMS sets N
// (default 10,000).
// (c) Pace: a second workspace's campaign through a Messaging Service at its default
// speed (10 a second) must keep that pace and never exceed it.
// (a) `GET /s/<code>` with the first campaign's codes against `GET /healthz/live` on the
// same server, at concurrency 1 and 32 (32 only in a quick run), as tracking.bench.mjs does for the click redirect.
// Target: at least 0.8x the requests/s of a bare D1 round trip measured in the same
// rounds (the read a short link cannot do without; see d1RoundTrip) and a p99 at most
// 1.5x the round trip's; every answer must be the 302 to the text's URL, and the campaign's
// report must count every click.
import { createHash } from 'node:crypto';
import { startTwilioServer } from '../dev-twilio.mjs';
import { againstFloorRow, againstHello, CONCURRENCIES, d1RoundTrip, floorRow, formatAgainstFloor } from './against-hello.mjs';
import { apiClient, waitForCampaignSent } from './bench-api.mjs';
import { executeSql, startDevServer } from './dev-server.mjs';
import { benchResult, QUICK, row } from './report.mjs';

const CONTACTS = Number(process.env.BENCH_SMS ?? (QUICK ? 300 : 10_000));
const PACED_CONTACTS = QUICK ? 100 : 300;
const PORT = 8815;
const TWILIO_PORT = 8816;
// The top of Settings → SMS's sending speed: the campaign goes as fast as the Worker sends.
const TOP_RATE = 1000;
// The raw loop keeps as many requests in flight as a send consumer has lanes (OUTGOING_CONNECTIONS in send-deliveries-job.ts).
const RAW_CONCURRENCY = 6;
// Of the fastest this run allows; the speed is the ceiling, and a second over it by 1.1x fails.
const TARGET_STEADY_RATIO = 0.9;
const TOP_WINDOW_MS = 1000;
const MAX_TOP_WINDOW_TEXTS = Math.floor((TOP_RATE * TOP_WINDOW_MS * 1.1) / 1000);
// SERVICE_PER_SECOND in src/sms/sms-channel.ts: what the channel lets a Messaging Service send a second by default.
const SERVICE_PACE = 10;
const TARGET_PACE_RATIO = 0.8;
// The pace is also a ceiling: no 10-second window may hold more than 1.1x its share (jitter of the lanes' answers aside).
const PACE_WINDOW_MS = 10_000;
const MAX_WINDOW_TEXTS = Math.floor((SERVICE_PACE * PACE_WINDOW_MS * 1.1) / 1000);
// A click this soon after its text was sent is a link scanner's (SCANNER_AFTER_SEND_MS); the bench clicks as a reader.
const SCANNER_WINDOW_MS = 15_000;
const WITHOUT_CONSENT_EVERY = 10;
const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'benchAuthToken0123456789';
const LANDING = 'https://shop.example/new-arrivals?utm_source=sms';
// Each run's numbers start differently, so the stand-in's list tells them apart; one in
// ten of the throughput workspace's contacts, without consent, have numbers +1628….
const FAST = { workspace: '01BENCHSMS0000000000000000', apiKey: 'mk_bench-sms-key-0123456789abcdefghijklmnopqrstuvwxyz', idPrefix: 'T', numbers: '+1415', contacts: CONTACTS };
const PACED = { workspace: '01BENCHSMSPACED00000000000', apiKey: 'mk_bench-smp-key-0123456789abcdefghijklmnopqrstuvwxyz', idPrefix: 'P', numbers: '+1510', contacts: PACED_CONTACTS };
const WITHOUT_CONSENT_NUMBERS = '+1628';
const RAW_NUMBERS = '+1650';

function seedSql(now) {
  const workspace = ({ workspace, apiKey, idPrefix, numbers, contacts }) => `
INSERT INTO workspaces (id, name, time_zone, created_at, updated_at) VALUES ('${workspace}', 'Bench Texts', 'UTC', ${now}, ${now});
INSERT INTO workspace_settings (workspace_id, postal_address, updated_at) VALUES ('${workspace}', '1 Bench Street', ${now});
INSERT INTO api_keys (id, workspace_id, name, prefix, key_hash, created_at) VALUES ('${workspace.slice(0, 16)}KEY0000000', '${workspace}', 'bench', '${apiKey.slice(0, 8)}', '${createHash('sha256').update(apiKey).digest('hex')}', ${now});
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${contacts})
INSERT INTO contacts (id, workspace_id, phone, first_name, sms_consent, created_at, updated_at)
SELECT printf('${idPrefix}%024d0', n), '${workspace}', printf('${numbers}%07d', n), 'Sam', 'subscribed', ${now}, ${now} FROM seq;`;
  const without = Math.ceil(CONTACTS / WITHOUT_CONSENT_EVERY);
  return `${workspace(FAST)}${workspace(PACED)}
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${without})
INSERT INTO contacts (id, workspace_id, phone, first_name, sms_consent, created_at, updated_at)
SELECT printf('T%024d5', n * ${WITHOUT_CONSENT_EVERY}), '${FAST.workspace}', printf('${WITHOUT_CONSENT_NUMBERS}%07d', n), 'Sam', CASE n % 2 WHEN 0 THEN 'unsubscribed' ELSE 'not_subscribed' END, ${now}, ${now} FROM seq;
`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Texts the stand-in accepted for a run's numbers. */
const textsOf = (texts, numbers) => texts.filter((text) => text.to.startsWith(numbers));

/** Waits until the stand-in accepted `count` texts for `numbers`; gives up after a minute without a new one. */
async function waitForTexts(texts, numbers, count, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let stalledSince = Date.now();
  const arrived = () => textsOf(texts, numbers).length;
  while (arrived() < count && Date.now() < deadline && Date.now() - stalledSince < 60_000) {
    if (arrived() !== last) {
      last = arrived();
      stalledSince = Date.now();
    }
    await sleep(200);
  }
  return arrived();
}

/** The most texts the stand-in accepted within any `windowMs`. */
function busiestWindow(texts, windowMs) {
  let most = 0;
  for (let last = 0, first = 0; last < texts.length; last++) {
    while (texts[last].at - texts[first].at >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** The baseline: `count` texts posted to the stand-in by a plain loop, RAW_CONCURRENCY at a time; texts accepted a second. */
async function rawFetchLoop(count) {
  const url = `http://127.0.0.1:${TWILIO_PORT}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;
  const headers = { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' };
  let next = 0;
  let accepted = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: RAW_CONCURRENCY }, async () => {
      while (next < count) {
        const n = next++;
        const body = new URLSearchParams({
          To: `${RAW_NUMBERS}${String(n).padStart(7, '0')}`,
          MessagingServiceSid: `MG${'fedcba9876543210'.repeat(2)}`,
          Body: `Bench Texts: Hi Sam, new arrivals are in: http://127.0.0.1:${PORT}/s/${String(n).padStart(10, '0')} Reply STOP to opt out`,
          StatusCallback: `http://127.0.0.1:${PORT}/webhooks/twilio/${FAST.workspace}/status`,
        });
        const res = await fetch(url, { method: 'POST', headers, body });
        await res.arrayBuffer();
        if (res.status === 201) accepted += 1;
      }
    }),
  );
  return { accepted, perSecond: accepted / ((performance.now() - started) / 1000) };
}

/**
 * Texts a second between the 10th and the 90th percentile of their arrivals: the rate once
 * texts flow, without the queue's wait before the first batch or the last batch's tail.
 */
function steadyRate(texts) {
  const at = (share) => texts[Math.floor(share * (texts.length - 1))].at;
  const span = (at(0.9) - at(0.1)) / 1000;
  return span > 0 ? (Math.floor(0.9 * (texts.length - 1)) - Math.floor(0.1 * (texts.length - 1))) / span : 0;
}

/** Sets the workspace's Twilio account and sends it an SMS campaign to everyone; returns its id, the figures and the short codes the texts carry. */
async function sendCampaign(server, api, twilio, texts, run, sender, windowMs) {
  const { message } = await api('/sms-messages', { name: 'Bench text', body: `{{ shop.name }}: Hi {{ contact.first_name }}, new arrivals are in: ${LANDING}` });
  // Quiet hours off, as a merchant would for a store whose customers are all awake: a bench run at night must not wait for the morning.
  await api(
    '/sms-sender',
    { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, messagingServiceSid: `MG${'fedcba9876543210'.repeat(2)}`, quietHoursStart: null, quietHoursEnd: null, clickWindowDays: 5, ...sender },
    { method: 'PUT' },
  );
  const { campaign } = await api('/campaigns', { name: 'Bench SMS', channel: 'sms', contentId: message.id, audience: { type: 'everyone' }, sendingFilter: 'subscribed' });
  const started = performance.now();
  await api(`/campaigns/${campaign.id}/schedule`, { now: true });
  const arrived = await waitForTexts(texts, run.numbers, run.contacts, (run.contacts / SERVICE_PACE) * 3 * 1000 + 120_000);
  const own = textsOf(texts, run.numbers);
  const lastAt = own.at(-1)?.at ?? started;
  if (arrived < run.contacts) console.log(`sms: only ${arrived} texts arrived; the end of wrangler's log:\n${server.log().slice(-3000)}`);
  const status = await waitForCampaignSent(server, api, campaign.id);
  // Every request the stand-in received for this workspace's numbers, answered or not.
  const mine = (to) => to.startsWith(run.numbers) || (run === FAST && to.startsWith(WITHOUT_CONSENT_NUMBERS));
  const received = (await (await fetch(`http://127.0.0.1:${twilio.port}/messages`)).json()).filter((text) => mine(text.to));
  const perNumber = new Map();
  for (const text of received) perNumber.set(text.to, (perNumber.get(text.to) ?? 0) + 1);
  let duplicates = 0;
  let withoutConsentReached = 0;
  for (const [to, count] of perNumber) {
    duplicates += count - 1;
    if (to.startsWith(WITHOUT_CONSENT_NUMBERS)) withoutConsentReached += 1;
  }
  const codes = new Map();
  for (const text of received) for (const [, code] of text.body.matchAll(/\/s\/([0-9A-Za-z]{10})\b/g)) codes.set(code, LANDING);
  const seconds = (lastAt - started) / 1000;
  const ok =
    arrived === run.contacts &&
    duplicates === 0 &&
    perNumber.size - withoutConsentReached === run.contacts &&
    withoutConsentReached === 0 &&
    received.every((text) => text.answered === 201) &&
    codes.size === run.contacts;
  return {
    campaignId: campaign.id,
    arrived,
    seconds,
    perSecond: arrived / seconds,
    steadyPerSecond: own.length > 10 ? steadyRate(own) : 0,
    firstAfterMs: own.length ? own[0].at - started : null,
    duplicates,
    losses: run.contacts - (perNumber.size - withoutConsentReached),
    withoutConsentReached,
    rejected: received.filter((text) => text.answered !== 201).length,
    status,
    codes: [...codes.keys()],
    busiest: busiestWindow(own, windowMs),
    lastAt,
    ok,
  };
}

/** What a run's texts were: counts at the stand-in, for a log line and a table row. */
function describeSent(sent, contacts) {
  return {
    line:
      `${sent.arrived.toLocaleString()} of ${contacts.toLocaleString()} texts in ${sent.seconds.toFixed(1)} s from "send now" = ${sent.perSecond.toFixed(1)} texts/s, ` +
      `the first after ${((sent.firstAfterMs ?? 0) / 1000).toFixed(1)} s, the middle 80% at ${sent.steadyPerSecond.toFixed(0)}/s (status "${sent.status}"); ` +
      `duplicates ${sent.duplicates}, losses ${sent.losses}, without consent reached ${sent.withoutConsentReached}, refused by the stand-in ${sent.rejected}, distinct short codes ${sent.codes.length}`,
    counts: `${sent.duplicates} duplicates, ${sent.losses} losses, ${sent.withoutConsentReached} without consent reached`,
  };
}

/** hello-world and the short links at each concurrency; returns the rows and every code followed, with how often. */
async function loadShortLinks(server, codes, lastTextAt) {
  const rows = [];
  const followed = new Map();
  // Every code asked for, answered or not: a request in flight when a run stops may still be counted.
  const requested = new Set();
  let unanswered = 0;
  let wrong = 0;
  const redirect = { redirect: 'manual', headers: { 'user-agent': 'bench' } };
  const check = (res, i) => {
    const code = codes[i % codes.length];
    const ok = res.status === 302 && res.headers.get('location') === LANDING;
    if (ok) followed.set(code, (followed.get(code) ?? 0) + 1);
    else wrong += 1;
    return ok;
  };
  // Readers click after the scanners' window, so every click counts as a reader's.
  await sleep(Math.max(0, lastTextAt + SCANNER_WINDOW_MS + 1000 - performance.now()));
  for (const concurrency of CONCURRENCIES) {
    const [short, floor] = await againstHello({
      base: server.base,
      concurrency,
      label: 'sms',
      paths: [
        {
          name: 'SMS short link',
          makeRequest: (i) => {
            requested.add(codes[i % codes.length]);
            return [`${server.base}/s/${codes[i % codes.length]}`, redirect];
          },
          check,
        },
        d1RoundTrip(server.base),
      ],
    });
    unanswered += short.unanswered;
    // Judged as in the tracking bench: against the D1 round trip it cannot do without.
    const shortRow = againstFloorRow({ path: `SMS short link (campaign's codes), c=${concurrency}`, compared: short, floor, minShare: 0.8, maxTail: 1.5, also: ', every answer the 302' });
    console.log(`sms: c=${String(concurrency).padStart(2)} SMS short link ${formatAgainstFloor(short, floor)} ${shortRow.pass ? 'PASS' : 'FAIL'}`);
    rows.push(floorRow({ path: `D1 round trip (GET /healthz/d1), c=${concurrency}`, floor }), shortRow);
  }
  return { rows, followed, requested, unanswered, wrong };
}

/** The campaign report's clicks once the trackers have flushed what they counted (or a minute passes without change). */
async function reportedClicks(api, campaignId, expected) {
  let engagement = null;
  let last = -1;
  let stalledSince = Date.now();
  while (Date.now() - stalledSince < 60_000) {
    ({ engagement } = (await api(`/campaigns/${campaignId}/report`)).report);
    const counted = engagement.clicks + engagement.machineClicks;
    if (counted >= expected) break;
    if (counted !== last) {
      last = counted;
      stalledSince = Date.now();
    }
    await sleep(1000);
  }
  return engagement;
}

export async function run() {
  const texts = [];
  const twilio = await startTwilioServer({ port: TWILIO_PORT, log: (text) => texts.push({ to: text.to, at: performance.now() }) });
  const seeded = performance.now();
  let server;
  try {
    server = await startDevServer({
      port: PORT,
      vars: { TWILIO_API_BASE: `http://127.0.0.1:${TWILIO_PORT}` },
      prepare: (state) => {
        executeSql(state, 'sms', seedSql(Date.now()));
      },
    });
  } catch (err) {
    await twilio.close();
    throw err;
  }
  console.log(
    `sms: seeded ${CONTACTS.toLocaleString()} contacts with SMS consent (and ${Math.ceil(CONTACTS / WITHOUT_CONSENT_EVERY).toLocaleString()} without) and started wrangler dev in ${((performance.now() - seeded) / 1000).toFixed(0)} s`,
  );
  const apiOf = ({ apiKey }) => apiClient(server, apiKey, 'sms');
  const api = apiOf(FAST);
  try {
    // The raw loop just before the campaign and just after it, and their mean: on this
    // machine one loop of 10,000 read from 1,134 to 2,001 texts/s within a day.
    const rawRun = async (when) => {
      const run = await rawFetchLoop(CONTACTS);
      console.log(`sms: raw fetch loop (${RAW_CONCURRENCY} in flight) to the stand-in ${when}: ${run.accepted.toLocaleString()} texts accepted, ${run.perSecond.toFixed(0)} texts/s`);
      return run;
    };
    const rawBefore = await rawRun('before the campaign');
    const sent = await sendCampaign(server, api, twilio, texts, FAST, { sendRatePerSecond: TOP_RATE }, TOP_WINDOW_MS);
    const rawAfter = await rawRun('after the campaign');
    const raw = { perSecond: (rawBefore.perSecond + rawAfter.perSecond) / 2, runs: [rawBefore, rawAfter] };
    // The campaign keeps to its sending speed, so the raw loop counts no faster than that.
    const fastest = Math.min(raw.perSecond, TOP_RATE);
    const steadyRatio = sent.steadyPerSecond / fastest;
    const fromSendNow = `${(sent.perSecond / raw.perSecond).toFixed(2)}x the raw loop`;
    const sendPass = sent.ok && raw.runs.every((run) => run.accepted === CONTACTS) && steadyRatio >= TARGET_STEADY_RATIO && sent.busiest <= MAX_TOP_WINDOW_TEXTS;
    const fast = describeSent(sent, CONTACTS);
    console.log(
      `sms: at ${TOP_RATE}/s, ${fast.line}; busiest second ${sent.busiest} texts, at most ${MAX_TOP_WINDOW_TEXTS}; ` +
        `${steadyRatio.toFixed(2)}x the fastest this run allows (${fastest.toFixed(0)}/s), from "send now" ${fromSendNow} ${sendPass ? 'PASS' : 'FAIL'}`,
    );

    const paced = await sendCampaign(server, apiOf(PACED), twilio, texts, PACED, {}, PACE_WINDOW_MS);
    const paceRatio = paced.perSecond / SERVICE_PACE;
    const pacePass = paced.ok && paceRatio >= TARGET_PACE_RATIO && paced.busiest <= MAX_WINDOW_TEXTS;
    const slow = describeSent(paced, PACED_CONTACTS);
    console.log(`sms: Messaging Service at its default speed, ${slow.line}; busiest ${PACE_WINDOW_MS / 1000} s ${paced.busiest} texts, at most ${MAX_WINDOW_TEXTS} ${pacePass ? 'PASS' : 'FAIL'}`);
    const rows = [
      row({
        path: `SMS campaign of ${CONTACTS.toLocaleString()} at the top sending speed (${TOP_RATE.toLocaleString()}/s), send now to Twilio stand-in`,
        figure:
          `${sent.steadyPerSecond.toFixed(0)} texts/s once flowing (middle 80%; busiest second ${sent.busiest}); from send now ${sent.perSecond.toFixed(1)}/s ` +
          `(${fromSendNow}, first text after ${((sent.firstAfterMs ?? 0) / 1000).toFixed(1)} s); ${fast.counts}`,
        baseline: `raw fetch loop (${RAW_CONCURRENCY} in flight) ${raw.perSecond.toFixed(0)}/s (mean of ${raw.runs.map((run) => run.perSecond.toFixed(0)).join(' before, ')} after), capped at the speed: ${fastest.toFixed(0)}/s`,
        ratio: steadyRatio,
        target: `>= ${TARGET_STEADY_RATIO}x, <= ${MAX_TOP_WINDOW_TEXTS} in any second, 0 duplicates, 0 losses, none without consent`,
        pass: sendPass,
      }),
      row({
        path: `SMS campaign of ${PACED_CONTACTS.toLocaleString()} through a Messaging Service at its default speed`,
        figure: `${paced.perSecond.toFixed(1)} texts/s (${paced.seconds.toFixed(1)} s; busiest ${PACE_WINDOW_MS / 1000} s: ${paced.busiest}), ${slow.counts}`,
        baseline: `Messaging Service pace ${SERVICE_PACE}/s`,
        ratio: paceRatio,
        target: `>= ${TARGET_PACE_RATIO}x, <= ${MAX_WINDOW_TEXTS} in any ${PACE_WINDOW_MS / 1000} s, 0 duplicates, 0 losses`,
        pass: pacePass,
      }),
    ];
    if (!sent.codes.length) return benchResult('sms', rows);

    const { rows: loadRows, followed, requested, unanswered, wrong } = await loadShortLinks(server, sent.codes, sent.lastAt);
    rows.push(...loadRows);
    const clicks = [...followed.values()].reduce((a, b) => a + b, 0);
    const engagement = await reportedClicks(api, sent.campaignId, clicks);
    // Exact but for the requests still in flight when each load stopped, which the Worker may have served.
    const clicksOk =
      wrong === 0 &&
      engagement.machineClicks === 0 &&
      engagement.clicks >= clicks &&
      engagement.clicks <= clicks + unanswered &&
      engagement.uniqueClicks >= followed.size &&
      engagement.uniqueClicks <= requested.size;
    console.log(
      `sms: ${clicks.toLocaleString()} redirects on ${followed.size.toLocaleString()} codes (${wrong} wrong answers, ${unanswered} in flight when a load stopped); the report counts ${engagement.clicks.toLocaleString()} clicks, ` +
        `${engagement.uniqueClicks.toLocaleString()} unique, ${engagement.machineClicks} machine ${clicksOk ? 'PASS' : 'FAIL'}`,
    );
    rows.push(
      row({
        path: 'SMS short link clicks in the campaign report',
        figure: `${engagement.clicks.toLocaleString()} of ${clicks.toLocaleString()} clicks (+${unanswered} in flight at a stop), ${engagement.uniqueClicks.toLocaleString()} of ${followed.size.toLocaleString()} unique, ${engagement.machineClicks} machine`,
        target: 'every redirect counted once, as a reader',
        pass: clicksOk,
      }),
    );
    return benchResult('sms', rows);
  } finally {
    server.stop();
    await twilio.close();
  }
}
