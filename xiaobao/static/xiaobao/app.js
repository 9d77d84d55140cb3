// Small progressive enhancements; no inline scripts anywhere (CSP-friendly).
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-toggle]");
  if (toggle) {
    const target = document.getElementById(toggle.dataset.toggle);
    if (target) { target.hidden = !target.hidden; const f = target.querySelector("input,select,textarea"); if (f && !target.hidden) f.focus(); }
  }
});
