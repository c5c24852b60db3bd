// The email design editor: a visual view (the design editable in a sandboxed frame), the HTML
// view (the form's textarea, which is what is saved), and a live preview rendered by
// the server for a sample contact, at desktop or phone width.
(() => {
  const form = document.getElementById('design-form');
  if (!form) return;
  const textarea = form.querySelector('textarea[name="html"]');
  let visual = form.querySelector('.visual-editor');
  const tabs = form.querySelector('.editor-tabs');
  let preview = document.querySelector('.email-preview');
  const previewSubject = document.getElementById('preview-subject');
  const previewError = document.getElementById('preview-error');
  const csrf = form.querySelector('input[name="_csrf"]').value;

  function showView(view) {
    for (const tab of tabs.querySelectorAll('[data-view]')) {
      tab.classList.toggle('active', tab.dataset.view === view);
      tab.setAttribute('aria-pressed', String(tab.dataset.view === view));
    }
    const isVisual = view === 'visual';
    visual.hidden = !isVisual;
    textarea.hidden = isVisual;
    textarea.previousElementSibling.hidden = isVisual; // the HTML label
    if (isVisual) {
      // Editing happens on a copy without scripts or event handlers (see /untrusted-html.js).
      visual = window.untrustedHtml.edit(visual, textarea.value, (html) => {
        textarea.value = html;
        schedulePreview();
      });
    }
  }

  let timer;
  // Previews are asked for in order but may be answered out of order (a slow render of an
  // earlier edit); only the answer to the latest request may be shown.
  let latestRequest = 0;
  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 500);
  }

  async function refreshPreview() {
    const body = { subject: form.subject.value, preheader: form.preheader.value || null, html: textarea.value };
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

  tabs.hidden = false;
  for (const tab of tabs.querySelectorAll('[data-view]')) tab.addEventListener('click', () => showView(tab.dataset.view));
  for (const button of document.querySelectorAll('[data-preview-width]')) {
    button.addEventListener('click', () => (preview.style.width = `${button.dataset.previewWidth}px`));
  }
  for (const field of [textarea, form.subject, form.preheader]) field.addEventListener('input', schedulePreview);
  showView('visual');
})();
