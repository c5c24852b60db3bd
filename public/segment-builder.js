// The segment rule builder: edits the JSON definition in the form's textarea
// (which stays the source of truth, and works without this script) and asks the
// server for a live count and sample as the rules change, on pages that show them
// (#segment-count). Other pages (the campaign builder) follow the textarea's change events.
(() => {
  const FIELDS = {
    totalSpent: { label: 'Total spent', ops: { gt: 'more than', gte: 'at least', lt: 'less than', lte: 'at most', eq: 'exactly', between: 'between' }, value: 'money' },
    orderCount: { label: 'Number of orders', ops: { gt: 'more than', gte: 'at least', lt: 'less than', lte: 'at most', eq: 'exactly', between: 'between' }, value: 'count' },
    lastPurchase: { label: 'Last purchase', ops: { withinDays: 'within the last', moreThanDaysAgo: 'more than … ago', never: 'never' }, value: 'days' },
    firstPurchase: { label: 'First purchase', ops: { withinDays: 'within the last', moreThanDaysAgo: 'more than … ago', before: 'before', after: 'on or after', between: 'between' }, value: 'date' },
    createdAt: { label: 'Became a contact', ops: { withinDays: 'within the last', moreThanDaysAgo: 'more than … ago', before: 'before', after: 'on or after', between: 'between' }, value: 'date' },
    tags: { label: 'Tags', ops: { hasAny: 'has any of', hasAll: 'has all of', hasNone: 'has none of' }, value: 'tags' },
    emailConsent: { label: 'Email consent', ops: { is: 'is', isNot: 'is not' }, value: 'consent' },
    smsConsent: { label: 'SMS consent', ops: { is: 'is', isNot: 'is not' }, value: 'consent' },
    registered: { label: 'Account', ops: { is: 'is' }, value: 'registered' },
    purchased: { label: 'Purchased', ops: { ever: 'ever', withinDays: 'within the last', notWithinDays: 'not within the last', never: 'never' }, value: 'purchase' },
    openCart: { label: 'Open cart', ops: { is: 'is' }, value: 'yesno' },
    engaged: { label: 'Email engagement', ops: { withinDays: 'engaged within the last', notWithinDays: 'not engaged within the last' }, value: 'engaged' },
  };
  const MAX_DEPTH = 4;
  const DAY = 86_400_000;

  const textarea = document.querySelector('textarea[name="definition"]');
  const root = document.getElementById('segment-builder');
  if (!textarea || !root) return;
  const csrf = document.querySelector('input[name="_csrf"]').value;
  const countEl = document.getElementById('segment-count');
  const sampleEl = document.getElementById('segment-sample');
  const errorEl = document.getElementById('segment-preview-error');

  let definition;
  try {
    definition = JSON.parse(textarea.value || '{"match":"all","children":[]}');
  } catch {
    return; // Leave invalid JSON for the person to fix in the textarea.
  }
  textarea.closest('.field').hidden = true;
  root.hidden = false;

  // Each control carries its place in the tree (data-key), so focus can come back to it
  // after a change of structure rebuilds the rules: a keyboard user stays where they were.
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  function select(options, value, onChange, label, key) {
    const node = el('select', { 'aria-label': label, 'data-key': key, onchange: (e) => onChange(e.target.value) });
    for (const [key, text] of Object.entries(options)) node.append(el('option', { value: key, selected: key === value }, text));
    return node;
  }

  function input(type, value, onChange, label, attrs = {}) {
    return el('input', { type, value: value ?? '', 'aria-label': label, oninput: (e) => onChange(e.target.value), ...attrs });
  }

  const toDate = (ms) => (ms ? new Date(ms).toISOString().slice(0, 10) : '');
  const fromDate = (text) => (text ? Date.parse(`${text}T00:00:00Z`) : undefined);
  const list = (text) =>
    text
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);

  function defaultCondition(field) {
    const op = Object.keys(FIELDS[field].ops)[0];
    const base = { field, op };
    switch (FIELDS[field].value) {
      case 'money':
        return { ...base, value: 10000 };
      case 'count':
        return { ...base, value: 1 };
      case 'days':
      case 'purchase':
      case 'engaged':
        return field === 'purchased' ? { ...base } : { ...base, days: 30 };
      case 'date':
        return { ...base, days: 30 };
      case 'tags':
        return { ...base, tags: ['vip'] };
      case 'consent':
        return { ...base, value: 'subscribed' };
      default:
        return { ...base, value: true };
    }
  }

  // Keeps only the keys an operator takes, so the JSON stays valid for the server.
  function setOp(condition, op) {
    const next = { field: condition.field, op };
    const kind = FIELDS[condition.field].value;
    if (kind === 'money' || kind === 'count')
      Object.assign(next, { value: condition.value ?? 0 }, op === 'between' ? { to: condition.to ?? condition.value ?? 0 } : {}, condition.withinDays ? { withinDays: condition.withinDays } : {});
    else if (kind === 'date') {
      if (op === 'withinDays' || op === 'moreThanDaysAgo') next.days = condition.days ?? 30;
      else if (op === 'between') Object.assign(next, { from: condition.from ?? Date.now() - 30 * DAY, to: condition.to ?? Date.now() });
      else next.at = condition.at ?? Date.now();
    } else if (kind === 'days') {
      if (op !== 'never') next.days = condition.days ?? 30;
    } else if (kind === 'purchase') {
      if (op === 'withinDays' || op === 'notWithinDays') next.days = condition.days ?? 30;
      if (condition.skus) next.skus = condition.skus;
    } else if (kind === 'engaged') Object.assign(next, { days: condition.days ?? 30, action: condition.action ?? 'openedOrClicked' });
    else if (kind === 'tags') next.tags = condition.tags ?? [];
    else next.value = condition.value;
    return next;
  }

  /** Spend and orders over the whole history, or over the last N days before each send. */
  function windowInputs(condition, update, key) {
    const { withinDays, ...lifetime } = condition;
    const period = select(
      { ever: 'in total', within: 'in the last' },
      withinDays ? 'within' : 'ever',
      (v) => update(v === 'within' ? { ...condition, withinDays: 90 } : lifetime),
      'Period',
      `${key}.period`,
    );
    if (!withinDays) return [period];
    const days = input(
      'number',
      withinDays,
      (v) => {
        condition.withinDays = Number(v);
        changed();
      },
      'Days',
      { min: 1, class: 'narrow', 'data-key': `${key}.window` },
    );
    return [period, days, ' days'];
  }

  function valueInputs(condition, update, key) {
    const kind = FIELDS[condition.field].value;
    // Typing edits the condition in place and re-renders nothing, so the box keeps focus.
    const set = (patch) => {
      Object.assign(condition, patch);
      changed();
    };
    const days = () => [input('number', condition.days, (v) => set({ days: Number(v) }), 'Days', { min: 0, class: 'narrow' }), ' days'];
    switch (kind) {
      case 'money': {
        const money = (key) => input('number', (condition[key] ?? 0) / 100, (v) => set({ [key]: Math.round(Number(v) * 100) }), 'Amount', { min: 0, step: '0.01', class: 'narrow' });
        return [...(condition.op === 'between' ? [money('value'), ' and ', money('to')] : [money('value')]), ...windowInputs(condition, update, key)];
      }
      case 'count': {
        const count = (key) => input('number', condition[key] ?? 0, (v) => set({ [key]: Number(v) }), 'Count', { min: 0, class: 'narrow' });
        return [...(condition.op === 'between' ? [count('value'), ' and ', count('to')] : [count('value')]), ...windowInputs(condition, update, key)];
      }
      case 'days':
        return condition.op === 'never' ? [] : days();
      case 'date':
        if (condition.op === 'withinDays' || condition.op === 'moreThanDaysAgo') return days();
        if (condition.op === 'between')
          return [input('date', toDate(condition.from), (v) => set({ from: fromDate(v) }), 'From'), ' and ', input('date', toDate(condition.to), (v) => set({ to: fromDate(v) }), 'To')];
        return [input('date', toDate(condition.at), (v) => set({ at: fromDate(v) }), 'Date')];
      case 'tags':
        return [input('text', (condition.tags ?? []).join(', '), (v) => set({ tags: list(v) }), 'Tags, comma separated', { placeholder: 'vip, newsletter' })];
      case 'consent':
        return [select({ subscribed: 'subscribed', unsubscribed: 'unsubscribed', not_subscribed: 'not subscribed' }, condition.value, (v) => set({ value: v }), 'Consent')];
      case 'registered':
        return [select({ true: 'registered', false: 'guest' }, String(condition.value), (v) => set({ value: v === 'true' }), 'Account')];
      case 'yesno':
        return [select({ true: 'yes', false: 'no' }, String(condition.value), (v) => set({ value: v === 'true' }), 'Open cart')];
      case 'purchase': {
        const skus = input(
          'text',
          (condition.skus ?? []).join(', '),
          (v) => {
            const values = list(v);
            if (values.length) condition.skus = values;
            else delete condition.skus;
            changed();
          },
          'SKUs',
          { placeholder: 'any product, or SKUs' },
        );
        return [...(condition.op === 'withinDays' || condition.op === 'notWithinDays' ? days() : []), skus];
      }
      case 'engaged':
        return [...days(), select({ openedOrClicked: 'opened or clicked', opened: 'opened', clicked: 'clicked' }, condition.action, (v) => set({ action: v }), 'Action')];
    }
    return [];
  }

  function renderCondition(condition, update, remove, key) {
    const fieldOptions = Object.fromEntries(Object.entries(FIELDS).map(([name, meta]) => [name, meta.label]));
    return el(
      'div',
      { class: 'rule' },
      select(fieldOptions, condition.field, (field) => update(defaultCondition(field)), 'Field', `${key}.field`),
      select(FIELDS[condition.field].ops, condition.op, (op) => update(setOp(condition, op)), 'Operator', `${key}.op`),
      ...valueInputs(condition, update, key),
      el('button', { type: 'button', class: 'link-button remove', 'aria-label': 'Remove condition', 'data-key': `${key}.remove`, onclick: remove }, '✕'),
    );
  }

  function renderGroup(group, update, remove, depth, key) {
    const children = el('div', { class: 'rule-children' });
    group.children.forEach((child, index) => {
      const replace = (next) => update({ ...group, children: group.children.map((c, i) => (i === index ? next : c)) });
      const drop = () => update({ ...group, children: group.children.filter((_, i) => i !== index) });
      const childKey = `${key}.${index}`;
      children.append('match' in child ? renderGroup(child, replace, drop, depth + 1, childKey) : renderCondition(child, replace, drop, childKey));
    });
    const add = (node) => update({ ...group, children: [...group.children, node] });
    const { not, ...included } = group;
    // A NOT group: the contacts its rules do not match (stored as `not: true`, left out otherwise).
    const negate = el('input', { type: 'checkbox', checked: Boolean(not), 'data-key': `${key}.not`, onchange: (e) => update(e.target.checked ? { ...group, not: true } : included) });
    const button = (label, name, onclick) => el('button', { type: 'button', class: 'button small secondary', 'data-key': `${key}.${name}`, onclick }, label);
    const classes = ['rule-group', depth === 1 ? 'root' : '', not ? 'negated' : ''].filter(Boolean).join(' ');
    return el(
      'div',
      { class: classes, role: 'group', 'aria-label': `${not ? 'Excluded' : 'Matching'} ${group.match} of these rules` },
      el(
        'div',
        { class: 'rule-group-head' },
        not ? 'Exclude contacts matching ' : 'Contacts matching ',
        select({ all: 'all', any: 'any' }, group.match, (match) => update({ ...group, match }), 'Match', `${key}.match`),
        ' of:',
        el('label', { class: 'rule-not' }, negate, ' NOT (exclude these)'),
        remove ? el('button', { type: 'button', class: 'link-button remove', 'aria-label': 'Remove group', 'data-key': `${key}.remove`, onclick: remove }, '✕') : '',
      ),
      children,
      el(
        'div',
        { class: 'rule-actions' },
        button('+ Condition', 'add', () => add(defaultCondition('totalSpent'))),
        depth < MAX_DEPTH ? button('+ Group', 'group', () => add({ match: 'any', children: [defaultCondition('tags')] })) : '',
        depth < MAX_DEPTH ? button('+ NOT group', 'notGroup', () => add({ match: 'any', not: true, children: [defaultCondition('tags')] })) : '',
      ),
    );
  }

  let timer;
  async function preview() {
    countEl.textContent = '…';
    try {
      const res = await fetch('/app/segments/preview', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ definition }),
      });
      const body = await res.json();
      if (!res.ok) {
        errorEl.textContent = (body.error.issues ?? []).map((i) => `${i.path}: ${i.message}`).join('; ') || body.error.message;
        countEl.textContent = '—';
        return;
      }
      errorEl.textContent = '';
      countEl.textContent = body.count.toLocaleString();
      sampleEl.replaceChildren(
        ...body.sample.map((c) => el('li', {}, [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || c.phone || c.id, c.email ? el('span', { class: 'muted' }, ` ${c.email}`) : '')),
      );
    } catch {
      countEl.textContent = '—';
    }
  }

  /** Writes the definition back to the form and refreshes the preview. */
  function changed() {
    textarea.value = JSON.stringify(definition);
    // Setting the value fires no event of its own.
    textarea.dispatchEvent(new Event('change', { bubbles: true }));
    if (!countEl) return;
    clearTimeout(timer);
    timer = setTimeout(preview, 350);
  }

  /** The first control of the last child of the group at `groupKey` (keys are `<group>.<index>.<control>`). */
  function newestChildControl(groupKey) {
    const prefix = `${groupKey}.`;
    let newest = null;
    let newestIndex = -1;
    for (const node of root.querySelectorAll('[data-key]')) {
      const rest = node.dataset.key.startsWith(prefix) ? node.dataset.key.slice(prefix.length) : '';
      const index = /^\d+(?=\.)/.exec(rest)?.[0];
      if (index !== undefined && Number(index) > newestIndex) {
        newestIndex = Number(index);
        newest = node;
      }
    }
    return newest;
  }

  /** Rebuilds the rules (after a change of structure: a field, an operator, a condition added or removed). */
  function render() {
    const focused = root.contains(document.activeElement) ? document.activeElement.dataset.key : undefined;
    root.replaceChildren(
      renderGroup(
        definition,
        (next) => {
          definition = next;
          render();
        },
        null,
        1,
        'r',
      ),
    );
    // After "+ Condition", on to the new condition, so a keyboard user goes on from there (after
    // "+ Group", focus stays on the button: the new group starts with a condition already set).
    const added = focused && /\.add$/.test(focused) ? newestChildControl(focused.replace(/\.[^.]+$/, '')) : null;
    if (added) added.focus();
    // Else back to the same control; if it went (a removed rule), to its group's "+ Condition".
    else if (focused) {
      const parent = focused.split('.').slice(0, -2).join('.');
      (root.querySelector(`[data-key="${focused}"]`) ?? root.querySelector(`[data-key="${parent || 'r'}.add"]`) ?? root.querySelector('[data-key="r.add"]'))?.focus();
    }
    changed();
  }
  render();
})();
