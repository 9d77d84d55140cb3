// The header's global search (#global-search): the icon opens the box on narrow screens; htmx posts what is
// typed (debounced, from 2 characters) for the dropdown, except numbers that identify a person (ID, phone,
// account, passport): those are searched only on Enter (a full POST, audited), never as the user types.
(() => {
  const MIN = 2;
  const IDENTIFIER_DIGITS = 7;

  function compact(value) {
    return value.normalize("NFKC").replace(/[\s-]+/g, "").toUpperCase();
  }

  // Mirrors xiaobao.core.search.classify: what the server would treat as a personal identifier.
  function looksPersonal(value) {
    if (/^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?$/.test(value.normalize("NFKC").trim())) return false; // a day
    const c = compact(value);
    if (/^[A-Z]{2}\d{10,16}$/.test(c)) return false; // a reference
    const digits = c.startsWith("+86") ? c.slice(3) : c.replace(/^\+/, "");
    if (/^\d{17}[\dX]$/.test(digits)) return true;
    if (/^\d+$/.test(digits) && digits.length >= IDENTIFIER_DIGITS) return true;
    return /^[A-Z]{1,2}\d{7,10}$/.test(c);
  }

  function parts() {
    const form = document.getElementById("global-search");
    if (!form) return {};
    return {
      form,
      input: form.querySelector("input[name=q]"),
      results: document.getElementById("global-search-results"),
      toggle: form.querySelector(".gsearch-toggle"),
    };
  }

  function note(results, text) {
    results.replaceChildren();
    const p = document.createElement("div");
    p.className = "gs-note";
    p.textContent = text;
    results.append(p);
    results.hidden = false;
  }

  function close(refocus) {
    const { form, results, toggle } = parts();
    if (!form) return;
    results.hidden = true;
    if (form.classList.contains("open")) {
      form.classList.remove("open");
      toggle.setAttribute("aria-expanded", "false");
      if (refocus) toggle.focus();
    }
  }

  // Decide, before htmx sends it, whether what is typed may be searched live.
  document.addEventListener("htmx:confirm", (event) => {
    const { input, results } = parts();
    if (!input || event.detail.elt !== input) return;
    const value = input.value.trim();
    if (value.length < MIN) {
      event.preventDefault();
      if (value.length) note(results, input.dataset.hintShort);
      else results.hidden = true;
    } else if (looksPersonal(value)) {
      event.preventDefault();
      note(results, input.dataset.hintEnter);
    }
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const { results } = parts();
    if (results && event.detail.target === results) results.hidden = !results.children.length;
  });

  // The icon: on wide screens the box is always there (the icon is hidden); elsewhere it opens the panel.
  document.addEventListener("click", (event) => {
    const { form, input, toggle } = parts();
    if (!form) return;
    if (event.target.closest(".gsearch-toggle")) {
      event.preventDefault();
      const open = !form.classList.contains("open");
      form.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", String(open));
      if (open) input.focus();
      return;
    }
    if (!event.target.closest("#global-search")) close(false);
  });

  // Keyboard: Escape closes; the arrows move between the input and the hits.
  document.addEventListener("keydown", (event) => {
    const { form, input, results } = parts();
    if (!form || !form.contains(event.target)) return;
    if (event.key === "Escape") {
      close(true);
      if (event.target === input) input.blur();
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const items = [...results.querySelectorAll("a.gs-hit, button.gs-all")];
    if (results.hidden || !items.length) return;
    event.preventDefault();
    const at = items.indexOf(document.activeElement);
    if (event.key === "ArrowDown") items[Math.min(at + 1, items.length - 1)].focus();
    else if (at <= 0) input.focus();
    else items[at - 1].focus();
  });

  // Enter on an empty or one-character box does nothing.
  document.addEventListener("submit", (event) => {
    const { form, input } = parts();
    if (event.target === form && input.value.trim().length < MIN) {
      event.preventDefault();
      note(parts().results, input.dataset.hintShort);
    }
  });
})();
