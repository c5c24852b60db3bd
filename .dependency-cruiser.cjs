// Dependency rules, checked by `npm run lint` (and so by `npm test`): dependencies point
// one way, routes and jobs -> domain -> db, channels, lib. The patterns name kinds of
// module, not today's files, so a new folder under src/ is domain code by default.

/** The top floor: HTTP wiring, pages, queue and cron entries. Everything else in src/ is domain code. */
const TOP_FLOOR = ['^src/(http|dashboard|jobs)/', '^src/(index|app)\\.tsx?$', '\\.(routes|api)\\.tsx?$'];

/** Hono as pages may use it: JSX and the html helper, never the request (Context) or responses. */
const HONO_FOR_PAGES = '^node_modules/hono/dist/(types/)?(jsx|helper/html)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-not-to-top-floor',
      comment: 'Domain code runs in queue consumers, cron and Durable Objects too: it never imports routes, API handlers, pages, src/http or src/jobs.',
      severity: 'error',
      from: { path: '^src/', pathNot: TOP_FLOOR },
      to: { path: TOP_FLOOR },
    },
    {
      name: 'lib-framework-free',
      comment: 'src/lib holds framework-free helpers: it imports only itself (never src/db or domain code).',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: '^src/', pathNot: '^src/lib/' },
    },
    {
      name: 'db-below-domain',
      comment: 'src/db (schema, client, tenant scoping, system queries) sits under the domain: it imports only itself and src/lib.',
      severity: 'error',
      from: { path: '^src/db/' },
      to: { path: '^src/', pathNot: '^src/(db|lib)/' },
    },
    {
      name: 'channels-not-to-domain',
      comment: 'Channels only talk to providers: they import src/lib, src/vendor and the schema vocabulary, never domain modules.',
      severity: 'error',
      from: { path: '^src/channels/' },
      to: { path: '^src/', pathNot: ['^src/(channels|lib|vendor)/', '^src/db/schema\\.ts$'] },
    },
    {
      name: 'vendor-self-contained',
      comment: 'Vendored libraries stay as their authors wrote them (see their CHANGES.md): they import nothing of ours.',
      severity: 'error',
      from: { path: '^src/vendor/' },
      to: { path: '^src/', pathNot: '^src/vendor/' },
    },
    {
      name: 'pages-do-not-read-the-request',
      comment: 'Pages are pure components given props: no hono Context or responses, no bindings (src/env.ts), no src/http, no database handle; the route loads the data and renders the page.',
      severity: 'error',
      from: { path: '^src/dashboard/pages/' },
      to: { path: ['^node_modules/hono/', '^src/http/', '^src/env\\.ts$', '^src/dashboard/render\\.tsx$', '^src/db/(client|tenant|system)\\.ts$'], pathNot: HONO_FOR_PAGES },
    },
    {
      name: 'pages-do-not-call-services',
      comment: 'Pages may import the types of services (the views they show) but never call them, nor jobs, queues or channels.',
      severity: 'error',
      from: { path: '^src/dashboard/pages/' },
      to: { path: ['\\.service\\.tsx?$', '-job\\.tsx?$', '^src/(queues|channels)/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-circular-modules',
      comment: 'A module cycle makes load order matter and the pieces impossible to take apart.',
      severity: 'error',
      from: { path: '^src/' },
      // Cycles through type-only imports (src/env.ts naming the Durable Object classes) do not exist at run time.
      to: { circular: true, dependencyTypesNot: ['type-only'], viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a page must not even name the request's type.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['types', 'import', 'default'], extensions: ['.ts', '.tsx', '.js', '.mjs'] },
  },
};
