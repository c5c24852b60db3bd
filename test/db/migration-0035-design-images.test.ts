// Migration 0035 (where images are used), replayed on a database holding designs and images saved before it.
// Its own file: the migration database is fresh for each file, and migrations apply once.
import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { migrationsBefore as before, migrationsFrom as from } from '../helpers/migrations';

describe('0035 design_images', () => {
  it("records each workspace's images found in its own designs' HTML, and nothing across workspaces", async () => {
    const db = env.MIGRATION_TEST_DB;
    await applyD1Migrations(db, before('0035'));
    const now = Date.now();
    const logo = 'aaaaaaaaaaaaaaaaaaaaaaaa.png';
    const hero = 'bbbbbbbbbbbbbbbbbbbbbbbb.jpg';
    const image = (workspace: string, id: string, key: string) =>
      db.prepare("INSERT INTO images (id, workspace_id, key, name, content_type, bytes, created_at) VALUES (?, ?, ?, 'x', 'image/png', 1, ?)").bind(id, workspace, key, now);
    const design = (workspace: string, id: string, html: string) => [
      db.prepare("INSERT INTO contents (id, workspace_id, channel, name, created_at, updated_at) VALUES (?, ?, 'email', ?, ?, ?)").bind(id, workspace, id, now, now),
      db.prepare("INSERT INTO email_contents (id, workspace_id, subject, html) VALUES (?, ?, 'Hi', ?)").bind(id, workspace, html),
    ];
    await db.batch([
      db.prepare("INSERT INTO workspaces (id, name, time_zone, created_at, updated_at) VALUES ('w1', 'One', 'UTC', ?, ?), ('w2', 'Two', 'UTC', ?, ?)").bind(now, now, now, now),
      image('w1', 'i1', logo),
      image('w2', 'i2', hero),
      ...design('w1', 'd1', `<img src="https://marketing.example.com/i/${logo}"><img src="https://marketing.example.com/i/${logo}">`),
      ...design('w1', 'd2', '<p>No image</p>'),
      // Another workspace's image in w1's design, and w1's in w2's: neither is w1's or w2's own use.
      ...design('w1', 'd3', `<img src="https://marketing.example.com/i/${hero}">`),
      ...design('w2', 'd4', `<img src="https://marketing.example.com/i/${logo}"><img src="https://marketing.example.com/i/${hero}">`),
    ]);

    await applyD1Migrations(db, from('0035'));

    const rows = await db.prepare('SELECT workspace_id, image_key, content_id FROM design_images ORDER BY workspace_id, content_id').all();
    expect(rows.results).toEqual([
      { workspace_id: 'w1', image_key: logo, content_id: 'd1' },
      { workspace_id: 'w2', image_key: hero, content_id: 'd4' },
    ]);
  });
});
