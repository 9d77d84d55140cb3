// The activity form on a phone: the audience segments' live sum against the people reached, the online
// counts shown for online venues, and a draft kept in this browser (localStorage) as the form is filled in —
// a dropped connection or a closed tab loses nothing. The draft is forgotten only once the server has
// stored the activity (the detail page it lands on says so with data-draft-clear).
(function () {
  "use strict";
  const clear = document.querySelector("[data-draft-clear]");
  if (clear) {
    try { localStorage.removeItem(clear.dataset.draftClear); } catch (e) { /* private mode */ }
  }
  const form = document.querySelector("form[data-edu-activity]");
  if (!form) return;
  const key = form.dataset.draftKey;
  const sumEl = form.querySelector("[data-sum]");
  const sumBox = form.querySelector("[data-sum-box]");
  const people = form.querySelector("[name=people_reached]");
  const segs = Array.from(form.querySelectorAll("[data-segment] input"));
  const online = form.querySelector("[data-online]");
  const onlineVenues = (form.dataset.onlineVenues || "").split(",").filter(Boolean);
  const draftBar = document.querySelector("[data-draft-bar]");
  const conn = document.querySelector("[data-conn]");
  let peopleTouched = people && people.value !== "" && people.value !== "0";

  function num(el) { const n = parseInt(el.value, 10); return isNaN(n) || n < 0 ? 0 : n; }
  function sum() {
    const total = segs.reduce(function (a, el) { return a + num(el); }, 0);
    if (people && !peopleTouched) people.value = String(total);
    if (sumEl) sumEl.textContent = String(total);
    if (sumBox && people) {
      const ok = total === num(people);
      sumBox.classList.toggle("ok", ok);
      sumBox.classList.toggle("bad", !ok);
      sumBox.querySelector("[data-sum-msg]").textContent = ok ? sumBox.dataset.msgOk : sumBox.dataset.msgBad;
    }
  }
  function venue() {
    const checked = form.querySelector("[name=venue]:checked");
    const isOnline = checked && onlineVenues.indexOf(checked.value) >= 0;
    if (online) online.open = online.open || isOnline;
  }
  function values() {
    const out = {};
    Array.from(form.elements).forEach(function (el) {
      if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken" || el.type === "hidden") return;
      if (el.type === "checkbox") { (out[el.name] = out[el.name] || []); if (el.checked) out[el.name].push(el.value); }
      else if (el.type === "radio") { if (el.checked) out[el.name] = el.value; }
      else out[el.name] = el.value;
    });
    return out;
  }
  function save() {
    if (!key) return;
    try { localStorage.setItem(key, JSON.stringify({ at: Date.now(), values: values() })); } catch (e) { return; }
    if (draftBar) { draftBar.hidden = false; draftBar.querySelector("[data-draft-msg]").textContent = draftBar.dataset.msgSaved; }
  }
  function restore() {
    if (!key || form.dataset.bound === "1") return false;
    let draft = null;
    try { draft = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { draft = null; }
    if (!draft || !draft.values) return false;
    Object.keys(draft.values).forEach(function (name) {
      const v = draft.values[name];
      form.querySelectorAll('[name="' + CSS.escape(name) + '"]').forEach(function (el) {
        if (el.type === "checkbox") el.checked = Array.isArray(v) && v.indexOf(el.value) >= 0;
        else if (el.type === "radio") el.checked = el.value === v;
        else if (el.type !== "file") el.value = v;
      });
    });
    peopleTouched = true;
    if (draftBar) { draftBar.hidden = false; draftBar.querySelector("[data-draft-msg]").textContent = draftBar.dataset.msgRestored; }
    return true;
  }
  function online_state() {
    if (!conn) return;
    const on = navigator.onLine !== false;
    conn.textContent = on ? conn.dataset.msgOn : conn.dataset.msgOff;
    conn.classList.toggle("off", !on);
  }
  if (people) people.addEventListener("input", function () { peopleTouched = people.value !== ""; sum(); });
  segs.forEach(function (el) { el.addEventListener("input", sum); });
  form.addEventListener("input", save);
  form.addEventListener("change", function () { venue(); save(); });
  form.addEventListener("submit", function (ev) {
    save();
    if (navigator.onLine === false) {
      ev.preventDefault();
      online_state();
      if (draftBar) { draftBar.hidden = false; draftBar.querySelector("[data-draft-msg]").textContent = draftBar.dataset.msgOffline; }
    }
  });
  const discard = document.querySelector("[data-draft-discard]");
  if (discard) discard.addEventListener("click", function () {
    try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
    window.location.href = window.location.pathname;
  });
  window.addEventListener("online", online_state);
  window.addEventListener("offline", online_state);
  restore();
  venue();
  sum();
  online_state();
})();
