// The folder-level check of the dependency rules (`npm run lint`): no new cycles between
// the top-level folders of domain code. Routes, pages and jobs are left out of this
// graph: they sit on top and import across areas by design.
const base = require('./.dependency-cruiser.cjs');

const TOP_FLOOR = base.forbidden.find((rule) => rule.name === 'domain-not-to-top-floor').to.path;

// Pairs of folders that already depended on each other when the rule came (issue 12):
// accounts <-> workspaces (sign-up creates a workspace; settings reuse account fields) and
// campaigns <-> email (sender health pauses campaigns; campaigns send test emails), which
// was campaigns <-> messages before messages/ was split. Folder rules cannot filter a cycle
// by the folders it passes through, so these are left out as starting points: a cycle
// through any other folder still fails, from that folder.
const KNOWN_CYCLES = '^src/(accounts|workspaces|campaigns|email)$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment: 'Top-level domain folders depend on each other one way; a cycle means two areas are one, or a rule sits in the wrong place.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/[^/]+$', pathNot: KNOWN_CYCLES },
      to: { path: '^src/[^/]+$', circular: true },
    },
  ],
  options: { ...base.options, exclude: { path: TOP_FLOOR } },
};
