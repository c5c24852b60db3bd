// Progressive enhancements only: every form works without this file.
document.documentElement.classList.add('js');

document.addEventListener('DOMContentLoaded', () => {
  // The workspace switcher submits as soon as another workspace is picked.
  for (const form of document.querySelectorAll('form[data-autosubmit]')) {
    form.querySelector('select')?.addEventListener('change', () => form.requestSubmit());
  }

  // Destructive actions ask first.
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }

  // Copy buttons copy the value of the input they point at.
  for (const button of document.querySelectorAll('[data-copy]')) {
    button.addEventListener('click', async () => {
      const input = document.querySelector(button.dataset.copy);
      if (!input) return;
      input.select();
      try {
        await navigator.clipboard.writeText(input.value);
        button.textContent = 'Copied';
      } catch {
        document.execCommand('copy');
      }
    });
  }

  // Live counts in lists are fetched after the page is shown, one at a time (D1 runs queries in turn).
  (async () => {
    for (const cell of document.querySelectorAll('[data-count-url]')) {
      try {
        const res = await fetch(cell.dataset.countUrl, { headers: { accept: 'application/json' } });
        cell.textContent = res.ok ? (await res.json()).count.toLocaleString() : '—';
      } catch {
        cell.textContent = '—';
      }
    }
  })();

  // New accounts default to the browser's time zone rather than UTC.
  const zone = document.querySelector('form[action="/signup"] input[name="timeZone"]');
  if (zone && zone.value === 'UTC') zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
});
