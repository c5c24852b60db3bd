// Keeps a design's Liquid intact through the block editor (/email-editor.js). Designs are
// Liquid templates rendered before they are HTML, so their source need not be valid HTML
// (`{% for %}` between table rows, quotes inside an attribute's quotes); a browser parsing
// it as HTML moves or mangles those parts. `protect` turns each Liquid tag into something
// HTML keeps in place, before anything parses it; `restore` turns the editor's output back
// into the exact Liquid source.
(() => {
  const LIQUID = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
  const MARKER = /\uE000(\d+)\uE001/g;
  // In text: a comment, a raw-text element, a tag, or a marked Liquid tag.
  const PARTS = /<!--[\s\S]*?-->|<(script|style|title|textarea)\b[^>]*>[\s\S]*?<\/\1\s*>|<\/?[a-zA-Z][^>]*>|\uE000(\d+)\uE001/gi;
  const PLACEHOLDER = /<!--lq:([A-Za-z0-9_-]+)-->/g;
  const ENTITY = /&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos|nbsp));/gi;
  const NAMED = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

  /** Liquid source as a token of [A-Za-z0-9_-] (base64url of its UTF-8). */
  function encode(source) {
    let binary = '';
    for (const byte of new TextEncoder().encode(source)) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function decode(token) {
    const binary = atob(token.replace(/-/g, '+').replace(/_/g, '/'));
    return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
  }

  function escapeHtml(text) {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  }

  function decodeEntities(text) {
    return text.replace(ENTITY, (entity, dec, hex, name) => {
      if (name) return NAMED[name.toLowerCase()];
      const code = dec ? Number(dec) : Number.parseInt(hex, 16);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    });
  }

  /** A merge tag as the editor shows it in text: an element the editor keeps whole. */
  function mergeTagHtml(source) {
    return `<span data-lq="${encode(source)}" class="liquid-tag">${escapeHtml(source)}</span>`;
  }

  /**
   * `html` ready for the editor: in text, an output tag ({{ }}) becomes a merge-tag element
   * and a block tag ({% %}) a comment that tables keep in place; in a tag, Liquid is
   * entity-escaped so that the attribute's value is the exact source once parsed.
   */
  function protect(html) {
    const sources = [];
    const marked = html.replace(LIQUID, (source) => `\uE000${sources.push(source) - 1}\uE001`);
    const unmark = (text, as) => text.replace(MARKER, (_, index) => as(sources[Number(index)]));
    return marked.replace(PARTS, (part, _rawText, index) => {
      if (index !== undefined) {
        const source = sources[Number(index)];
        return source.startsWith('{{') ? mergeTagHtml(source) : `<!--lq:${encode(source)}-->`;
      }
      if (part.startsWith('<!--') || /^<(script|style|title|textarea)\b/i.test(part)) return unmark(part, (source) => source);
      return unmark(part, escapeHtml);
    });
  }

  /**
   * The editor's HTML as the design's Liquid: placeholders become their source, and Liquid
   * typed into an attribute or text (which the editor escapes as HTML) is unescaped.
   */
  function restore(html) {
    return (
      html
        .replace(LIQUID, decodeEntities)
        // A block tag just inside a table, before its first row, ends up before the <tbody> that
        // parsing adds around the rows; it goes back inside, where the loop repeats rows only.
        .replace(/((?:<!--lq:[A-Za-z0-9_-]+-->)+)(<tbody\b[^>]*>)/g, '$2$1')
        .replace(PLACEHOLDER, (_, token) => decode(token))
    );
  }

  globalThis.emailLiquid = { protect, restore, encode, decode, mergeTagHtml, escapeHtml };
})();
