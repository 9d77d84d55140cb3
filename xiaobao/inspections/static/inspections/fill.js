// The inspection fill page: every answer is saved as it is given. Unsent answers are kept in localStorage
// and sent again when the connection is back (or the page is opened again): a dropped connection loses
// nothing. Each answer carries the moment it was given, so an older resend never replaces a newer answer.
(function () {
  "use strict";
  const root = document.querySelector("[data-fill]");
  if (!root) return;
  const key = "xb-inspection-" + root.dataset.inspection;
  const csrf = root.dataset.csrf;
  const conn = root.querySelector("[data-conn]");
  const bandsEl = document.getElementById("rating-bands");
  const bands = bandsEl ? JSON.parse(bandsEl.textContent) : [];
  const inflight = {};
  const photoQueue = [];
  let retryDelay = 2000;
  let retryTimer = null;
  let pending = load();

  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { return {}; }
  }
  function persist() {
    try { localStorage.setItem(key, JSON.stringify(pending)); } catch (e) { /* private mode: memory only */ }
    banner();
  }
  function cardOf(code) {
    return root.querySelector('[data-item="' + CSS.escape(code) + '"]');
  }
  function setState(card, state, text) {
    if (!card) return;
    card.classList.remove("is-pending", "is-error", "is-saved");
    card.classList.add("is-" + state);
    const el = card.querySelector("[data-state]");
    if (el) el.textContent = text || (state === "saved" ? root.dataset.msgSaved : state === "pending" ? root.dataset.msgPending : "");
  }
  function banner(message) {
    const n = Object.keys(pending).length + photoQueue.length;
    if (message) { conn.textContent = message; conn.className = "conn warn"; return; }
    if (n === 0) { conn.textContent = ""; conn.className = "conn"; return; }
    conn.textContent = (navigator.onLine ? root.dataset.msgPending : root.dataset.msgOffline) + " (" + n + ")";
    conn.className = "conn warn";
  }
  function read(card) {
    const kind = card.dataset.kind;
    let value = "";
    if (kind === "yes_no" || kind === "score") {
      const checked = card.querySelector("input[type=radio]:checked");
      value = checked ? checked.value : "";
    } else if (kind === "photo") {
      value = card.querySelector(".thumb") ? "taken" : "";
    } else {
      const input = card.querySelector(".value-input");
      value = input ? input.value : "";
    }
    const note = card.querySelector("[data-note]");
    return { value: value, note: note ? note.value : "" };
  }
  function restore(code, entry) {
    const card = cardOf(code);
    if (!card) return;
    const radio = card.querySelector('input[type=radio][value="' + CSS.escape(String(entry.value)) + '"]');
    if (radio) radio.checked = true;
    const input = card.querySelector(".value-input");
    if (input) input.value = entry.value;
    const note = card.querySelector("[data-note]");
    if (note && entry.note) { note.value = entry.note; note.closest("details").open = true; }
    setState(card, "pending");
  }
  function queue(card) {
    const answer = read(card);
    if (answer.value === "") return; // a note before an answer waits for the answer
    pending[card.dataset.item] = { value: answer.value, note: answer.note, given_at: new Date().toISOString() };
    persist();
    setState(card, "pending");
    send(card.dataset.item);
  }
  function isJson(res) {
    return (res.headers.get("Content-Type") || "").indexOf("application/json") === 0;
  }
  async function send(code) {
    if (inflight[code]) { inflight[code].again = true; return; }
    const entry = pending[code];
    if (!entry) return;
    inflight[code] = { again: false };
    const card = cardOf(code);
    const body = new FormData();
    body.append("value", entry.value);
    body.append("note", entry.note);
    body.append("given_at", entry.given_at);
    let res = null;
    try {
      res = await fetch(root.dataset.answerUrl.replace("__ITEM__", encodeURIComponent(code)), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
      });
    } catch (e) { res = null; }
    const again = inflight[code].again;
    delete inflight[code];
    const same = pending[code] && pending[code].given_at === entry.given_at;
    if (res && res.ok && isJson(res)) {
      const data = await res.json();
      if (same) { delete pending[code]; persist(); }
      if (card) {
        card.classList.toggle("failed", data.passed === false);
        setState(card, "saved");
      }
      score(data);
      retryDelay = 2000;
    } else if (res && !isJson(res)) {
      banner(root.dataset.msgLogin); // a login page instead of an answer: keep everything
      retry();
    } else if (res && res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
      const data = await res.json().catch(function () { return {}; });
      if (same) { delete pending[code]; persist(); }
      setState(card, "error", data.message || String(res.status));
    } else {
      setState(card, "pending");
      banner();
      retry();
    }
    if (again || (pending[code] && !same)) send(code);
  }
  function retry() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }
  function flush() {
    Object.keys(pending).forEach(send);
    photoQueue.splice(0).forEach(function (p) { upload(p.input, p.file); });
  }
  function stars(percent) {
    let best = 0;
    bands.forEach(function (b) { if (percent >= b[1] && b[0] > best) best = b[0]; });
    return best ? "★".repeat(best) : "";
  }
  function score(data) {
    const head = document.getElementById("running");
    head.querySelector("[data-percent]").textContent = data.percent === null ? "—" : data.percent + "%";
    head.querySelector("[data-points]").textContent = data.score + " / " + data.max_score;
    head.querySelector("[data-stars]").textContent = data.percent === null ? "" : stars(parseFloat(data.percent));
    (data.sections || []).forEach(function (s) {
      const el = root.querySelector('[data-section-score="' + CSS.escape(s.code) + '"]');
      if (el) el.textContent = s.score + "/" + s.max_score + (s.gated ? " ⛔" : "");
    });
  }
  async function upload(input, file) {
    const card = input.closest("[data-item]");
    const body = new FormData();
    body.append("file", file, file.name || "photo.jpg");
    body.append("item", input.dataset.photoFor);
    setState(card, "pending", root.dataset.msgUploading);
    let res = null;
    try {
      res = await fetch(root.dataset.photoUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
      });
    } catch (e) { res = null; }
    if (res && res.ok && isJson(res)) {
      const data = await res.json();
      const thumbs = card.querySelector("[data-thumbs]");
      if (data.created || !thumbs.querySelector('img[src="' + data.url + '"]')) {
        const img = document.createElement("img");
        img.className = "thumb"; img.src = data.url; img.alt = "";
        thumbs.appendChild(img);
      }
      setState(card, "saved");
      if (card.dataset.kind === "photo") card.classList.remove("failed");
      banner();
    } else if (res && isJson(res) && res.status < 500) {
      const data = await res.json().catch(function () { return {}; });
      setState(card, "error", data.message || String(res.status));
    } else {
      photoQueue.push({ input: input, file: file }); // kept in memory until the connection is back
      setState(card, "pending", root.dataset.msgPhotoFailed);
      banner();
      retry();
    }
  }

  root.addEventListener("change", function (event) {
    const t = event.target;
    if (t.matches("input[type=file][data-photo-for]")) {
      if (t.files && t.files[0]) upload(t, t.files[0]);
      t.value = "";
      return;
    }
    const card = t.closest("[data-item]");
    if (card) queue(card);
  });
  root.querySelector("[data-submit]").addEventListener("submit", function (event) {
    if (Object.keys(pending).length || photoQueue.length) {
      event.preventDefault();
      banner(root.dataset.msgUnsent);
      flush();
    }
  });
  window.addEventListener("online", function () { retryDelay = 2000; flush(); });
  window.addEventListener("offline", function () { banner(); });
  Object.keys(pending).forEach(function (code) { restore(code, pending[code]); });
  banner();
  flush();
  const p = root.querySelector("[data-percent]").textContent;
  if (p && p !== "—") root.querySelector("[data-stars]").textContent = stars(parseFloat(p));
})();
