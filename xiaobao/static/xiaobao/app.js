// Small progressive enhancements; no inline scripts anywhere (CSP-friendly).
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-toggle]");
  if (toggle) {
    const target = document.getElementById(toggle.dataset.toggle);
    if (target) { target.hidden = !target.hidden; const f = target.querySelector("input:not([type=hidden]),select,textarea"); if (f && !target.hidden) f.focus(); }
  }
});
// The bar's menus: one open at a time, closed by a click elsewhere or Escape.
document.addEventListener("click", (event) => {
  const inside = event.target.closest("details.navgroup");
  for (const menu of document.querySelectorAll("details.navgroup[open]")) {
    if (menu !== inside) menu.open = false;
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details.navgroup[open]")) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});
// <select data-autosubmit> submits its form on change (no inline handlers).
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
});

/* complaints */
// <input data-option-filter="<select id>"> narrows the options of a long <select> (code pickers).
document.addEventListener("input", (event) => {
  const box = event.target.closest("[data-option-filter]");
  if (!box) return;
  const select = document.getElementById(box.dataset.optionFilter);
  if (!select) return;
  const q = box.value.trim().toLowerCase();
  let first = null;
  for (const opt of select.options) {
    const group = opt.parentElement.tagName === "OPTGROUP" ? opt.parentElement.label.toLowerCase() : "";
    const show = !q || !opt.value || opt.text.toLowerCase().includes(q) || group.includes(q);
    opt.hidden = !show;
    if (show && opt.value && !first) first = opt;
  }
  for (const group of select.querySelectorAll("optgroup")) {
    group.hidden = ![...group.children].some((o) => !o.hidden);
  }
  const current = select.selectedOptions[0];
  if (q && first && (!select.value || (current && current.hidden))) select.value = first.value;
});
// Enter in an option filter moves on to its <select> instead of submitting the form.
document.addEventListener("keydown", (event) => {
  const box = event.target.closest && event.target.closest("[data-option-filter]");
  if (box && event.key === "Enter") {
    event.preventDefault();
    const select = document.getElementById(box.dataset.optionFilter);
    if (select) select.focus();
  }
});
// <button data-clear="id"> empties an element (closes an inline action form).
document.addEventListener("click", (event) => {
  const btn = event.target.closest("[data-clear]");
  if (btn) { const target = document.getElementById(btn.dataset.clear); if (target) target.innerHTML = ""; }
  if (event.target.closest("[data-print]")) window.print();
});
// Requests from (or into) elements marked data-swap-errors show the server's answer for 400/403/409 too
// (field errors, conflicts) instead of dropping it.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  const d = event.detail;
  const marked = [d.elt, d.target, d.requestConfig && d.requestConfig.elt].some(
    (el) => el && el.closest && el.closest("[data-swap-errors]"));
  if ([400, 403, 409].includes(status) && marked) {
    d.shouldSwap = true;
    d.isError = false;
  }
});
// A form loaded into a panel gets the focus on its first field.
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id === "action-panel") {
    const f = event.detail.target.querySelector("input:not([type=hidden]),select,textarea,button");
    if (f) f.focus();
  }
});
// On a page re-rendered with errors, the first field in error gets the focus.
document.addEventListener("DOMContentLoaded", () => {
  const bad = document.querySelector(".field-error input, .field-error select, .field-error textarea");
  if (bad) bad.focus();
});
