// The intake form's classification suggestions: while the request and description are typed (600 ms after
// the last change, 10 characters or more), POST /api/v1/complaints/suggest and show the suggested business
// types and causes as chips with their confidence under those fields; one click sets the picker (picker.js
// handles [data-pick-for]). The person still confirms or changes the code. An endpoint that is missing
// (404) or failing stays quiet: no chips, no error, and no further requests after a 404.
(() => {
  "use strict";
  const DELAY = 600;
  const MIN_CHARS = 10;

  function csrf(form) {
    const field = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function setup(form) {
    const url = form.dataset.suggestUrl;
    const request = form.querySelector("[name=request]");
    const description = form.querySelector("[name=description]");
    const boxes = [...form.querySelectorAll("[data-suggest-kind]")];
    const strings = document.getElementById("suggest-strings");
    const say = (key, fallback) => (strings && strings.dataset[key]) || fallback;
    if (!url || !request || !description || !boxes.length) return;
    let timer = null;
    let last = "";
    let gone = false;
    let seq = 0;

    function clear() {
      for (const box of boxes) { box.hidden = true; box.innerHTML = ""; }
    }

    function show(data) {
      const lists = boxes.map((box) => {
        const items = Array.isArray(data[box.dataset.suggestKind]) ? data[box.dataset.suggestKind] : [];
        const target = document.getElementById(box.dataset.suggestFor);
        const known = target && target.tagName === "SELECT" ? new Set([...target.options].map((o) => o.value)) : null;
        return items.filter((s) => s && s.code && (!known || known.has(s.code))).slice(0, 3);
      });
      clear();
      if (lists.every((l) => !l.length)) {
        if (data.model === null || Object.values(data).every((v) => Array.isArray(v) && !v.length)) {
          const note = document.createElement("span");
          note.className = "small muted";
          note.dataset.testid = "suggest-no-model";
          note.textContent = say("noModel", "No suggestion yet: the classifier has not been trained.");
          boxes[0].appendChild(note);
          boxes[0].hidden = false;
        }
        return;
      }
      boxes.forEach((box, i) => {
        if (!lists[i].length) return;
        const lead = document.createElement("span");
        lead.className = "small muted";
        lead.textContent = say("suggested", "Suggested:");
        box.appendChild(lead);
        const target = document.getElementById(box.dataset.suggestFor);
        for (const s of lists[i]) {
          const pct = Math.round(Math.max(0, Math.min(1, Number(s.confidence) || 0)) * 100);
          const chip = document.createElement("button");
          chip.type = "button";
          chip.className = "suggestion-chip";
          chip.dataset.pickFor = box.dataset.suggestFor;
          chip.dataset.pickValue = s.code;
          chip.dataset.testid = `suggest-${box.dataset.suggestKind}-${s.code}`;
          chip.setAttribute("aria-pressed", target && target.value === s.code ? "true" : "false");
          chip.title = `${say("pick", "Use this suggestion")}: ${s.code} ${s.name}`;
          const name = document.createElement("span");
          name.textContent = s.name || s.code;
          const conf = document.createElement("span");
          conf.className = "confidence";
          conf.textContent = `${pct}%`;
          chip.append(name, conf);
          box.appendChild(chip);
        }
        box.hidden = false;
      });
    }

    async function ask() {
      if (gone) return;
      const text = `${request.value.trim()}\n${description.value.trim()}`;
      if (text.replace(/\s/g, "").length < MIN_CHARS) { clear(); last = ""; return; }
      if (text === last) return;
      last = text;
      const mine = ++seq;
      try {
        const response = await fetch(url, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf(form) },
          body: JSON.stringify({ request: request.value, description: description.value }),
        });
        if (response.status === 404) { gone = true; clear(); return; }
        if (!response.ok) { if (mine === seq) clear(); return; }
        const data = await response.json();
        if (mine === seq && data && typeof data === "object") show(data);
      } catch (e) {
        if (mine === seq) clear();
      }
    }

    const later = () => { clearTimeout(timer); timer = setTimeout(ask, DELAY); };
    request.addEventListener("input", later);
    description.addEventListener("input", later);
    request.addEventListener("change", later);
    description.addEventListener("change", later);
    // a picked chip shows as pressed; a code changed by hand releases the chips
    form.addEventListener("change", (e) => {
      const box = boxes.find((b) => b.dataset.suggestFor === e.target.id);
      if (!box) return;
      for (const chip of box.querySelectorAll(".suggestion-chip")) {
        chip.setAttribute("aria-pressed", chip.dataset.pickValue === e.target.value ? "true" : "false");
      }
    });
    if (request.value.trim() || description.value.trim()) later(); // a form re-shown with errors
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const form of document.querySelectorAll("form[data-suggest-url]")) setup(form);
  });
})();
