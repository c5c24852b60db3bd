// The SMS message editor's live cost: characters, GSM-7 or UCS-2, segments, and the
// warning when characters outside GSM-7 cost extra segments. A copy of the rules of
// src/sms/sms-segments.ts (the server renders the same figures with the page).
(() => {
  const form = document.getElementById('sms-form');
  const cost = document.getElementById('sms-cost');
  if (!form || !cost) return;
  const textarea = form.querySelector('textarea[name="body"]');
  const optOutLine = cost.dataset.optOutLine;
  const summary = cost.querySelector('[data-sms-summary]');
  const warning = cost.querySelector('[data-sms-warning]');
  const optOut = cost.querySelector('[data-sms-opt-out]');

  const BASIC = new Set('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà');
  const EXTENSION = new Set('\f^{}\\[~]|€');
  const UNITS = { 'GSM-7': { single: 160, part: 153 }, 'UCS-2': { single: 70, part: 67 } };
  const isGsm = (char) => BASIC.has(char) || EXTENSION.has(char);

  function count(text) {
    const chars = Array.from(text);
    const encoding = chars.every(isGsm) ? 'GSM-7' : 'UCS-2';
    const costs = chars.map((char) => (encoding === 'UCS-2' ? char.length : EXTENSION.has(char) ? 2 : 1));
    const units = costs.reduce((sum, c) => sum + c, 0);
    const { single, part } = UNITS[encoding];
    if (units <= single) return { characters: chars.length, encoding, segments: units ? 1 : 0 };
    let segments = 1;
    let used = 0;
    for (const c of costs) {
      if (used + c > part) {
        segments += 1;
        used = 0;
      }
      used += c;
    }
    return { characters: chars.length, encoding, segments };
  }

  function update() {
    const body = textarea.value.replace(/\r\n?/g, '\n');
    const carries = /(^|[^A-Za-z])STOP([^A-Za-z]|$)/.test(body);
    const text = carries ? body : `${body}\n${optOutLine}`;
    const now = count(text);
    summary.textContent = `${now.characters} characters · ${now.encoding} · ${now.segments} segment${now.segments === 1 ? '' : 's'}`;
    optOut.textContent = carries ? 'Your message says STOP, so no opt-out line is added.' : `"${optOutLine}" is added on a last line of its own, and counted above.`;
    let sentence = '';
    if (now.encoding === 'UCS-2') {
      const culprits = [...new Set(Array.from(text).filter((char) => !isGsm(char)))];
      const without = count(Array.from(text).filter(isGsm).join(''));
      if (without.segments < now.segments) {
        const shown = culprits.slice(0, 5).join(' ');
        const subject = culprits.length === 1 ? `This ${shown} makes` : `These characters (${shown}${culprits.length > 5 ? ' …' : ''}) make`;
        sentence = `${subject} it UCS-2: ${now.segments} segments instead of ${without.segments}`;
      }
    }
    warning.textContent = sentence;
    warning.hidden = !sentence;
  }

  textarea.addEventListener('input', update);
  update();
})();
