// Rendering email content with Liquid (liquidjs): merge tags with defaults, each part
// rendered with its own escaping, template errors reported before anything is sent.
import { compile } from 'html-to-text';
import { Liquid, Tag, type TagToken, type Template, type TopLevelToken } from 'liquidjs';
import { AppError, invalidField } from '../lib/errors';
import { escapeHtml } from '../lib/html';
import type { WorkspaceView } from '../workspaces/workspaces.service';

/**
 * Bounds on one template, so a design cannot stall the isolate other workspaces share:
 * characters parsed (the largest design the API takes, with room), milliseconds per
 * render, and units of work per render (liquidjs counts items allocated and characters
 * built by filters, e.g. a range's length or an `append`; we add one per block rendered,
 * see below). A starter design uses about 60 units; 200,000 of them take about 0.3 s of
 * CPU in workerd at worst (measured: a million took 1.3 to 1.7 s).
 */
export const TEMPLATE_LIMITS = { parseLimit: 256 * 1024, renderLimit: 250, memoryLimit: 200_000 } as const;

// Tags that read other templates: designs are one self-contained document, there is no
// file system behind them, and a file read is no business of a merchant's template.
const FILE_TAGS = ['include', 'render', 'layout'] as const;

function refuseFileTag(name: string) {
  return class extends Tag {
    constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
      super(token, remainTokens, liquid);
      throw new Error(`{% ${name} %} is not available in email designs: paste the content into the design itself`);
    }
    *render() {}
  };
}

/**
 * An engine with the limits and without the file tags. renderLimit is checked against the
 * clock, and on Workers the clock stands still while a request computes (it moves on I/O
 * only), so a loop over a stored range (`{% for a in r %}{% for b in r %}…`) could outlast
 * it: each block rendered also counts against memoryLimit, which bounds the work itself.
 */
function boundedEngine(options: ConstructorParameters<typeof Liquid>[0]): Liquid {
  const engine = new Liquid({ ...options, ...TEMPLATE_LIMITS });
  for (const name of FILE_TAGS) engine.registerTag(name, refuseFileTag(name));
  const { renderer } = engine;
  const renderTemplates = renderer.renderTemplates.bind(renderer);
  renderer.renderTemplates = function* (templates, ctx, emitter) {
    ctx.memoryLimit.use(templates.length + 1);
    return yield* renderTemplates(templates, ctx, emitter);
  };
  return engine;
}

// The HTML body escapes every value on output, so a contact's name can never inject
// markup (`| raw` opts out). Subject and preheader are text: nothing to escape, and
// escaping them would show recipients entities such as `&#34;`.
const htmlEngine = boundedEngine({ outputEscape: 'escape', strictFilters: true });
const textEngine = boundedEngine({ strictFilters: true });

// Parsed templates by source, so a campaign's design is parsed once per isolate, not once
// per recipient. One cache per engine: the output escaping is fixed when a template is parsed.
const MAX_PARSED_TEMPLATES = 100;

function templateCache(engine: Liquid): (source: string) => Template[] {
  const parsed = new Map<string, Template[]>();
  return (source) => {
    let templates = parsed.get(source);
    if (!templates) {
      templates = engine.parse(source);
      if (parsed.size >= MAX_PARSED_TEMPLATES) parsed.delete(parsed.keys().next().value!);
      parsed.set(source, templates);
    }
    return templates;
  };
}

const parseHtml = templateCache(htmlEngine);
const parseText = templateCache(textEngine);

/** What `{{ shop.* }}` reads: the workspace as its recipients know it. */
export type ShopContext = { name: string; postal_address: string | null; url: string | null };

/** The `shop` merge context of a workspace; every rendering (previews, test sends, the send job) builds it here. */
export function buildShopContext(workspace: Pick<WorkspaceView, 'name' | 'postalAddress' | 'storeUrl'>): ShopContext {
  return { name: workspace.name, postal_address: workspace.postalAddress, url: workspace.storeUrl };
}

/** What merge tags can read. */
export type EmailContext = {
  contact: { first_name: string | null; last_name: string | null; email: string | null };
  shop: ShopContext;
  unsubscribe_url: string;
  [key: string]: unknown;
};

/** The parts of an email that are templates. */
export type EmailTemplate = { subject: string; preheader: string | null; html: string };

/** The error of a template field that cannot be rendered: `invalid_input` naming the field, over a limit or not. */
function templateError(field: string, err: unknown): AppError {
  if (err instanceof AppError) return err;
  const message = (err as Error).message;
  if (/limit exceeded/.test(message)) return invalidField(field, `The ${field} template does too much work (${message}): keep loops to a few thousand items and the email under 200 KB.`);
  return invalidField(field, message, `The ${field} template has an error: ${message}`);
}

// What a trial render at save reads: a contact and a shop like real ones.
const SAMPLE_CONTEXT: EmailContext = {
  contact: { first_name: 'Alex', last_name: 'Sample', email: 'alex@example.com' },
  shop: { name: 'Your store', postal_address: '1 Main Street', url: 'https://shop.example.com' },
  unsubscribe_url: 'https://example.com/u/sample',
};

/**
 * Checks that a design parses and renders within the limits; throws `invalid_input`
 * naming the field (and the line for a syntax error). The trial render is what refuses
 * a runaway loop at save; a loop over a contact's own data is bounded again at send.
 */
export function validateEmailTemplate(template: EmailTemplate): void {
  renderEmail(template, SAMPLE_CONTEXT);
}

/** Renders a plain-text template (an SMS body) as text, within the limits; a failure is `invalid_input` naming `field`. */
export function renderTextTemplate(field: string, source: string, context: Record<string, unknown>): string {
  return renderField(field, source, context, textEngine, parseText);
}

/** validateEmailTemplate for a plain-text template: a trial render for the sample contact. */
export function validateTextTemplate(field: string, source: string): void {
  renderTextTemplate(field, source, SAMPLE_CONTEXT);
}

// Compiled once: `convert` would rebuild the selectors for every message (about 5x slower).
const convertToText = compile({
  // Lines are left whole: mail clients reflow text, the transport encodes long lines, and
  // a wrap could part a link's label from its address.
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { linkBrackets: ['(', ')'], hideLinkHrefIfSameAsText: true } },
    // Images say nothing in text; their alt text mostly repeats the words beside them.
    { selector: 'img', format: 'skip' },
    // Email layouts are tables: each cell is a block of its own, not words run together.
    { selector: 'td', format: 'block' },
    ...(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] as const).map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'ul', options: { itemPrefix: '- ' } },
  ],
});

/** The plain-text part, made from the rendered HTML: links as "label (address)", blocks as lines, entities decoded. */
export function htmlToText(html: string): string {
  return convertToText(html);
}

// Converting to text was a fifth of a campaign's sending CPU, and a campaign's bodies
// differ mostly by the recipient's own unsubscribe URL (and a first name shared by many).
// So the text is kept per body with that URL masked, and the URL put back: a URL has no
// spaces, markup or entities, no line is wrapped and nothing is upper-cased, so the
// conversion copies the mask exactly as it copies the URL (test/email/render-email.test.ts
// holds it to that). A body that already contains the mask is converted directly.
const UNSUBSCRIBE_MASK = 'https://unsubscribe.invalid/u/mask-2f9c41d7';
const URL_SAFE = /^https?:\/\/[A-Za-z0-9:/?#[\]@!$()*+,;=._~%-]+$/;
// Characters of bodies and texts kept, so a large design holds few entries: at most about 4 MB per isolate.
const TEXT_CACHE_CHARACTERS = 2_000_000;
const texts = new Map<string, string>();
let textCacheCharacters = 0;

function cacheText(key: string, text: string): void {
  const size = key.length + text.length;
  if (size > TEXT_CACHE_CHARACTERS / 8) return;
  for (const [oldest, oldText] of texts) {
    if (textCacheCharacters + size <= TEXT_CACHE_CHARACTERS) break;
    texts.delete(oldest);
    textCacheCharacters -= oldest.length + oldText.length;
  }
  texts.set(key, text);
  textCacheCharacters += size;
}

/** htmlToText(body), from the cache when another recipient's body differed only by their unsubscribe URL. */
export function bodyText(body: string, unsubscribeUrl: string): string {
  if (!URL_SAFE.test(unsubscribeUrl) || body.includes(UNSUBSCRIBE_MASK)) return htmlToText(body);
  const key = body.replaceAll(unsubscribeUrl, UNSUBSCRIBE_MASK);
  let masked = texts.get(key);
  if (masked === undefined) {
    masked = htmlToText(key);
    cacheText(key, masked);
  } else {
    // Most recently used last: the oldest entries go first.
    texts.delete(key);
    texts.set(key, masked);
  }
  // A function replacement: a `$$` in the URL (URL_SAFE lets `$` through) is text, not a replacement pattern.
  return masked.replaceAll(UNSUBSCRIBE_MASK, () => unsubscribeUrl);
}

// A subject is a header: line breaks and other control characters become spaces.
const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g;

/** Renders one field, within the limits; a failure is `invalid_input` naming the field. */
function renderField(field: string, source: string, context: Record<string, unknown>, engine: Liquid, parse: (source: string) => Template[]): string {
  try {
    return engine.renderSync(parse(source), context);
  } catch (err) {
    throw templateError(field, err);
  }
}

/**
 * Renders subject, HTML (with a hidden preheader) and the text part. A design that cannot
 * be rendered, or goes over the limits, throws `invalid_input` naming its field: the
 * preview shows it, and the send job fails that one delivery with it.
 */
export function renderEmail(template: EmailTemplate, context: EmailContext): { subject: string; html: string; text: string } {
  // Synchronous rendering: about three times faster than liquidjs's async path, and
  // designs use no tags that need to wait (no includes, no async filters).
  const body = renderField('html', template.html, context, htmlEngine, parseHtml);
  const preheader = template.preheader ? renderField('preheader', template.preheader, context, textEngine, parseText) : '';
  // The preheader is the inbox preview line: first in the body, invisible when opened.
  // Rendered as text, it is escaped here, once, for the HTML it goes into.
  const hidden = preheader ? `<div style="display:none;max-height:0;overflow:hidden;opacity:0">${escapeHtml(preheader)}</div>` : '';
  // A function replacement: a `$&` in the preheader is text, not a replacement pattern.
  const html = /<body[^>]*>/i.test(body) ? body.replace(/<body[^>]*>/i, (tag) => `${tag}${hidden}`) : `${hidden}${body}`;
  const subject = renderField('subject', template.subject, context, textEngine, parseText).replace(CONTROL_CHARACTERS, ' ').replace(/ {2,}/g, ' ').trim();
  return { subject, html, text: bodyText(body, context.unsubscribe_url) };
}
