// Keyboard shortcuts and their help overlay (press ?).
//
// Anywhere: ? this help, / the header search, g l the complaint list, g q my queue. On a complaint's page:
// a assign, t transfer, e the next step, n a note (the notes panel #notes). In a form marked data-ctrl-enter
// (the intake form) or an action form, Ctrl+Enter (⌘+Enter) submits from any field. Single keys never fire
// while typing in a field, with a modifier held, or while a dialog is open.
(() => {
  "use strict";
  const zh = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  const T = zh
    ? {
      title: "键盘快捷键", close: "关闭", everywhere: "所有页面", complaint: "投诉页面", forms: "表单与选择器",
      help: "显示本帮助", search: "聚焦页头搜索框", list: "转到投诉列表", queue: "转到我的待办",
      assign: "分派", transfer: "移交", next: "执行下一步（高亮的操作）", note: "写内部备注",
      submit: "提交表单（如登记投诉）", move: "在选择器中上下移动", pick: "选定高亮项", cancel: "关闭选择器或本帮助",
      tab: "选定高亮项并转到下一字段", then: "再按",
    }
    : {
      title: "Keyboard shortcuts", close: "Close", everywhere: "Everywhere", complaint: "On a complaint", forms: "Forms and pickers",
      help: "Show this help", search: "Focus the header search", list: "Go to the complaint list", queue: "Go to my queue",
      assign: "Assign", transfer: "Transfer", next: "Take the next step (the highlighted action)", note: "Write an internal note",
      submit: "Submit the form (e.g. register the complaint)", move: "Move in a picker's list", pick: "Pick the highlighted entry",
      cancel: "Close a picker or this help", tab: "Pick the highlighted entry and go on to the next field", then: "then",
    };

  const typing = (el) => !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  const visible = (el) => !!el && !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const complaintPage = () => !!document.getElementById("action-panel");
  const action = (code) => document.querySelector(`a[data-testid="action-${code}"], button[data-testid="action-${code}"]`);
  const nextStep = () => document.querySelector(
    '.btn.primary[data-testid^="action-"]:not([data-testid="action-submit"]):not([data-testid="action-form"])');
  const link = (suffix, fallback) => {
    const a = [...document.querySelectorAll("nav.subnav a, .modules a, .navmenu a")]
      .find((x) => new URL(x.href, location.href).pathname.endsWith(suffix));
    return a ? a.href : fallback;
  };

  function rows(list) {
    // "g l" is a sequence (g, then l); "Ctrl+Enter" a chord
    const chord = (p) => p.split("+").map((k) => `<kbd>${k}</kbd>`).join("+");
    const seq = (k) => k.split(" ").map(chord).join(` <span class="small muted">${T.then}</span> `);
    return list.map(([keys, what]) => `<tr><td>${keys.map(seq).join(" / ")}</td><td>${what}</td></tr>`).join("");
  }

  let overlay = null;
  let returnFocus = null;
  function build() {
    overlay = document.createElement("div");
    overlay.className = "kbd-overlay";
    overlay.hidden = true;
    overlay.dataset.testid = "shortcut-help";
    const sections = [
      [T.everywhere, [[["?"], T.help], [["/"], T.search], [["g l"], T.list], [["g q"], T.queue]]],
    ];
    if (complaintPage()) {
      sections.push([T.complaint, [[["a"], T.assign], [["t"], T.transfer], [["e"], T.next], [["n"], T.note]]]);
    }
    sections.push([T.forms, [
      [["Ctrl+Enter"], T.submit], [["↑", "↓"], T.move], [["Enter"], T.pick], [["Tab"], T.tab], [["Esc"], T.cancel],
    ]]);
    overlay.innerHTML = `<div class="kbd-dialog" role="dialog" aria-modal="true" aria-labelledby="kbd-title">
      <h2 id="kbd-title">${T.title}<span class="spacer"></span><button type="button" class="btn small" data-kbd-close>${T.close}</button></h2>
      ${sections.map(([head, list]) => `<h3>${head}</h3><table>${rows(list)}</table>`).join("")}</div>`;
    overlay.addEventListener("click", (e) => {
      if (e.target === overlay || e.target.closest("[data-kbd-close]")) hide();
    });
    document.body.appendChild(overlay);
  }
  function show() {
    if (!overlay) build();
    returnFocus = document.activeElement;
    overlay.hidden = false;
    overlay.querySelector("[data-kbd-close]").focus();
  }
  function hide() {
    if (!overlay || overlay.hidden) return;
    overlay.hidden = true;
    if (returnFocus && returnFocus.focus) returnFocus.focus();
  }
  const open = () => overlay && !overlay.hidden;

  function focusSearch() {
    const input = document.querySelector("#global-search-input, #global-search input[type=search], #global-search input[name=q]");
    if (!input) return false;
    if (!visible(input)) {
      const toggle = document.querySelector("#global-search .gsearch-toggle");
      if (toggle) toggle.click();
    }
    input.focus();
    return document.activeElement === input;
  }

  function focusNote() {
    const box = document.querySelector("#notes textarea");
    if (!box) return false;
    box.scrollIntoView({ block: "center" });
    box.focus();
    return true;
  }

  let prefix = null;
  let prefixTimer = null;
  document.addEventListener("keydown", (e) => {
    // Ctrl+Enter submits the form being typed in (intake form, action forms)
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !e.altKey) {
      const form = e.target.closest && e.target.closest("form[data-ctrl-enter], form.action-form");
      if (form) {
        e.preventDefault();
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
      return;
    }
    if (open()) {
      if (e.key === "Escape" || e.key === "?") { e.preventDefault(); hide(); }
      else if (e.key === "Tab") { e.preventDefault(); overlay.querySelector("[data-kbd-close]").focus(); }
      return;
    }
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target) || e.isComposing) return;
    if (document.querySelector("dialog[open]")) return;
    const key = e.key;
    if (prefix === "g") {
      prefix = null;
      clearTimeout(prefixTimer);
      if (key === "l") { e.preventDefault(); location.href = link("/complaints/", "/complaints/"); }
      else if (key === "q") { e.preventDefault(); location.href = link("/complaints/queue/", "/complaints/queue/"); }
      return;
    }
    if (key === "?") { e.preventDefault(); show(); return; }
    if (key === "/") { if (focusSearch()) e.preventDefault(); return; }
    if (key === "g") { prefix = "g"; prefixTimer = setTimeout(() => { prefix = null; }, 1500); return; }
    if (!complaintPage()) return;
    let target = null;
    if (key === "a") target = action("assign");
    else if (key === "t") target = action("transfer");
    else if (key === "e") target = nextStep();
    else if (key === "n") { if (focusNote()) e.preventDefault(); return; }
    if (target) { e.preventDefault(); target.click(); }
  });
  // the keys are live from here on (a test or another script can wait for this mark)
  document.documentElement.dataset.shortcuts = "ready";
})();
