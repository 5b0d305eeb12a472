// dseval report: opens transcripts in a dialog and filters the item tables. Inlined; no dependencies.
(function () {
  'use strict';
  var transcripts = JSON.parse(document.getElementById('dseval-transcripts').textContent || '{}');
  var prompts = JSON.parse(document.getElementById('dseval-prompts').textContent || '{}');
  var dialog = document.getElementById('transcript');

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmt(x, digits) {
    return x === null || x === undefined || !isFinite(x) ? '–' : Number(x).toFixed(digits);
  }
  function block(body, title, text, cls) {
    if (text === null || text === undefined || text === '') return;
    body.appendChild(el('h4', null, title));
    body.appendChild(el('pre', cls || null, text));
  }

  function openTranscript(key) {
    var t = transcripts[key];
    if (!t) return;
    document.getElementById('transcript-title').textContent = t.item + ' · attempt ' + t.attempt + ' · ' + t.outcome;
    var facts = dialog.querySelector('.transcript-facts');
    facts.textContent = '';
    var rows = [
      ['run', t.run], ['outcome', t.outcome], ['score', t.score], ['finish', t.finish],
      ['seed', t.seed], ['judge', t.judge || '–'],
      ['prompt tokens', t.promptTokens === null ? '–' : t.promptTokens], ['completion tokens', t.completionTokens === null ? '–' : t.completionTokens],
      ['latency', fmt(t.latencyMs / 1000, 2) + ' s'], ['time to first token', t.ttftMs === null ? '–' : fmt(t.ttftMs / 1000, 2) + ' s'],
      ['tokens/s', fmt(t.tokensPerSecond, 1)], ['self-check', t.judgeDisagreement === null ? '–' : t.judgeDisagreement ? 'DISAGREES' : 'agrees']
    ];
    rows.forEach(function (r) { facts.appendChild(el('dt', null, r[0])); facts.appendChild(el('dd', null, r[1])); });
    var body = dialog.querySelector('.transcript-body');
    body.textContent = '';
    block(body, 'Prompt', prompts[t.promptKey]);
    block(body, 'Reasoning', t.reasoning);
    block(body, 'Answer', t.text, 'answer');
    block(body, 'Extracted answer', t.extracted === null ? '(nothing extracted)' : t.extracted + (t.answerKey !== null && t.answerKey !== t.extracted ? '   (canonical: ' + t.answerKey + ')' : ''));
    block(body, 'Target', t.target);
    block(body, 'Judge details', t.details === null ? null : typeof t.details === 'string' ? t.details : JSON.stringify(t.details, null, 2));
    block(body, 'Error', t.error);
    if (typeof dialog.showModal === 'function') dialog.showModal(); else dialog.setAttribute('open', '');
  }

  document.addEventListener('click', function (ev) {
    var target = ev.target;
    if (!(target instanceof Element)) return;
    var button = target.closest('button.att[data-t]');
    if (button) openTranscript(button.getAttribute('data-t'));
  });
  dialog.addEventListener('click', function (ev) { if (ev.target === dialog) dialog.close(); });

  Array.prototype.forEach.call(document.querySelectorAll('section.suite'), function (section) {
    var input = section.querySelector('.item-filter');
    var rows = section.querySelectorAll('tr.item-row');
    var count = section.querySelector('.item-count');
    function apply() {
      var q = (input.value || '').toLowerCase().trim();
      var checked = section.querySelector('.item-controls input[type=radio]:checked');
      var mode = checked ? checked.value : 'all';
      var shown = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var ok = (!q || row.getAttribute('data-search').indexOf(q) >= 0) &&
          (mode === 'all' || (mode === 'failed' && row.getAttribute('data-failed') === '1') || (mode === 'changed' && row.getAttribute('data-changed') === '1'));
        row.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = shown + ' of ' + rows.length + ' items';
    }
    input.addEventListener('input', apply);
    Array.prototype.forEach.call(section.querySelectorAll('.item-controls input[type=radio]'), function (r) { r.addEventListener('change', apply); });
    apply();
  });
})();
