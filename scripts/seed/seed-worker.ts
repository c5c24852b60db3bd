// The seed Worker: one POST runs the demo seed and answers what it did, with the login.
import type { Env } from '../../src/env';
import { DEMO_EMAIL, DEMO_PASSWORD, seedDemo } from '../../src/demo/demo-seed';

export default {
  async fetch(request, env) {
    if (request.method !== 'POST') return new Response('POST to seed the demo workspace\n', { status: 405 });
    try {
      const result = await seedDemo(env);
      return Response.json({ ...result, login: { email: DEMO_EMAIL, password: DEMO_PASSWORD } });
    } catch (err) {
      return Response.json({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }, { status: 500 });
    }
  },
} satisfies ExportedHandler<Env>;
