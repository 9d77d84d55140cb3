// Small progressive enhancements; no inline scripts anywhere (CSP-friendly).
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-toggle]");
  if (toggle) {
    const target = document.getElementById(toggle.dataset.toggle);
    if (target) { target.hidden = !target.hidden; const f = target.querySelector("input:not([type=hidden]),select,textarea"); if (f && !target.hidden) f.focus(); }
  }
});
// <select data-autosubmit> submits its form on change (no inline handlers).
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
});
