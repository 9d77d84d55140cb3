// Bulk selection on the complaint list and the queue (desk): select every row of the page, count the
// selection, and show only the chosen action's inputs. Works across htmx swaps of the results.
(function () {
  "use strict";

  function rows() {
    return document.querySelectorAll('input[type=checkbox][name=ids][form="bulk-form"]');
  }

  function refresh() {
    const form = document.getElementById("bulk-form");
    if (!form) return;
    const matching = form.querySelector("[data-bulk-matching]");
    const count = form.querySelector("[data-bulk-count]");
    const selected = Array.prototype.filter.call(rows(), (cb) => cb.checked).length;
    if (count) count.textContent = matching && matching.checked ? matching.parentElement.textContent.trim() : String(selected);
    const action = form.querySelector("[data-bulk-action]");
    const chosen = action ? action.value : "";
    form.querySelectorAll("[data-bulk-param]").forEach((el) => {
      const show = el.getAttribute("data-bulk-param").split(" ").indexOf(chosen) >= 0;
      el.hidden = !show;
      el.querySelectorAll("input, select").forEach((input) => { input.disabled = !show; });
    });
  }

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLInputElement) && !(target instanceof HTMLSelectElement)) return;
    if (target.matches("[data-bulk-all]")) {
      const table = target.closest("table");
      if (table) table.querySelectorAll("input[name=ids]").forEach((cb) => { cb.checked = target.checked; });
    }
    if (target.matches("[data-bulk-all], input[name=ids], [data-bulk-matching], [data-bulk-action]")) refresh();
  });
  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("htmx:afterSwap", refresh);
})();
