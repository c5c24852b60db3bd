import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client';
import { coalesceWrites } from '../../src/db/coalesced-writes';

/** D1 that counts its batches. */
function counting(db: D1Database): { d1: D1Database; batches: () => number } {
  let batches = 0;
  const d1 = new Proxy(db, {
    get(target, property) {
      const value = Reflect.get(target, property);
      return typeof value === 'function'
        ? (...args: unknown[]) => {
            if (property === 'batch') batches += 1;
            return value.apply(target, args);
          }
        : value;
    },
  });
  return { d1, batches: () => batches };
}

const insert = (table: string, n: number) => openDb(env.DB).run(sql.raw(`INSERT INTO ${table} (n) VALUES (${n})`));
const rows = async (table: string) => (await env.DB.prepare(`SELECT n FROM ${table} ORDER BY n`).all<{ n: number }>()).results.map((row) => row.n);

beforeAll(async () => {
  await env.DB.exec('CREATE TABLE IF NOT EXISTS coalesced_a (n INTEGER PRIMARY KEY)');
  await env.DB.exec('CREATE TABLE IF NOT EXISTS coalesced_b (n INTEGER PRIMARY KEY)');
});

afterAll(async () => {
  await env.DB.exec('DROP TABLE coalesced_a');
  await env.DB.exec('DROP TABLE coalesced_b');
});

describe('coalesceWrites', () => {
  it('commits writes asked for at once in one batch, and those arriving meanwhile together in the next', async () => {
    const { d1, batches } = counting(env.DB);
    const write = coalesceWrites(openDb(d1));
    const first = write([insert('coalesced_a', 1)]);
    while (batches() === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    const meanwhile = Array.from({ length: 9 }, (_, i) => write([insert('coalesced_a', i + 2)]));
    await Promise.all([first, ...meanwhile]);
    expect(batches()).toBe(2);
    expect(await rows('coalesced_a')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("fails a batch's own callers, writes nothing of it, and still sends the next batch", async () => {
    const write = coalesceWrites(openDb(env.DB));
    await write([insert('coalesced_b', 1)]);
    // 1 again: the primary key refuses the whole batch, its other row included.
    const refused = [write([insert('coalesced_b', 2)]), write([insert('coalesced_b', 1)])];
    const later = refused[1]!.catch(() => undefined).then(() => write([insert('coalesced_b', 3)]));
    await expect(Promise.all(refused)).rejects.toThrow(/UNIQUE/);
    await later;
    expect(await rows('coalesced_b')).toEqual([1, 3]);
  });
});
