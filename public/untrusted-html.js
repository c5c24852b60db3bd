// Puts HTML the dashboard did not write (email designs) into the frames that
// UntrustedHtmlFrame renders (src/dashboard/untrusted-html-frame.tsx), and nowhere else.
// Two locks, each enough alone: the frame's sandbox has no allow-scripts, and the srcdoc
// document inherits the dashboard's CSP, whose script nonce a design cannot know. `strip`
// gives the block editor (/email-editor.js) a copy without scripts, event handlers and
// javascript: URLs.
window.untrustedHtml = (() => {
  // What each kind of frame may allow; anything more (allow-scripts above all) is refused.
  const ALLOWED_SANDBOX = { view: [] };

  function checkFrame(frame, mode) {
    const allowed = ALLOWED_SANDBOX[mode];
    const tokens = frame.hasAttribute('sandbox') ? [...frame.sandbox] : null;
    if (frame.dataset.untrustedHtml !== mode || !tokens || tokens.some((token) => !allowed.includes(token))) {
      throw new Error(`untrustedHtml: refusing a frame that is not a sandboxed "${mode}" frame`);
    }
  }

  const ACTIVE_ELEMENTS = 'script, iframe, frame, frameset, object, embed, applet, portal, base, meta[http-equiv], link[rel~="import" i]';
  const SCRIPT_URL = /^(javascript|vbscript):/i;

  /** The document as HTML without what could run or navigate: parsed inertly, nothing loads. */
  function stripActiveContent(html) {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    for (const element of doc.querySelectorAll(ACTIVE_ELEMENTS)) element.remove();
    for (const element of doc.querySelectorAll('*')) {
      // SVG <set>/<animate> can turn a link's href into a javascript: URL.
      if (/^(set|animate)$/i.test(element.localName) && /href$/i.test(element.getAttribute('attributeName') ?? '')) element.remove();
      for (const { name, value } of [...element.attributes]) {
        // Browsers skip whitespace and control characters inside a URL's scheme.
        const isScriptUrl = SCRIPT_URL.test([...value].filter((char) => char > ' ').join(''));
        if (/^on/i.test(name) || isScriptUrl) element.removeAttribute(name);
      }
    }
    return `<!doctype html>\n${doc.documentElement.outerHTML}`;
  }

  // Each rendering gets a new frame element rather than a new document in the old one: a
  // frame navigated in place adds an entry to the tab's history (Back would step through
  // old previews), and Chromium moves a sandboxed frame to another process when it is
  // navigated, which browser automation loses track of.
  function replaceFrame(frame, fill) {
    const fresh = frame.cloneNode(false);
    fresh.removeAttribute('src');
    fill(fresh);
    frame.replaceWith(fresh);
    return fresh;
  }

  return {
    /** Shows `html` read-only in an opaque-origin frame that replaces `frame`; returns the new frame. */
    show(frame, html) {
      checkFrame(frame, 'view');
      return replaceFrame(frame, (fresh) => {
        fresh.srcdoc = html;
      });
    },

    /** `html` without what could run or navigate (the block editor loads only this). */
    strip: stripActiveContent,
  };
})();
