// The campaign builder's live parts (the pages work without them): the audience step
// shows only the option picked and recounts the recipients as the audience and filter
// change; a sending campaign's progress updates itself.
(() => {
  const POLL_MS = 4000;
  const numbers = new Intl.NumberFormat('en-US');

  function followAudience(form) {
    const countEl = document.getElementById('audience-count');
    const errorEl = document.getElementById('audience-count-error');
    const csrf = form.querySelector('input[name="_csrf"]').value;
    let timer;
    let latest = 0;

    function audience() {
      const type = form.elements.audience.value;
      if (type === 'segment') return { type, segmentId: form.elements.segmentId?.value ?? '' };
      if (type === 'rules') return { type, definition: JSON.parse(form.elements.definition.value) };
      return { type: 'everyone' };
    }

    function showChosen() {
      for (const detail of form.querySelectorAll('[data-audience-detail]')) detail.hidden = detail.dataset.audienceDetail !== form.elements.audience.value;
    }

    async function recount() {
      // Answers can arrive out of order; only the last question's answer is shown.
      const asked = ++latest;
      countEl.textContent = '…';
      try {
        const body = JSON.stringify({ channel: form.dataset.channel, audience: audience(), sendingFilter: form.elements.sendingFilter.value });
        const res = await fetch('/app/marketing/campaigns/audience-count', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf }, body });
        const answer = await res.json();
        if (asked !== latest) return;
        if (!res.ok) {
          errorEl.textContent = (answer.error.issues ?? []).map((issue) => issue.message).join('; ') || answer.error.message;
          countEl.textContent = '—';
          return;
        }
        errorEl.textContent = '';
        countEl.textContent = numbers.format(answer.count);
      } catch {
        if (asked === latest) countEl.textContent = '—';
      }
    }

    form.addEventListener('change', () => {
      showChosen();
      clearTimeout(timer);
      timer = setTimeout(recount, 300);
    });
    showChosen();
  }

  function followProgress(section) {
    async function poll() {
      try {
        const res = await fetch(section.dataset.progressUrl, { headers: { accept: 'application/json' } });
        if (res.ok) {
          const { status, progress } = await res.json();
          for (const [key, value] of Object.entries(progress)) {
            const cell = section.querySelector(`[data-progress-key="${key}"]`);
            if (cell) cell.textContent = numbers.format(value);
          }
          // Done sending: the page shows a finished campaign differently.
          if (status !== 'sending') return location.reload();
        }
      } catch {
        // Offline for a moment: the next poll tries again.
      }
      setTimeout(poll, POLL_MS);
    }
    setTimeout(poll, POLL_MS);
  }

  const audienceForm = document.getElementById('audience-form');
  if (audienceForm) followAudience(audienceForm);
  const progress = document.querySelector('#campaign-progress[data-progress-url]');
  if (progress) followProgress(progress);
})();
