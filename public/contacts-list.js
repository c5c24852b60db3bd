// The contacts list's live parts (the page works without them): the bulk form shows only
// the fields of the action picked and counts the ticked contacts; a running bulk action's
// progress updates itself, and the page reloads when it ends.
(() => {
  const POLL_MS = 2000;
  const numbers = new Intl.NumberFormat('en-US');

  function followBulkForm(form) {
    const count = document.getElementById('bulk-selected-count');
    const boxes = () => document.querySelectorAll('input[name="ids"][form="bulk-form"]');
    function showFields() {
      const action = form.elements.action.value;
      for (const part of form.querySelectorAll('[data-bulk-for]')) part.hidden = !part.dataset.bulkFor.split(' ').includes(action);
    }
    function countTicked() {
      const ticked = [...boxes()].filter((box) => box.checked).length;
      count.textContent = ticked ? `(${numbers.format(ticked)} ticked)` : '';
    }
    form.elements.action.addEventListener('change', showFields);
    document.addEventListener('change', (event) => {
      if (event.target.matches?.('input[name="ids"]')) countTicked();
    });
    showFields();
    countTicked();
  }

  function followJob(item) {
    const done = item.querySelector('[data-bulk-done]');
    const bar = item.querySelector('progress');
    async function poll() {
      try {
        const res = await fetch(item.dataset.bulkJobUrl, { headers: { accept: 'application/json' } });
        if (res.ok) {
          const job = await res.json();
          done.textContent = numbers.format(job.done);
          bar.value = job.done;
          // Finished: the list and the count show its result after a reload.
          if (job.status !== 'running') return location.reload();
        }
      } catch {
        // Offline for a moment: the next poll tries again.
      }
      setTimeout(poll, POLL_MS);
    }
    setTimeout(poll, POLL_MS);
  }

  const form = document.getElementById('bulk-form');
  if (form) followBulkForm(form);
  for (const item of document.querySelectorAll('[data-bulk-job-url]')) followJob(item);
})();
