// Internal notes: @mention suggestions; the draft form's template picker. Loaded by the panels that use it
// (possibly more than once, through HTMX swaps): everything is delegated to the document, bound once.
(() => {
  if (window.xbNotes) return;
  window.xbNotes = true;

  // --- @mentions: the word after "@" before the caret asks the complaint's own list of people ----------
  const MENTION = /(^|[^\w@])@([\w.\-\u3400-\u9fff]{0,30})$/u;
  let timer = null;

  const listFor = (box) => box.parentElement.querySelector(".mention-list");
  const hide = (box) => { const list = listFor(box); if (list) { list.hidden = true; list.innerHTML = ""; } };
  const current = (box) => MENTION.exec(box.value.slice(0, box.selectionStart));

  function choose(box, username) {
    const m = current(box);
    if (!m) return;
    const end = box.selectionStart;
    const start = end - m[2].length;
    box.value = box.value.slice(0, start) + username + " " + box.value.slice(end);
    const caret = start + username.length + 1;
    box.setSelectionRange(caret, caret);
    hide(box);
    box.focus();
  }

  async function suggest(box) {
    const m = current(box);
    const list = listFor(box);
    if (!m || !list) { hide(box); return; }
    const url = new URL(box.dataset.mentionUrl, window.location.origin);
    url.searchParams.set("q", m[2]);
    let people = [];
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) { hide(box); return; }
      people = (await response.json()).people || [];
    } catch (e) { hide(box); return; }
    if (!current(box)) { hide(box); return; }
    list.innerHTML = "";
    people.forEach((p, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.dataset.username = p.username;
      li.setAttribute("aria-selected", i === 0 ? "true" : "false");
      li.textContent = `${p.name} @${p.username}${p.unit ? " · " + p.unit : ""}`;
      list.appendChild(li);
    });
    list.hidden = people.length === 0;
  }

  document.addEventListener("input", (event) => {
    const box = event.target.closest && event.target.closest("[data-mention-input]");
    if (!box) return;
    clearTimeout(timer);
    timer = setTimeout(() => suggest(box), 150);
  });
  document.addEventListener("keydown", (event) => {
    const box = event.target.closest && event.target.closest("[data-mention-input]");
    if (!box) return;
    const list = listFor(box);
    if (!list || list.hidden) return;
    const items = [...list.querySelectorAll("li")];
    const at = items.findIndex((li) => li.getAttribute("aria-selected") === "true");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = (at + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items.forEach((li, i) => li.setAttribute("aria-selected", i === next ? "true" : "false"));
    } else if ((event.key === "Enter" || event.key === "Tab") && at >= 0) {
      event.preventDefault();
      choose(box, items[at].dataset.username);
    } else if (event.key === "Escape") {
      hide(box);
    }
  });
  document.addEventListener("mousedown", (event) => {
    const li = event.target.closest(".mention-list li");
    if (!li) return;
    event.preventDefault();
    const box = li.closest(".mention-wrap").querySelector("[data-mention-input]");
    choose(box, li.dataset.username);
  });

  // --- the template picker on the draft form: fill the decision's fields, the person edits them -----------
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-template-apply]");
    if (!button) return;
    const picker = button.closest("[data-template-picker]");
    const form = button.closest("form");
    const select = picker.querySelector("[data-template-select]");
    const status = picker.querySelector("[data-template-status]");
    if (!select || !select.value || !form) return;
    let data;
    try {
      const response = await fetch(select.value, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      data = await response.json();
    } catch (e) {
      if (status) status.textContent = picker.dataset.failed || "×";
      return;
    }
    const fields = data.fields || {};
    const targets = Object.keys(fields).map((name) => [form.querySelector(`textarea[name="${name}"]`), fields[name]])
      .filter(([box, text]) => box && text);
    const edited = targets.some(([box]) => box.value.trim() && box.value !== box.defaultValue);
    if (edited && !window.confirm(picker.dataset.confirm || "?")) return;
    for (const [box, text] of targets) {
      box.value = text;
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (status) status.textContent = picker.dataset.done || "✓";
    const first = targets.length ? targets[0][0] : null;
    if (first) first.focus();
  });
})();
