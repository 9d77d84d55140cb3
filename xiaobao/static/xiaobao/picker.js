// Searchable pickers for units, codes and people (progressive enhancement of <select data-picker>).
//
// <select data-picker="unit|person|code" [data-dimension]>: a combobox replaces the select on screen (the
// select stays in the form, 1 px and transparent, and keeps the value); typing filters its options by the
// search text the server put on each (data-search: code, name, pinyin initials, full pinyin), arrows move,
// Enter or Tab picks, Escape restores. <input data-picker=... [data-multiple]> holding a code or usernames
// gets suggestions from GET /api/v1/pickers/{kind}?q=&dimension= as one types (the value stays the code).
// <button data-pick-for="<id>" data-pick-value="<value>"> sets a picker in one click (workload list,
// classification suggestions). Without JavaScript every field is the plain select or text input.
(() => {
  "use strict";
  const API = "/api/v1/pickers/";
  const MAX = 50;
  const zh = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  const T = zh
    ? { placeholder: "输入名称、拼音首字母或代码…", none: "没有匹配项", more: "更多结果请继续输入…" }
    : { placeholder: "Type a name, pinyin initials or a code…", none: "No match", more: "Keep typing to narrow…" };
  const norm = (s) => (s || "").toLowerCase().replace(/[\s\u3000()（）·\-_/,，.]+/g, "");
  const ascii = (s) => /^[\x20-\x7e]+$/.test(s);
  let uid = 0;

  // Rank of a match (lower is better) or null: exact value, value prefix, a word prefix (name, initials,
  // pinyin), anywhere.
  function rank(q, value, hay) {
    if (!q) return 9;
    const v = norm(value);
    if (v === q) return 0;
    if (v.startsWith(q)) return 1;
    const words = hay.split(" ");
    if (words.some((w) => norm(w).startsWith(q))) return 2;
    if (norm(hay).includes(q)) return 3;
    return null;
  }

  async function remote(kind, q, dimension, limit) {
    const url = `${API}${encodeURIComponent(kind)}?q=${encodeURIComponent(q)}&dimension=${encodeURIComponent(dimension || "")}&limit=${limit || 20}`;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return [];
      const data = await response.json();
      return Array.isArray(data) ? data : [];
    } catch (e) {
      return [];
    }
  }

  class Picker {
    constructor(el) {
      this.el = el;
      this.kind = el.dataset.picker;
      this.dimension = el.dataset.dimension || "";
      this.isSelect = el.tagName === "SELECT";
      this.multiple = !this.isSelect && !!el.dataset.multiple;
      this.items = [];
      this.active = -1;
      this.seq = 0;
      this.timer = null;
      const n = ++uid;
      this.wrap = document.createElement("div");
      this.wrap.className = "picker";
      el.parentNode.insertBefore(this.wrap, el);
      if (this.isSelect) {
        this.input = document.createElement("input");
        this.input.type = "text";
        this.input.id = (el.id || `picker-${n}`) + "-picker";
        this.input.className = "picker-input";
        for (const a of ["aria-describedby", "aria-invalid", "aria-required"]) {
          if (el.hasAttribute(a)) this.input.setAttribute(a, el.getAttribute(a));
        }
        if (el.required) this.input.setAttribute("aria-required", "true");
        if (el.disabled) this.input.disabled = true;
        this.wrap.appendChild(this.input);
        this.wrap.appendChild(el);
        el.classList.add("picker-native");
        el.tabIndex = -1;
        el.setAttribute("aria-hidden", "true");
        if (el.id) {
          for (const label of document.querySelectorAll(`label[for="${CSS.escape(el.id)}"]`)) label.htmlFor = this.input.id;
        }
        this.showSelected();
      } else {
        this.input = el;
        this.wrap.appendChild(el);
        this.note = document.createElement("span");
        this.note.className = "picker-note small muted";
        this.note.setAttribute("aria-live", "polite");
        this.wrap.appendChild(this.note);
        this.describeValue();
      }
      const input = this.input;
      input.classList.add("picker-input");
      input.autocomplete = "off";
      input.setAttribute("spellcheck", "false");
      if (!input.placeholder) input.placeholder = T.placeholder;
      this.list = document.createElement("ul");
      this.list.className = "picker-list";
      this.list.id = `picker-list-${n}`;
      this.list.setAttribute("role", "listbox");
      this.list.hidden = true;
      this.wrap.appendChild(this.list);
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("aria-controls", this.list.id);

      input.addEventListener("input", () => this.changed());
      input.addEventListener("keydown", (e) => this.key(e));
      input.addEventListener("click", () => { if (this.list.hidden) this.open(""); });
      // the shown name is selected on focus, so typing replaces it with a search
      if (this.isSelect) input.addEventListener("focus", () => input.select());
      input.addEventListener("blur", () => setTimeout(() => this.blurred(), 120));
      this.list.addEventListener("mousedown", (e) => e.preventDefault()); // keep the focus in the input
      this.list.addEventListener("click", (e) => {
        const li = e.target.closest("li[role=option]");
        if (li) this.choose(Number(li.dataset.index));
      });
      if (this.isSelect) {
        el.addEventListener("change", () => this.showSelected());
        el.addEventListener("focus", () => input.focus());
        if (el.hasAttribute("autofocus")) {
          el.removeAttribute("autofocus");
          input.autofocus = true;
          if (document.activeElement === document.body || document.activeElement === el) input.focus();
        }
        if (document.activeElement === el) input.focus();
      }
      el.picker = this;
    }

    // --- what is chosen ---
    selectedOption() {
      const opt = this.el.selectedOptions && this.el.selectedOptions[0];
      return opt && opt.value ? opt : null;
    }
    showSelected() {
      const opt = this.selectedOption();
      this.input.value = opt ? opt.text.replace(/^[\s\u3000]+/, "") : "";
    }
    async describeValue() {
      if (!this.note) return;
      const tokens = this.tokens().filter(Boolean).slice(0, 5);
      if (!tokens.length) { this.note.textContent = ""; return; }
      const labels = [];
      for (const t of tokens) {
        const found = (await remote(this.kind, t, this.dimension, 5)).find((r) => r.value === t);
        if (found) labels.push(found.label);
      }
      this.note.textContent = labels.join("、");
    }
    tokens() {
      return this.multiple ? this.input.value.split(/[,，、]/).map((s) => s.trim()) : [this.input.value.trim()];
    }
    query() {
      const t = this.tokens();
      return t[t.length - 1] || "";
    }

    // --- the list ---
    changed() {
      if (this.isSelect) { this.open(this.input.value.trim()); return; }
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.open(this.query()), 150);
    }
    async open(text) {
      const q = norm(text);
      let items;
      if (this.isSelect) {
        items = this.local(q);
        const needsServer = q && ascii(q) && ![...this.el.options].some((o) => o.dataset.search);
        if (needsServer) { // a select without search text (e.g. built by hand): the server knows the initials
          const seq = ++this.seq;
          const found = await remote(this.kind, q, this.dimension, MAX);
          if (seq !== this.seq) return;
          const have = new Set(items.map((i) => i.value));
          const values = new Map([...this.el.options].map((o) => [o.value, o]));
          for (const r of found) {
            if (!have.has(r.value) && values.has(r.value)) items.push({ value: r.value, label: r.label, hint: r.hint, group: "" });
          }
        }
      } else {
        const seq = ++this.seq;
        const found = await remote(this.kind, text.trim(), this.dimension, 20);
        if (seq !== this.seq || document.activeElement !== this.input) return;
        items = found.map((r) => ({ value: r.value, label: r.label, hint: r.hint, group: "" }));
      }
      this.render(items, q);
    }
    local(q) {
      const out = [];
      for (const opt of this.el.options) {
        if (!opt.value || opt.disabled) continue;
        const text = opt.text.replace(/^[\s\u3000]+/, "");
        const hay = opt.dataset.search || `${opt.value} ${text}`;
        const r = rank(q, opt.value, hay);
        if (r === null) continue;
        const group = opt.parentElement.tagName === "OPTGROUP" ? opt.parentElement.label : "";
        out.push({ r, i: out.length, value: opt.value, label: text, hint: "", group });
      }
      if (q) out.sort((a, b) => a.r - b.r || a.i - b.i);
      return out;
    }
    render(items, q) {
      this.items = items.slice(0, MAX);
      this.list.innerHTML = "";
      let group = null;
      const current = this.isSelect ? this.el.value : this.query();
      this.active = this.items.length ? 0 : -1;
      this.items.forEach((item, index) => {
        if (!q && item.group !== group && item.group) { // headings only in the unfiltered list (tree order)
          const head = document.createElement("li");
          head.className = "picker-group";
          head.setAttribute("role", "presentation");
          head.textContent = item.group;
          this.list.appendChild(head);
        }
        group = item.group;
        const li = document.createElement("li");
        li.id = `${this.list.id}-${index}`;
        li.setAttribute("role", "option");
        li.dataset.index = String(index);
        li.className = "picker-option";
        const label = document.createElement("span");
        label.className = "picker-label";
        label.textContent = item.label;
        li.appendChild(label);
        const hint = item.hint || (q && item.group ? item.group : "");
        if (hint) {
          const h = document.createElement("span");
          h.className = "picker-hint";
          h.textContent = hint;
          li.appendChild(h);
        }
        if (item.value === current) { li.classList.add("picker-current"); if (!q) this.active = index; }
        this.list.appendChild(li);
      });
      if (!this.items.length) {
        const li = document.createElement("li");
        li.className = "picker-empty";
        li.setAttribute("role", "presentation");
        li.textContent = T.none;
        this.list.appendChild(li);
      } else if (items.length > MAX) {
        const li = document.createElement("li");
        li.className = "picker-empty";
        li.setAttribute("role", "presentation");
        li.textContent = T.more;
        this.list.appendChild(li);
      }
      this.list.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
      this.highlight();
    }
    highlight() {
      for (const li of this.list.querySelectorAll("li[role=option]")) {
        const on = Number(li.dataset.index) === this.active;
        li.setAttribute("aria-selected", on ? "true" : "false");
        if (on) li.scrollIntoView({ block: "nearest" });
      }
      if (this.active >= 0) this.input.setAttribute("aria-activedescendant", `${this.list.id}-${this.active}`);
      else this.input.removeAttribute("aria-activedescendant");
    }
    close() {
      this.list.hidden = true;
      this.input.setAttribute("aria-expanded", "false");
      this.input.removeAttribute("aria-activedescendant");
      this.seq++;
    }
    get isOpen() { return !this.list.hidden; }

    // --- picking ---
    choose(index) {
      const item = this.items[index];
      if (!item) return;
      this.set(item.value, item.label);
      this.close();
    }
    set(value, label) {
      if (this.isSelect) {
        if (![...this.el.options].some((o) => o.value === value)) return false;
        if (this.el.value !== value) {
          this.el.value = value;
          this.el.dispatchEvent(new Event("change", { bubbles: true }));
        }
        this.showSelected();
      } else {
        if (this.multiple) {
          const t = this.tokens();
          t[t.length - 1] = value;
          const unique = [...new Set(t.filter(Boolean))];
          this.input.value = unique.join(", ") + ", ";
        } else {
          this.input.value = value;
        }
        this.input.dispatchEvent(new Event("change", { bubbles: true }));
        if (label && !this.multiple) this.note.textContent = label;
        else this.describeValue();
      }
      return true;
    }
    blurred() {
      if (document.activeElement === this.input) return;
      this.close();
      if (this.isSelect) {
        if (!this.input.value.trim() && [...this.el.options].some((o) => o.value === "") && this.el.value !== "") {
          this.el.value = "";
          this.el.dispatchEvent(new Event("change", { bubbles: true }));
        }
        this.showSelected();
      } else {
        if (this.multiple) this.input.value = this.tokens().filter(Boolean).join(", ");
        this.describeValue();
      }
    }
    key(e) {
      const n = this.items.length;
      switch (e.key) {
        case "ArrowDown":
          e.preventDefault();
          if (!this.isOpen) { this.open(this.isSelect ? "" : this.query()); return; }
          if (n) { this.active = (this.active + 1) % n; this.highlight(); }
          break;
        case "ArrowUp":
          e.preventDefault();
          if (!this.isOpen) { this.open(this.isSelect ? "" : this.query()); return; }
          if (n) { this.active = (this.active - 1 + n) % n; this.highlight(); }
          break;
        case "Home": case "End":
          if (this.isOpen && n && e.ctrlKey) { e.preventDefault(); this.active = e.key === "Home" ? 0 : n - 1; this.highlight(); }
          break;
        case "Enter":
          if (e.ctrlKey || e.metaKey) { this.close(); return; } // Ctrl+Enter submits the form (shortcuts.js)
          if (this.isOpen && this.active >= 0) { e.preventDefault(); this.choose(this.active); }
          else if (this.isOpen) { e.preventDefault(); this.close(); }
          break;
        case "Escape":
          if (this.isOpen) {
            e.preventDefault();
            e.stopPropagation();
            this.close();
            if (this.isSelect) this.showSelected();
          }
          break;
        case "Tab":
          if (this.isOpen && this.active >= 0 && this.input.value.trim() && !e.shiftKey) this.choose(this.active);
          else this.close();
          break;
        default:
      }
    }
  }

  function enhance(root) {
    const scope = root && root.querySelectorAll ? root : document;
    const els = [...scope.querySelectorAll("select[data-picker], input[data-picker]")];
    if (scope.matches && scope.matches("select[data-picker], input[data-picker]")) els.push(scope);
    for (const el of els) {
      if (el.picker || el.multiple) continue;
      new Picker(el);
    }
  }

  // One click sets a picker (the assign form's workload list, the intake form's suggestions).
  document.addEventListener("click", (event) => {
    const btn = event.target.closest("[data-pick-for]");
    if (!btn) return;
    event.preventDefault();
    const el = document.getElementById(btn.dataset.pickFor);
    if (!el) return;
    const value = btn.dataset.pickValue || "";
    let ok;
    if (el.picker) ok = el.picker.set(value, btn.dataset.pickLabel || "");
    else if (el.tagName === "SELECT") {
      ok = [...el.options].some((o) => o.value === value);
      if (ok) { el.value = value; el.dispatchEvent(new Event("change", { bubbles: true })); }
    } else { el.value = value; ok = true; }
    if (ok !== false) {
      for (const other of document.querySelectorAll(`[data-pick-for="${CSS.escape(btn.dataset.pickFor)}"]`)) {
        other.setAttribute("aria-pressed", other === btn ? "true" : "false");
      }
    }
  });

  window.xiaobaoPickers = { enhance, Picker };
  document.addEventListener("DOMContentLoaded", () => enhance(document));
  document.addEventListener("htmx:load", (event) => enhance(event.detail && event.detail.elt));
})();
