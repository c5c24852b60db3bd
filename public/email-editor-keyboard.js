// The block editor from the keyboard alone. GrapesJS is pointer-first: its parts never take
// focus, a text is typed into after a double-click, and its panel buttons are spans. Here
// the toolbar's "Selected part" buttons, and the arrow keys in the canvas, go from part to
// part (texts, images and buttons, in reading order), Enter types into a text and Escape
// stops, and the selected part's block moves, is duplicated or deleted; the panels'
// buttons (styles, settings such as a link's address or an image's text, layers, blocks)
// are buttons the keyboard reaches.
(() => {
  const api = window.emailEditor;
  if (!api) return;
  const { editor, say, blockOf, duplicate, actions } = api;
  const root = document.querySelector('.block-editor-canvas');
  const editButton = document.querySelector('[data-action="edit-text"]');

  /** The parts a merchant edits, in reading order: texts (a link or merge tag inside one is part of it), images, buttons. */
  function parts() {
    const found = [];
    const walk = (component) => {
      for (const child of component.components()) {
        if (child.get('selectable') && (child.isInstanceOf('text') || child.is('image'))) found.push(child);
        else walk(child);
      }
    };
    walk(editor.getWrapper());
    return found.filter((part) => part.getEl());
  }

  const clip = (text, length) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

  function describe(part) {
    if (part.is('image')) return `image “${clip(part.getAttributes().alt || 'with no image text', 60)}”`;
    // biome-ignore lint/performance/useDomNodeTextContent: innerText keeps the break between a heading and its paragraph, which textContent runs together.
    const words = clip(part.getEl().innerText.replace(/\s+/g, ' ').trim(), 60);
    const kind = part.is('link') ? (part.closest('table') && !part.parent().isInstanceOf('text') ? 'button' : 'link') : 'text';
    return `${kind} “${words || 'empty'}”`;
  }

  /** Selects `part`, in view, and says so after `done` (what was just done, if anything). */
  function choose(part, list = parts(), done = '') {
    editor.select(part);
    editor.Canvas.scrollTo(part, { block: 'nearest' });
    say(`${done}Selected ${describe(part)}: part ${list.indexOf(part) + 1} of ${list.length}.`);
  }

  /** The part `by` steps from the selection: from the part holding it, or from the gap it sits in (a row, a cell). */
  function stepFrom(list, by) {
    const el = editor.getSelected()?.getEl();
    if (!el) return by > 0 ? 0 : list.length - 1;
    const at = list.findIndex((part) => part.getEl() === el || part.getEl().contains(el));
    if (at >= 0) return at + by;
    const after = list.findIndex((part) => el.compareDocumentPosition(part.getEl()) & (Node.DOCUMENT_POSITION_FOLLOWING | Node.DOCUMENT_POSITION_CONTAINED_BY));
    if (after < 0) return by > 0 ? list.length : list.length - 1;
    return by > 0 ? after : after - 1;
  }

  function step(by) {
    const list = parts();
    if (!list.length) {
      say('The email is empty: add a block first.');
      return;
    }
    const next = stepFrom(list, by);
    if (next < 0 || next >= list.length) {
      say(by > 0 ? 'That is the last part of the email.' : 'That is the first part of the email.');
      return;
    }
    choose(list[next], list);
  }

  // ------------------------------------------------------------------ typing

  let returnFocusTo = null; // where Escape puts focus back: the button that started typing

  async function editText(from) {
    const part = editor.getSelected();
    if (!part?.isInstanceOf('text')) {
      say(part ? `A ${describe(part).split(' ')[0]} has no text to type: choose a text with Next part.` : 'Choose a text first, with Next part.');
      return;
    }
    // What a double-click does; the text can take the cursor once its editor is on.
    const enabled = new Promise((resolve) => editor.once('rte:enable', resolve));
    part.trigger('active');
    await Promise.race([enabled, new Promise((resolve) => setTimeout(resolve, 1000))]);
    if (!editor.getEditing()) {
      say(`${describe(part)} cannot be typed into here: change it in the HTML view.`);
      return;
    }
    const el = part.getEl();
    el.ownerDocument.defaultView.focus();
    el.focus();
    // The cursor at the end of the text, where a click at its end would put it.
    const selection = el.ownerDocument.getSelection();
    selection.selectAllChildren(el);
    selection.collapseToEnd();
    returnFocusTo = from;
    say(`Typing into ${describe(part)}. Escape stops typing.`);
  }

  async function stopTyping() {
    const editing = editor.getEditing();
    if (!editing) return;
    await editing.getView().disableEditing();
    say(`Stopped typing. Selected ${describe(editing)}.`);
    if (returnFocusTo) returnFocusTo.focus();
    else editor.Canvas.getWindow().focus();
    returnFocusTo = null;
  }

  // ------------------------------------------------------------------ blocks

  /** A sibling the selected block can trade places with: rows with rows; Liquid tags and text between them stay put. */
  const isBlock = (component, like) => (like.get('tagName') === 'tr' ? component.get('tagName') === 'tr' : !['textnode', 'comment'].includes(component.get('type')));

  function selectedBlock() {
    const block = editor.getSelected() && blockOf(editor.getSelected()).block;
    if (!block?.parent()) say('Choose a part first, with Next part.');
    return block?.parent() ? block : null;
  }

  function moveBlock(by) {
    const block = selectedBlock();
    if (!block) return;
    const parent = block.parent();
    const siblings = parent.components();
    // The next block over: Liquid tags between rows ({% if %}, {% for %}) are not blocks and stay where they are.
    let at = block.index() + by;
    while (at >= 0 && at < siblings.length && !isBlock(siblings.at(at), block)) at += by;
    if (at < 0 || at >= siblings.length) {
      say(by > 0 ? 'The block is already the last one.' : 'The block is already the first one.');
      return;
    }
    const selected = editor.getSelected();
    block.move(parent, { at: by > 0 ? at + 1 : at });
    editor.select(selected);
    editor.Canvas.scrollTo(selected, { block: 'nearest' });
    say(`Moved the block ${by > 0 ? 'down' : 'up'}.`);
  }

  function duplicateBlock() {
    const block = selectedBlock();
    if (!block) return;
    const copy = duplicate(block);
    const list = parts();
    const first = list.find((part) => part === copy || copy.getEl().contains(part.getEl()));
    if (first) choose(first, list, 'Duplicated the block. ');
    else {
      editor.select(copy);
      say('Duplicated the block; the copy, below it, is selected.');
    }
  }

  function deleteBlock() {
    const block = selectedBlock();
    if (!block) return;
    const inside = (part) => part.getEl() === block.getEl() || block.getEl().contains(part.getEl());
    const list = parts();
    const after = list.find((part, index) => !inside(part) && index > 0 && inside(list[index - 1]));
    const before = list.findLast((part, index) => !inside(part) && index < list.length - 1 && inside(list[index + 1]));
    block.remove();
    const rest = parts();
    const next = after ?? before;
    const done = 'Deleted the block (Undo brings it back). ';
    if (next) choose(next, rest, done);
    else {
      editor.select(null);
      say(done);
    }
  }

  Object.assign(actions, {
    'select-previous': () => step(-1),
    'select-next': () => step(1),
    'edit-text': () => editText(editButton),
    'move-up': () => moveBlock(-1),
    'move-down': () => moveBlock(1),
    duplicate: duplicateBlock,
    delete: deleteBlock,
  });

  // ------------------------------------------------------------------ keys in the canvas

  function onCanvasKey(event) {
    if (editor.getEditing()) {
      if (event.key === 'Escape') {
        event.preventDefault();
        stopTyping();
      }
      return;
    }
    const key = `${event.altKey ? 'Alt+' : ''}${event.key}`;
    const run = { ArrowDown: () => step(1), ArrowUp: () => step(-1), 'Alt+ArrowDown': () => moveBlock(1), 'Alt+ArrowUp': () => moveBlock(-1), Enter: () => editText(null) }[key];
    if (!run) return;
    // Not a scroll of the canvas, nor a line break from the text editor Enter has just turned on.
    event.preventDefault();
    event.stopPropagation();
    run();
  }

  const canvases = new WeakSet();
  function listenInCanvas(frame) {
    // Keyed by document: a frame that loads again has a new one, without these listeners.
    if (!frame || canvases.has(frame.document)) return;
    canvases.add(frame.document);
    frame.document.addEventListener('keydown', onCanvasKey, true);
  }
  editor.on('canvas:frame:load', ({ window: frame }) => listenInCanvas(frame));
  editor.onReady(() => listenInCanvas(editor.Canvas.getWindow()));

  // ------------------------------------------------------------------ GrapesJS's panels

  // Its buttons are spans showing an icon: each gets a role, a name, a place in the tab
  // order and the keys a button answers to; those that stay on (a view, a device) say so.
  const PANEL_BUTTONS = {
    'sw-visibility': ['Show outlines', true],
    preview: ['Preview', true],
    fullscreen: ['Full screen', true],
    'gjs-toggle-images': ['Hide images', true],
    'canvas-clear': ['Clear the email', false],
    'open-sm': ['Styles of the selected part', true],
    'open-tm': ['Settings of the selected part', true],
    'open-layers': ['Layers', true],
    'open-blocks': ['Blocks', true],
  };

  function labelPanelButton(button) {
    const [name, toggles] = PANEL_BUTTONS[button.id] ?? [];
    if (!name) return;
    const pressed = toggles ? { 'aria-pressed': String(Boolean(button.get('active'))) } : {};
    button.set('attributes', { ...button.get('attributes'), role: 'button', tabindex: '0', 'aria-label': name, ...pressed });
  }

  editor.onReady(() => {
    for (const panel of editor.Panels.getPanels()) {
      for (const button of panel.buttons) {
        labelPanelButton(button);
        button.on('change:active', () => labelPanelButton(button));
      }
    }
  });
  root.addEventListener('keydown', (event) => {
    const button = event.target.closest?.('.gjs-pn-btn[role="button"]');
    if (!button || (event.key !== 'Enter' && event.key !== ' ')) return;
    event.preventDefault();
    button.click();
  });
})();
