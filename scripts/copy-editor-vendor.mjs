// Copies the block email editor (GrapesJS and its newsletter preset, from node_modules)
// into public/vendor/, so that the dashboard serves them from its own origin under its
// CSP. The copies are not committed (.gitignore): `npm install` (postinstall), wrangler's
// [build], `npm start`, `npm test` and the browser tests all run this script first.
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = join(ROOT, 'public', 'vendor', 'grapesjs');

/** [from (under node_modules), to (under public/vendor/grapesjs)] */
const FILES = [
  ['grapesjs/dist/grapes.min.js', 'grapes.min.js'],
  ['grapesjs/dist/css/grapes.min.css', 'grapes.min.css'],
  ['grapesjs/LICENSE', 'LICENSE-grapesjs.txt'],
  ['grapesjs-preset-newsletter/dist/index.js', 'preset-newsletter.js'],
  ['grapesjs-preset-newsletter/LICENSE', 'LICENSE-grapesjs-preset-newsletter.txt'],
];

/** Copies the files whose copy is missing or differs; returns how many it copied. */
export function copyEditorVendor() {
  mkdirSync(TARGET, { recursive: true });
  let copied = 0;
  for (const [from, to] of FILES) {
    const source = join(ROOT, 'node_modules', from);
    const target = join(TARGET, to);
    if (isSame(source, target)) continue;
    copyFileSync(source, target);
    copied++;
  }
  return copied;
}

function isSame(source, target) {
  try {
    return statSync(source).size === statSync(target).size && readFileSync(source).equals(readFileSync(target));
  } catch {
    return false;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) copyEditorVendor();
