// The email design editor: a block editor (GrapesJS with its newsletter preset, served from
// /vendor/grapesjs/), the HTML view (the form's textarea, what is sent), and a live preview
// rendered by the server for a sample contact. Liquid goes through /email-liquid.js on the
// way in and out, so merge tags and loops survive every edit.
(() => {
  const form = document.getElementById('design-form');
  if (!form || !window.grapesjs) return;
  const { protect, restore, mergeTagHtml, escapeHtml, encode } = window.emailLiquid;
  const textarea = form.querySelector('textarea[name="html"]');
  const projectField = form.querySelector('input[name="project"]');
  const tabs = form.querySelector('.editor-tabs');
  const visualPane = form.querySelector('.block-editor');
  const status = document.getElementById('editor-status');
  let preview = document.querySelector('.email-preview');
  const previewSubject = document.getElementById('preview-subject');
  const previewError = document.getElementById('preview-error');
  const csrf = form.querySelector('input[name="_csrf"]').value;

  const FONT = "-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
  const TEXT = `font-family:${FONT};font-size:16px;line-height:24px;color:#374151;`;
  const row = (inner, cell = 'padding:8px 40px;') => `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td style="${cell}">${inner}</td></tr></table>`;
  const button = (href, label) =>
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr><td bgcolor="#4f46e5" style="border-radius:6px;background-color:#4f46e5;"><a href="${href}" style="display:inline-block;padding:14px 28px;font-family:${FONT};font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;">${label}</a></td></tr></table>`;
  const column = (inner) => `<td class="col" width="50%" valign="top" style="padding:0 8px;${TEXT}">${inner}</td>`;

  // Blocks, in Liquid (protected before the editor parses them). Tables and inline styles,
  // like the starters, so that Outlook lays them out too.
  const BLOCKS = [
    { id: 'text', label: 'Text', html: row(`<p style="margin:0;${TEXT}">Write something here.</p>`) },
    { id: 'heading', label: 'Heading', html: row(`<h2 style="margin:0;font-family:${FONT};font-size:24px;line-height:30px;color:#111827;">A heading</h2>`) },
    {
      id: 'image',
      label: 'Image',
      html: row('<img src="https://placehold.co/520x260/png" alt="Describe the picture" width="520" style="display:block;width:100%;max-width:520px;height:auto;border:0;">'),
    },
    { id: 'button', label: 'Button', html: row(button('{{ shop.url }}', 'Shop now'), 'padding:16px 40px;') },
    {
      id: 'columns',
      label: 'Two columns',
      html: row(
        `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>${column('<p style="margin:0;">Left column</p>')}${column('<p style="margin:0;">Right column</p>')}</tr></table>`,
      ),
    },
    {
      id: 'divider',
      label: 'Divider',
      html: row('<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td style="border-top:1px solid #e5e7eb;font-size:0;line-height:0;">&nbsp;</td></tr></table>'),
    },
    {
      id: 'spacer',
      label: 'Spacer',
      html: '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td height="32" style="height:32px;font-size:0;line-height:0;">&nbsp;</td></tr></table>',
    },
    { id: 'product', label: 'Product from the catalogue', html: null },
    {
      id: 'cart-items',
      label: 'Cart items (abandoned cart flow)',
      html: row(
        `{% if cart.items %}<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">{% for item in cart.items %}<tr><td width="72" style="padding:8px 0;">{% if item.image_url %}<img src="{{ item.image_url }}" alt="{{ item.title }}" width="64" style="display:block;width:64px;height:auto;border:0;border-radius:4px;">{% endif %}</td><td style="padding:8px 12px;${TEXT}">{{ item.title }}<br>Qty {{ item.quantity }}</td><td align="right" style="padding:8px 0;${TEXT}">{{ item.price }}</td></tr>{% endfor %}{% if cart.total %}<tr><td colspan="3" align="right" style="padding:12px 0;border-top:1px solid #e5e7eb;${TEXT}font-weight:bold;">Total {{ cart.total }}</td></tr>{% endif %}</table>{% endif %}`,
      ),
    },
    {
      id: 'price-drop',
      label: 'Price drop (price drop flow)',
      html: row(
        `{% if product %}{% if product.image_url %}<img src="{{ product.image_url }}" alt="{{ product.title }}" width="520" style="display:block;width:100%;max-width:520px;height:auto;border:0;border-radius:6px;">{% endif %}<p style="margin:12px 0 0 0;${TEXT}font-weight:bold;color:#111827;">{{ product.title }}</p><p style="margin:4px 0 0 0;${TEXT}">{% if product.old_price %}<s style="color:#6b7280;">{{ product.old_price }}</s> {% endif %}<strong style="color:#b91c1c;">{{ product.new_price }}</strong></p>{% endif %}`,
      ),
    },
    {
      id: 'social',
      label: 'Social links',
      html: row(
        `<p style="margin:0;${TEXT}text-align:center;"><a href="https://instagram.com/" style="color:#4f46e5;">Instagram</a> · <a href="https://facebook.com/" style="color:#4f46e5;">Facebook</a> · <a href="https://x.com/" style="color:#4f46e5;">X</a></p>`,
        'padding:16px 40px;',
      ),
    },
    {
      id: 'footer',
      label: 'Footer (unsubscribe and postal address)',
      html: row(
        `<p style="margin:0;font-family:${FONT};font-size:12px;line-height:18px;color:#6b7280;">You receive this email because you subscribed to {{ shop.name }}.<br><a href="{{ unsubscribe_url }}" style="color:#6b7280;text-decoration:underline;">Unsubscribe</a>{% if shop.postal_address %} · {{ shop.postal_address }}{% endif %}</p>`,
        'padding:24px 40px 32px 40px;border-top:1px solid #e5e7eb;',
      ),
    },
  ];

  /** A product of the catalogue as a block: picture, name, price and link, written out (no Liquid). */
  function productHtml(product) {
    const url = escapeHtml(product.url ?? '{{ shop.url }}');
    const image = product.imageUrl
      ? `<a href="${url}"><img src="${escapeHtml(product.imageUrl)}" alt="${escapeHtml(product.title)}" width="260" style="display:block;width:100%;max-width:260px;height:auto;border:0;border-radius:6px;"></a>`
      : '';
    return row(
      `${image}<p style="margin:12px 0 4px 0;${TEXT}font-weight:bold;color:#111827;">${escapeHtml(product.title)}</p><p style="margin:0 0 12px 0;${TEXT}">${escapeHtml(product.price)}</p>${button(url, 'View product')}`,
    );
  }

  // ------------------------------------------------------------------ the editor

  const editor = window.grapesjs.init({
    container: visualPane.querySelector('.block-editor-canvas'),
    height: '680px',
    width: 'auto',
    storageManager: false,
    telemetry: false, // it would post to GrapesJS's servers (and the CSP refuses it)
    // Icons come from our own origin only (the default loads a stylesheet from a CDN).
    cssIcons: '',
    plugins: [window['grapesjs-preset-newsletter']],
    pluginsOpts: { 'grapesjs-preset-newsletter': { blocks: [], showBlocksOnLoad: true, useCustomTheme: true } },
    // What a design brings that could run is dropped when it is parsed (and the canvas runs
    // under the dashboard's CSP, which no design's script can pass).
    parser: {
      optionsHtml: { allowScripts: false, allowUnsafeAttr: false, allowUnsafeAttrValue: false },
      // An element holding only these is one text block, merge tags and Liquid comments included.
      textTypes: ['text', 'textnode', 'comment', 'liquid-tag'],
      textTags: ['br', 'b', 'i', 'u', 'a', 'ul', 'ol', 'span', 'strong', 'em', 's', 'small', 'sup', 'sub'],
    },
    // The canvas's own styles come from a file, not protectedCss, which the export would inline into the email.
    protectedCss: '',
    canvas: { styles: ['/email-editor-canvas.css'] },
    deviceManager: {
      devices: [
        // The ids the preset's device buttons name.
        { id: 'Desktop', name: 'Desktop', width: '' },
        { id: 'Mobile portrait', name: 'Mobile', width: '375px', widthMedia: '480px' },
      ],
    },
    // The settings of a link and an image in the words of the rest of the dashboard.
    i18n: { messages: { en: { traitManager: { traits: { labels: { href: 'Link address', alt: 'Image text', title: 'Title' } } } } } },
    // Double-clicking an image opens GrapesJS's picker: the workspace's uploaded images, and
    // uploads to Marketing → Images (the same endpoint as the toolbar's Upload image).
    assetManager: { upload: '/app/marketing/images', uploadName: 'file', multiUpload: false, headers: { accept: 'application/json', 'x-csrf-token': csrf }, embedAsBase64: false },
  });

  // A merge tag in text: one piece, never typed into (textable lets it sit inside text).
  editor.DomComponents.addType('liquid-tag', {
    isComponent: (el) => (el.nodeType === 1 && el.hasAttribute('data-lq') ? { type: 'liquid-tag' } : false),
    model: {
      defaults: { tagName: 'span', name: 'Merge tag', editable: false, droppable: false, textable: true, stylable: false, traits: [] },
      toHTML() {
        return `<!--lq:${this.getAttributes()['data-lq']}-->`;
      },
    },
  });

  // A table cell holding only text (the starters' paragraphs) is edited as text; a cell with
  // a picture, a table or a lone link (a button) stays a cell whose parts are selected alone.
  const INLINE = new Set(['BR', 'B', 'I', 'U', 'A', 'SPAN', 'STRONG', 'EM', 'S', 'SMALL', 'SUP', 'SUB']);
  const isInline = (node) => node.nodeType === 3 || node.nodeType === 8 || (node.nodeType === 1 && INLINE.has(node.tagName) && [...node.children].every(isInline));
  const hasText = (node) => (node.nodeType === 3 && node.textContent.trim() !== '') || (node.nodeType === 1 && node.hasAttribute('data-lq'));
  editor.DomComponents.addType('text-cell', {
    extend: 'text',
    isComponent: (el) => (el.tagName === 'TD' && [...el.childNodes].some(hasText) && [...el.childNodes].every(isInline) ? { type: 'text-cell' } : false),
    model: { defaults: { tagName: 'td', name: 'Text', draggable: false } },
  });

  for (const block of BLOCKS) {
    editor.Blocks.add(block.id, { label: block.label, category: 'Blocks', content: protect(block.html ?? productHtml({ title: 'Product name', price: '0.00', url: null, imageUrl: null })) });
  }
  // The preset's import and export work on raw HTML, around the Liquid protection: the HTML view does both.
  // Undo, redo and the devices are the toolbar's, where they have names (and there is no tablet).
  for (const [panel, id] of [
    ['options', 'gjs-open-import-template'],
    ['options', 'export-template'],
    ['options', 'undo'],
    ['options', 'redo'],
    ['devices-c', 'set-device-desktop'],
    ['devices-c', 'set-device-mobile'],
    ['devices-c', 'set-device-tablet'],
  ]) {
    editor.Panels.removeButton(panel, id);
  }

  /** Drops what a stored project could hold that runs (it is ours, but may have been written through the API). */
  function sanitizeComponent(component) {
    if (!component || typeof component !== 'object') return null;
    if ([component.tagName, component.type].some((name) => /^(script|iframe|frame|object|embed|base|meta)$/i.test(name ?? ''))) return null;
    const attributes = component.attributes ?? {};
    for (const [name, value] of Object.entries(attributes)) {
      if (/^on/i.test(name) || /^(javascript|vbscript):/i.test(String(value).replace(/[\s\u0000-\u001f]/g, ''))) delete attributes[name];
    }
    // Markup given as a string is rendered as HTML; a saved project never has any (text is in textnodes).
    if (typeof component.content === 'string' && component.content.includes('<') && !['textnode', 'comment'].includes(component.type)) delete component.content;
    if (typeof component.components === 'string') component.components = [];
    if (Array.isArray(component.components)) component.components = component.components.map(sanitizeComponent).filter(Boolean);
    return component;
  }

  /** The document the editor holds, as the Liquid HTML that is saved and sent (its CSS inlined by the preset's juice). */
  async function exportHtml() {
    // Text being typed reaches the editor's model when editing ends, or now.
    await editor.getEditing()?.getView()?.syncContent();
    const doc = new DOMParser().parseFromString(editor.runCommand('gjs-get-inlined-html'), 'text/html');
    // What juice could not inline (media queries) stays in a style element, in the head.
    const styles = [...doc.querySelectorAll('style')];
    for (const style of styles) style.remove();
    const bodyStyle = styleText(editor.getWrapper().getStyle());
    return restore(
      `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="x-apple-disable-message-reformatting">\n${styles.map((style) => style.outerHTML).join('\n')}\n</head>\n<body style="${escapeHtml(bodyStyle || 'margin:0;padding:0;')}">\n${doc.body.innerHTML}\n</body>\n</html>\n`,
    );
  }

  function styleText(style) {
    return Object.entries(style)
      .map(([name, value]) => `${name}:${value};`)
      .join('');
  }

  let loading = false;
  let dirty = false; // the visual view holds edits the textarea does not have yet

  /**
   * Loads HTML (Liquid) into the editor: protected first (so that parsing keeps every Liquid
   * tag where it is), then stripped of scripts, handlers and all else that runs.
   */
  function importHtml(html) {
    loading = true;
    const doc = new DOMParser().parseFromString(window.untrustedHtml.strip(protect(html)), 'text/html');
    // The head's styles (media queries that stack columns on phones) go with the body.
    const styles = [...doc.querySelectorAll('style')];
    for (const style of styles) style.remove();
    editor.setComponents(styles.map((style) => style.outerHTML).join('') + doc.body.innerHTML);
    editor.getWrapper().setStyle(doc.body.getAttribute('style') ?? '');
    editor.UndoManager.clear();
    loading = false;
  }

  function loadProject(project) {
    loading = true;
    for (const page of project.pages ?? []) for (const frame of page.frames ?? []) frame.component = sanitizeComponent(frame.component);
    editor.loadProjectData(project);
    editor.UndoManager.clear();
    loading = false;
  }

  function markEdited() {
    if (loading) return;
    dirty = true;
    projectField.value = ''; // written on save, from the editor
    schedulePreview();
  }
  editor.on('update', markEdited);
  // Typing changes the model only when editing ends; the preview follows each keystroke.
  editor.on('canvas:frame:load', ({ window: frame }) => frame.document.addEventListener('input', markEdited));

  // GrapesJS's own panels, made to pass the accessibility checks every dashboard page
  // passes: a named canvas frame, a scrollable panel that the keyboard can reach, and no
  // id used twice (its style manager repeats template ids it never looks up).
  const editorRoot = visualPane.querySelector('.block-editor-canvas');
  function labelEditorParts() {
    for (const frame of editorRoot.querySelectorAll('iframe.gjs-frame:not([title])')) frame.setAttribute('title', 'Email: ↑ and ↓ choose a part, Enter types into a text, Escape stops');
    for (const panel of editorRoot.querySelectorAll('.gjs-pn-views-container:not([tabindex])')) {
      panel.setAttribute('tabindex', '0');
      panel.setAttribute('aria-label', 'Editor panels');
    }
    for (const node of editorRoot.querySelectorAll('#gjs-sm-input-holder, #gjs-sm-add')) node.removeAttribute('id');
    // Its settings and style fields show their name beside the field, not in a label.
    for (const field of editorRoot.querySelectorAll('input:not([aria-label]), select:not([aria-label])')) {
      const name = field.closest('.gjs-trt-trait, .gjs-sm-property')?.querySelector('.gjs-label, .gjs-sm-label')?.textContent.trim();
      if (name) field.setAttribute('aria-label', field.classList.contains('gjs-input-unit') ? `${name} unit` : name);
    }
  }
  labelEditorParts();
  new MutationObserver(labelEditorParts).observe(editorRoot, { childList: true, subtree: true });

  // ------------------------------------------------------------------ views

  let view = 'visual';
  let htmlEdited = false;

  async function syncTextarea() {
    if (!dirty) return;
    textarea.value = await exportHtml();
    projectField.value = JSON.stringify(editor.getProjectData());
    dirty = false;
  }

  async function showView(next) {
    if (next === 'html' && view === 'visual') await syncTextarea();
    if (next === 'visual' && view === 'html' && htmlEdited) {
      importHtml(textarea.value);
      htmlEdited = false;
    }
    view = next;
    for (const tab of tabs.querySelectorAll('[data-view]')) tab.setAttribute('aria-pressed', String(tab.dataset.view === view));
    visualPane.hidden = view !== 'visual';
    textarea.hidden = view !== 'html';
    textarea.previousElementSibling.hidden = view !== 'html'; // the HTML label
    if (view === 'visual') editor.refresh();
  }

  textarea.addEventListener('input', () => {
    htmlEdited = true;
    projectField.value = ''; // the HTML is the design now; the visual view imports it
    schedulePreview();
  });

  // Saving waits for the visual view's HTML (its export is asynchronous).
  let exported = false;
  form.addEventListener('submit', async (event) => {
    if (view !== 'visual' || exported) return;
    event.preventDefault();
    await syncTextarea();
    exported = true;
    // In a task of its own: a form ignores a submission asked for while its submit event is still being dispatched.
    setTimeout(() => form.requestSubmit(event.submitter));
  });

  // ------------------------------------------------------------------ toolbar

  const mergeTag = document.getElementById('merge-tag');
  const mergeTarget = document.getElementById('merge-target');
  const addBlock = document.getElementById('add-block');
  const productChoice = document.getElementById('product-choice');
  const addProduct = document.getElementById('add-product');
  const imageFile = document.getElementById('upload-image');

  for (const block of BLOCKS) addBlock.append(new Option(block.label, block.id));

  const actions = {
    undo: () => undoOrRedo('undo'),
    redo: () => undoOrRedo('redo'),
    desktop: () => editor.setDevice('Desktop'),
    mobile: () => editor.setDevice('Mobile portrait'),
    'insert-merge-tag': insertMergeTag,
    'add-block': insertBlock,
    'upload-image': () => imageFile.click(),
  };
  // Said, so that the status line does not go on describing what was just undone.
  function undoOrRedo(which) {
    const undo = editor.UndoManager;
    if (!(which === 'undo' ? undo.hasUndo() : undo.hasRedo())) {
      say(`Nothing to ${which}.`);
      return;
    }
    undo[which]();
    say(which === 'undo' ? 'Undid the last change.' : 'Redid the change.');
  }

  let insertedOnPress = false;
  for (const control of visualPane.querySelectorAll('[data-action]')) {
    control.addEventListener('click', () => {
      if (insertedOnPress) insertedOnPress = false;
      else actions[control.dataset.action]();
    });
  }
  // A press outside the canvas ends the typing whose cursor a merge tag goes to: with a
  // mouse, the tag is inserted on the press, while the cursor is still there.
  document.querySelector('[data-action="insert-merge-tag"]').addEventListener('mousedown', (event) => {
    if (mergeTarget.value !== 'text' || !editor.getEditing()) return;
    event.preventDefault();
    insertMergeTag();
    insertedOnPress = true;
  });
  for (const control of visualPane.querySelectorAll('[data-device]')) {
    control.addEventListener('click', () => {
      for (const other of visualPane.querySelectorAll('[data-device]')) other.setAttribute('aria-pressed', String(other === control));
    });
  }

  function say(message) {
    status.textContent = message;
  }

  // An image's address is its model's `src` property, which the export writes; set as an
  // attribute only, the canvas would show it and the saved design would keep the old one.
  function setAttribute(component, name, value) {
    if (name === 'src' && component.is('image')) component.set('src', value);
    else component.addAttributes({ [name]: value });
  }

  function insertMergeTag() {
    const source = mergeTag.value;
    const selected = editor.getSelected();
    if (mergeTarget.value === 'text') {
      const rte = editor.RichTextEditor.globalRte;
      if (editor.getEditing() && rte) {
        rte.insertHTML(mergeTagHtml(source));
        say(`Inserted ${source} at the cursor.`);
      } else if (selected?.isInstanceOf('text')) {
        // Not typing (the keyboard's way here leaves the text): at the end of the selected text.
        selected.append(protect(source));
        say(`Inserted ${source} at the end of the selected text.`);
      } else {
        say('Click into a text first, where the merge tag should go.');
      }
      return;
    }
    const [attribute, tag] = { href: ['href', 'a'], src: ['src', 'img'], alt: ['alt', 'img'] }[mergeTarget.value];
    const target = selected && (selected.get('tagName') === tag ? selected : selected.closest(tag) || selected.find(tag)[0]);
    if (!target) {
      say(tag === 'a' ? 'Select a link or a button first.' : 'Select an image first.');
      return;
    }
    setAttribute(target, attribute, source);
    say(`Set the ${attribute === 'href' ? 'link' : attribute === 'src' ? 'image address' : 'image text'} to ${source}.`);
  }

  /**
   * The block a part sits in: its row of the email's one-column layout (the starters' rows,
   * what Add block adds), or else the part's ancestor that sits in a cell or the body.
   */
  function blockOf(part) {
    let row = part;
    while (row && !(row.get('tagName') === 'tr' && row.components().length === 1)) row = row.parent();
    if (row) return { block: row, asRow: true };
    let at = part;
    while (at.parent() && !['td', 'th', 'body'].includes(at.parent().get('tagName')) && at.parent() !== editor.getWrapper()) at = at.parent();
    return { block: at, asRow: false };
  }

  // GrapesJS keeps a part's own style in a rule named by its id, and its clone() gives the
  // copy the original's rule when the original's id was set explicitly (a reopened design,
  // a text typed into and moved), leaving the original unstyled (GrapesJS issue 3289). A
  // copy is built from the part's JSON without ids instead, each part given its original's
  // style.
  function withoutIds(json) {
    if (json.attributes) delete json.attributes.id;
    if (Array.isArray(json.components)) json.components = json.components.map(withoutIds);
    return json;
  }

  function copyStyles(from, to) {
    const style = editor.Css.getRule(`#${from.getId()}`)?.getStyle();
    if (style && Object.keys(style).length) editor.Css.setRule(`#${to.getId()}`, style);
    for (const [index, child] of from.components().models.entries()) copyStyles(child, to.components().at(index));
  }

  /** Adds a copy of `part` to `parent` at `at`, and returns the copy. */
  function copyInto(part, parent, at) {
    const [copy] = [parent.components().add(withoutIds(JSON.parse(JSON.stringify(part))), { at })].flat();
    copyStyles(part, copy);
    return copy;
  }

  const duplicate = (part) => copyInto(part, part.parent(), part.index() + 1);

  // Ctrl+V, and the copy button on the selected part's badge (a copy, then a paste): what was
  // copied goes after the selected part, as GrapesJS's own paste puts it, through copyInto.
  editor.Commands.add('core:paste', {
    run: (ed) => {
      const selected = ed.getSelected();
      const parent = selected?.parent();
      if (!parent) return;
      let at = selected.index() + 1;
      const copies = (ed.getModel().get('clipboard') ?? [])
        .filter((part) => part.get('copyable') && (part === selected || ed.Components.canMove(parent, part).result))
        .map((part) => copyInto(part, parent, at++));
      if (copies.length) ed.select(copies);
    },
  });

  /** Where a new block goes: after the selected part's block, or else at the end. */
  function insertionPoint() {
    const selected = editor.getSelected();
    const { block, asRow } = selected ? blockOf(selected) : {};
    return block?.parent() ? { parent: block.parent(), index: block.index() + 1, asRow } : { parent: editor.getWrapper(), index: undefined, asRow: false };
  }

  let products = null;
  async function loadProducts() {
    if (products) return products;
    const res = await fetch('/app/marketing/designs/products', { headers: { accept: 'application/json' } });
    products = res.ok ? (await res.json()).products : [];
    addProduct.replaceChildren(...products.map((product, index) => new Option(`${product.title} – ${product.price}`, String(index))));
    if (!products.length) addProduct.append(new Option('No products yet: connect a store', ''));
    return products;
  }

  addBlock.addEventListener('change', () => {
    productChoice.hidden = addBlock.value !== 'product';
    if (addBlock.value === 'product') loadProducts();
  });

  async function insertBlock() {
    let html = BLOCKS.find((block) => block.id === addBlock.value)?.html;
    if (addBlock.value === 'product') {
      const product = (await loadProducts())[Number(addProduct.value)];
      if (!product) {
        say('Choose a product of your catalogue first.');
        return;
      }
      html = productHtml(product);
    }
    addAfterSelected(html);
    say(`Added ${addBlock.selectedOptions[0].text.toLowerCase()}.`);
  }

  function addAfterSelected(html) {
    const { parent, index, asRow } = insertionPoint();
    // A table row cannot be parsed from HTML on its own, so a new row is given as components.
    const block = asRow ? { type: 'row', tagName: 'tr', components: [{ type: 'cell', tagName: 'td', components: protect(html) }] } : protect(html);
    const added = parent.components().add(block, index === undefined ? {} : { at: index });
    editor.select([added].flat()[0]); // one component, or a list when the block has several at its top
  }

  // Upload image: the file goes to Marketing → Images, then into the selected image (or a
  // picture inside the selected part), or else into a new image block after the selection.
  imageFile.addEventListener('change', async () => {
    const file = imageFile.files[0];
    if (!file) return;
    say(`Uploading ${file.name}…`);
    const body = new FormData();
    body.set('file', file);
    try {
      const res = await fetch('/app/marketing/images', { method: 'POST', headers: { accept: 'application/json', 'x-csrf-token': csrf }, body });
      const result = await res.json();
      if (!res.ok) {
        say(`${file.name} was not uploaded: ${result.error.message}`);
        return;
      }
      const [asset] = result.data;
      editor.AssetManager.add(asset);
      const selected = editor.getSelected();
      const image = selected && (selected.get('tagName') === 'img' ? selected : selected.find('img')[0]);
      if (image) {
        setAttribute(image, 'src', asset.src);
        say(`Uploaded ${asset.name} and put it in the selected image.`);
        return;
      }
      const width = Math.min(asset.width || 520, 520);
      addAfterSelected(row(`<img src="${escapeHtml(asset.src)}" alt="" width="${width}" style="display:block;width:100%;max-width:${width}px;height:auto;border:0;">`));
      say(`Uploaded ${asset.name} and added it as an image. Describe the picture with the image's text for people who cannot see it.`);
    } catch {
      say(`${file.name} was not uploaded: the connection failed. Try again.`);
    } finally {
      imageFile.value = '';
    }
  });

  // The picker lists what the workspace has uploaded before.
  fetch('/app/marketing/images/assets', { headers: { accept: 'application/json' } })
    .then((res) => (res.ok ? res.json() : { data: [] }))
    .then(({ data }) => editor.AssetManager.add(data))
    .catch(() => {});

  // ------------------------------------------------------------------ preview

  let timer;
  // Previews are asked for in order but may be answered out of order (a slow render of an
  // earlier edit); only the answer to the latest request may be shown.
  let latestRequest = 0;
  let lastAsked = '';
  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 500);
  }

  async function refreshPreview() {
    const html = view === 'visual' && dirty ? await exportHtml() : textarea.value;
    const body = { subject: form.subject.value, preheader: form.preheader.value || null, html };
    // The editor reports updates that change nothing (ending a text edit, say): no new render for those.
    const asked = JSON.stringify(body);
    if (asked === lastAsked) return;
    lastAsked = asked;
    const request = ++latestRequest;
    try {
      const res = await fetch('/app/marketing/designs/preview', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify(body),
      });
      const result = await res.json();
      if (request !== latestRequest) return;
      if (!res.ok) {
        previewError.textContent = result.error.message;
        return;
      }
      previewError.textContent = '';
      previewSubject.textContent = `Subject: ${result.subject}`;
      preview = window.untrustedHtml.show(preview, result.html);
    } catch {
      if (request !== latestRequest) return;
      previewError.textContent = 'The preview could not be refreshed.';
    }
  }

  for (const button of document.querySelectorAll('[data-preview-width]')) {
    button.addEventListener('click', () => (preview.style.width = `${button.dataset.previewWidth}px`));
  }
  for (const field of [form.subject, form.preheader]) field.addEventListener('input', schedulePreview);
  for (const tab of tabs.querySelectorAll('[data-view]')) tab.addEventListener('click', () => showView(tab.dataset.view));

  editor.onReady(() => {
    const project = projectField.value ? JSON.parse(projectField.value) : null;
    if (project) loadProject(project);
    else importHtml(textarea.value);
    tabs.hidden = false;
    showView(visualPane.dataset.openView === 'html' ? 'html' : 'visual');
    form.dataset.editorReady = 'true';
  });
  // The keyboard's way through the editor (/email-editor-keyboard.js) adds its toolbar actions to `actions`.
  window.emailEditor = { editor, exportHtml, encode, say, blockOf, duplicate, actions };
})();
