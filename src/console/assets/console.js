// Keyboard use of the queue: j / k move between rows, x selects, a approves, r rejects the row
// that has focus. Keys are ignored while typing in a field. No framework; htmx does the rest.
(function () {
  'use strict';
  function rows() { return Array.prototype.slice.call(document.querySelectorAll('table.queue tbody tr')); }
  function current() {
    var el = document.activeElement;
    return el && el.closest ? el.closest('table.queue tbody tr') : null;
  }
  function focusRow(tr) { if (tr) { var box = tr.querySelector('input[type=checkbox]'); if (box) box.focus(); tr.scrollIntoView({ block: 'nearest' }); } }
  document.addEventListener('keydown', function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    if (t && (t.tagName === 'INPUT' && t.type !== 'checkbox' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT')) return;
    var list = rows();
    if (list.length === 0) return;
    var tr = current();
    var i = tr ? list.indexOf(tr) : -1;
    if (ev.key === 'j') { focusRow(list[Math.min(i + 1, list.length - 1)]); ev.preventDefault(); }
    else if (ev.key === 'k') { focusRow(list[Math.max(i - 1, 0)]); ev.preventDefault(); }
    else if (ev.key === 'x' && tr) { var box = tr.querySelector('input[type=checkbox]'); if (box) box.click(); ev.preventDefault(); }
    else if ((ev.key === 'a' || ev.key === 'r') && tr) { var b = tr.querySelector('button[data-key="' + ev.key + '"]'); if (b) b.click(); ev.preventDefault(); }
  });
  document.addEventListener('change', function (ev) {
    if (ev.target && ev.target.id === 'select-all') {
      rows().forEach(function (tr) { var box = tr.querySelector('input[name=ids]'); if (box) box.checked = ev.target.checked; });
    }
  });
  // After htmx swaps the queue, keep focus in the list for keyboard users.
  document.addEventListener('htmx:afterSwap', function (ev) {
    if (ev.detail && ev.detail.target && ev.detail.target.id === 'queue-region') {
      var region = document.getElementById('queue-region');
      if (region && document.activeElement === document.body) focusRow(rows()[0]);
    }
  });
})();
