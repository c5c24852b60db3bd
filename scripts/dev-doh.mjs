// A local DNS-over-HTTPS resolver (the JSON API, `application/dns-json`) with canned
// answers, so the sending-domain check (src/email/sending-domain.ts) runs without a
// network. The tests run it (test/global/doh-server.mjs); point DOH_RESOLVER_URL at
// http://127.0.0.1:<port>/dns-query to use it elsewhere.
//
//   GET /dns-query?name=<name>&type=TXT
//
// Canned zones: good.example (SPF, DKIM under "google", DMARC), custom.example (DKIM only
// under the selector "mysel"), demo-outfitters.test (the demo data's domain: all three).
// Any other name: NXDOMAIN. Names that misbehave, for tests: stall.example (never
// answers), garbage.example (not JSON), lying.example (JSON of the wrong shape),
// huge.example (a megabyte), servfail.example (Status 2).
import { createServer } from 'node:http';

const TXT = 16;
const quoted = (text) => `"${text}"`;
const ZONES = {
  'good.example': ['v=spf1 include:_spf.google.com ~all'],
  '_dmarc.good.example': ['v=DMARC1; p=none; rua=mailto:dmarc@good.example'],
  'google._domainkey.good.example': ['v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtest'],
  'custom.example': ['google-site-verification=abc'],
  'mysel._domainkey.custom.example': ['v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCtest'],
  'demo-outfitters.test': ['v=spf1 mx ~all'],
  '_dmarc.demo-outfitters.test': ['v=DMARC1; p=quarantine'],
  'default._domainkey.demo-outfitters.test': ['v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCdemo'],
};

function endsWith(name, domain) {
  return name === domain || name.endsWith(`.${domain}`);
}

function answer(res, body, type = 'application/dns-json') {
  res.writeHead(200, { 'content-type': type });
  res.end(body);
}

/** Starts the resolver; resolves to { port, close, queries } (queries: every name asked, in order). */
export async function startDohServer({ port, host = '127.0.0.1' }) {
  const queries = [];
  const stalled = new Set();
  const server = createServer((req, res) => {
    const url = new URL(req.url, `http://${host}`);
    const name = (url.searchParams.get('name') ?? '').toLowerCase().replace(/\.$/, '');
    if (url.pathname !== '/dns-query' || !name) {
      res.writeHead(400).end();
      return;
    }
    queries.push(name);
    if (endsWith(name, 'stall.example')) {
      stalled.add(res);
      res.on('close', () => stalled.delete(res));
      return;
    }
    if (endsWith(name, 'garbage.example')) return answer(res, '<html>not dns</html>', 'text/html');
    if (endsWith(name, 'lying.example')) return answer(res, JSON.stringify({ Status: 'fine', Answer: 'v=spf1 -all' }));
    if (endsWith(name, 'huge.example')) return answer(res, JSON.stringify({ Status: 0, Answer: [{ name, type: TXT, TTL: 60, data: quoted('x'.repeat(1024 * 1024)) }] }));
    if (endsWith(name, 'servfail.example')) return answer(res, JSON.stringify({ Status: 2, Question: [{ name, type: TXT }] }));
    const records = ZONES[name];
    if (!records) return answer(res, JSON.stringify({ Status: 3, Question: [{ name, type: TXT }] }));
    // Long records come as several quoted strings, as real resolvers give them.
    const data = (text) => (text.length > 40 ? `${quoted(text.slice(0, 40))} ${quoted(text.slice(40))}` : quoted(text));
    answer(res, JSON.stringify({ Status: 0, Question: [{ name, type: TXT }], Answer: records.map((text) => ({ name, type: TXT, TTL: 300, data: data(text) })) }));
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return {
    port: server.address().port,
    queries,
    close: () =>
      new Promise((resolve) => {
        for (const res of stalled) res.destroy();
        server.close(() => resolve());
      }),
  };
}
