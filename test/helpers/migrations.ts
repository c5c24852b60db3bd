// Replaying a data-moving migration: the migrations before it, rows in the old shape, then it and those after.
import { env } from 'cloudflare:workers';

/** The migrations named before `name` (a number prefix such as '0036'). */
export const migrationsBefore = (name: string) => env.TEST_MIGRATIONS.filter((migration) => migration.name < name);
/** `name`'s migration and every later one. */
export const migrationsFrom = (name: string) => env.TEST_MIGRATIONS.filter((migration) => migration.name >= name);
