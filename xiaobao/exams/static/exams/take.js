// The exam-taking page. Every answer is saved as it is given (PUT /api/v1/attempts/{id}/answers/{qid} with
// the CSRF token). An answer the server has not confirmed yet is kept in localStorage and sent again when the
// connection is back or the page is opened again, so a dropped connection or a closed tab loses nothing; each
// carries the moment it was given, so an older resend never replaces a newer answer. The only clock is the
// server's: the countdown starts from the remaining_seconds the page was rendered with and is re-synced on every
// save; at zero the attempt is submitted (the server grades it with what was saved in any case) and the
// result page opens.
// Several pages of the same attempt may share the kept answers (a reload: the old page still gets the replies
// to what it sent while the new one is loading), so the kept answers are changed one entry at a time in
// localStorage itself, an entry is forgotten only if it is still the one that was sent (same moment given),
// and once the page is being left its replies confirm nothing. On opening, the page takes each answer and
// its state from the server (GET /api/v1/attempts/{id}) unless this browser holds a newer unconfirmed one.
(function () {
  "use strict";
  const root = document.querySelector("[data-take]");
  if (!root) {
    // the result page forgets the answers this browser kept for a finished attempt
    const done = document.querySelector("[data-attempt-done]");
    if (done) { try { localStorage.removeItem("xb-attempt-" + done.dataset.attemptDone); } catch (e) { /* none */ } }
    return;
  }
  const d = root.dataset;
  const key = "xb-attempt-" + d.attempt;
  const practice = d.practice === "1";
  const conn = root.querySelector("[data-conn]");
  const clock = root.querySelector("[data-clock]");
  const answeredEl = root.querySelector("[data-answered]");
  const form = root.querySelector("[data-submit]");
  const confirmBox = root.querySelector("[data-confirm]");
  const inflight = {};
  let pending = load();
  let endAt = Date.now() + parseInt(d.remaining, 10) * 1000;
  let retryDelay = 2000;
  let retryTimer = null;
  let timeUp = false; // no more answers are sent
  let ending = false; // the countdown reached zero: the last answers go out, then the attempt is submitted
  let submitWanted = false;
  let confirmed = false;
  let notice = "";
  let leaving = false; // pagehide / beforeunload: replies are no longer confirmations
  const touched = {}; // question id → when this page last changed or confirmed its answer (Date.now())

  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { return {}; }
  }
  function save(kept) {
    try { localStorage.setItem(key, JSON.stringify(kept)); } catch (e) { /* private mode: memory only */ }
  }
  function keep(qid, entry) {
    // one entry at a time: what another page of this attempt keeps is left as it is
    pending[qid] = entry;
    const kept = load();
    kept[qid] = entry;
    save(kept);
    banner();
  }
  function forget(qid, entry) {
    // only the entry that was sent (the same moment given): a newer answer stays kept
    if (pending[qid] && pending[qid].given_at === entry.given_at) delete pending[qid];
    const kept = load();
    if (kept[qid] && kept[qid].given_at === entry.given_at) { delete kept[qid]; save(kept); }
    banner();
  }
  function cards() { return root.querySelectorAll("[data-q]"); }
  function cardOf(qid) { return root.querySelector('[data-q="' + CSS.escape(String(qid)) + '"]'); }
  function navOf(qid) { return root.querySelector('[data-nav="' + CSS.escape(String(qid)) + '"]'); }

  // --- answers ---------------------------------------------------------------------------------------------
  function read(card) {
    const kind = card.dataset.kind;
    if (kind === "blank") {
      const input = card.querySelector("[data-blank]");
      return input ? input.value.trim() : "";
    }
    const picked = [];
    card.querySelectorAll("input[data-option]:checked").forEach(function (el) { picked.push(parseInt(el.value, 10)); });
    return picked.sort(function (a, b) { return a - b; });
  }
  function isEmpty(answer) { return answer === null || answer === "" || (Array.isArray(answer) && answer.length === 0); }
  function show(card, answer) {
    if (card.dataset.kind === "blank") {
      const input = card.querySelector("[data-blank]");
      if (input) input.value = answer || "";
      return;
    }
    card.querySelectorAll("input[data-option]").forEach(function (el) {
      el.checked = Array.isArray(answer) && answer.indexOf(parseInt(el.value, 10)) >= 0;
    });
  }
  function setState(card, state, text) {
    if (!card) return;
    card.classList.remove("is-pending", "is-error", "is-saved", "is-empty");
    card.classList.add("is-" + state);
    const el = card.querySelector("[data-state]");
    if (el) {
      el.textContent = text || { saved: d.msgSaved, pending: d.msgPending, empty: d.msgEmpty, error: "" }[state];
    }
    const nav = navOf(card.dataset.q);
    if (nav) {
      nav.classList.remove("is-pending", "is-error", "is-saved", "is-empty");
      nav.classList.add("is-" + state);
    }
    count();
  }
  function count() {
    // answered: saved by the server, or given and waiting to be sent
    let n = 0;
    cards().forEach(function (c) {
      const p = pending[c.dataset.q];
      if (p ? !isEmpty(p.answer) : c.classList.contains("is-saved")) n += 1;
    });
    if (answeredEl) answeredEl.textContent = String(n);
    return n;
  }
  function queue(card) {
    if (ending || timeUp) return;
    const qid = card.dataset.q;
    touched[qid] = Date.now();
    keep(qid, { answer: read(card), given_at: new Date().toISOString() });
    setState(card, "pending");
    send(qid);
  }
  function isJson(res) { return (res.headers.get("Content-Type") || "").indexOf("application/json") === 0; }

  async function send(qid) {
    if (timeUp) return;
    if (inflight[qid]) { inflight[qid].again = true; return; }
    const entry = pending[qid];
    if (!entry) return;
    inflight[qid] = { again: false };
    const card = cardOf(qid);
    let res = null;
    try {
      res = await fetch(d.answerUrl.replace("__QID__", encodeURIComponent(qid)), {
        method: "PUT",
        body: JSON.stringify({ answer: entry.answer }),
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": d.csrf, "Accept": "application/json" },
      });
    } catch (e) { res = null; }
    const again = inflight[qid].again;
    delete inflight[qid];
    // the page is being left (a reload, another page): the next page sends again what is still kept and
    // takes the rest from the server, so a late reply must not forget an entry that page relies on
    if (leaving) return;
    const same = pending[qid] && pending[qid].given_at === entry.given_at;
    if (res && res.ok && isJson(res)) {
      const data = await res.json();
      if (same) {
        touched[qid] = Date.now();
        forget(qid, entry);
        setState(card, isEmpty(entry.answer) ? "empty" : "saved");
      }
      if (typeof data.remaining_seconds === "number") sync(data.remaining_seconds);
      if (practice && same) feedback(card, data);
      retryDelay = 2000;
      notice = "";
      banner();
    } else if (res && res.status === 409) {
      const data = await res.json().catch(function () { return {}; });
      if (data.code !== "answered") {
        // the time is over: the server refused the answer and graded the attempt with what was saved
        finish();
        return;
      }
      // practice keeps the first answer given: this other one is not taken
      if (same) forget(qid, entry);
      setState(card, "error", data.message || String(res.status));
    } else if (res && (res.status === 401 || !isJson(res))) {
      notice = d.msgLogin; // the session ended (or a login page came back): keep everything, try again later
      banner();
      retry();
    } else if (res && res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
      const data = await res.json().catch(function () { return {}; });
      if (same) forget(qid, entry);
      setState(card, "error", data.message || String(res.status));
    } else {
      if (card && same) setState(card, "pending");
      banner();
      retry();
    }
    if (again || (pending[qid] && !same)) { send(qid); return; }
    submitIfWanted();
  }
  function submitIfWanted() {
    if (submitWanted && !ending && Object.keys(pending).length === 0 && Object.keys(inflight).length === 0) {
      submitWanted = false;
      form.submit();
    }
  }
  function retry() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }
  function flush() { Object.keys(pending).forEach(send); }

  // --- practice: the feedback on an answer as soon as it is saved ----------------------------------------------
  function feedback(card, data) {
    const box = card && card.querySelector("[data-feedback]");
    if (!box || typeof data.correct !== "boolean") return;
    box.hidden = false;
    box.className = "q-feedback " + (data.correct ? "right" : "wrong");
    card.querySelectorAll("input, button").forEach(function (el) { el.disabled = true; });
    card.classList.add("graded");
    box.textContent = "";
    const head = document.createElement("strong");
    head.textContent = data.correct ? d.msgRight : d.msgWrong;
    box.appendChild(head);
    const keyText = keyLabel(card, data);
    if (keyText) {
      const k = document.createElement("div");
      k.textContent = d.msgKey + keyText;
      box.appendChild(k);
    }
    if (data.explanation) {
      const ex = document.createElement("div");
      ex.className = "explanation";
      ex.textContent = data.explanation;
      box.appendChild(ex);
    }
  }
  function keyLabel(card, data) {
    const k = data.key !== undefined ? data.key : data.answer;
    if (k === undefined || k === null) return "";
    if (typeof k === "string") return k.split("|").join(" / ");
    const letters = [];
    k.forEach(function (i) {
      const input = card.querySelector('input[data-option][value="' + i + '"]');
      const label = input && input.closest("label");
      if (!label) { letters.push(String(i + 1)); return; }
      const letter = label.querySelector(".opt-letter").textContent.trim();
      // true/false options are their own words
      letters.push(letter || label.querySelector(".opt-text").textContent.trim());
    });
    return letters.join(card.dataset.kind === "true_false" ? "、" : "");
  }

  // --- the server's clock ------------------------------------------------------------------------------------
  function sync(seconds) { endAt = Date.now() + seconds * 1000; tick(); }
  function fmt(s) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    const mm = (m < 10 ? "0" : "") + m;
    return (h ? h + ":" : "") + mm + ":" + (sec < 10 ? "0" : "") + sec;
  }
  function tick() {
    const left = Math.max(0, Math.ceil((endAt - Date.now()) / 1000));
    clock.textContent = fmt(left);
    clock.classList.toggle("warn", left <= 300 && left > 60);
    clock.classList.toggle("bad", left <= 60);
    if (left <= 0 && !ending && !timeUp) autoSubmit();
  }
  async function resync() {
    // after the page opened, the phone slept or the connection came back: ask the server how much time is
    // left and what it has saved
    const asked = Date.now();
    try {
      const res = await fetch(d.stateUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } });
      if (leaving) return;
      if (res.ok && isJson(res)) {
        const data = await res.json();
        if (data.status && data.status !== "in_progress") { finish(); return; }
        if (typeof data.remaining_seconds === "number") sync(data.remaining_seconds);
        if (Array.isArray(data.questions)) data.questions.forEach(function (q) { adopt(q, asked); });
        count();
      }
    } catch (e) { /* offline: the local countdown goes on */ }
  }
  function sameAnswer(a, b) { return JSON.stringify(isEmpty(a) ? null : a) === JSON.stringify(isEmpty(b) ? null : b); }
  function adopt(q, asked) {
    // the server's saved answer wins, unless this browser keeps a newer one it has not confirmed yet
    const qid = String(q.id);
    const card = cardOf(qid);
    if (!card || card.classList.contains("graded")) return;
    const mine = pending[qid];
    if (mine) {
      if (sameAnswer(mine.answer, q.saved)) {
        if (!inflight[qid]) forget(qid, mine); // already saved: nothing to send
      } else if (!q.saved_at || Date.parse(mine.given_at) >= Date.parse(q.saved_at)) {
        return; // newer here: it is being sent
      } else {
        forget(qid, mine); // answered later elsewhere (another device)
      }
      if (pending[qid]) return;
    } else if ((touched[qid] || 0) >= asked) {
      return; // changed or confirmed here after the server answered: what the page shows is newer
    }
    if (typing[qid]) return; // being typed: it is sent when the typing pauses
    show(card, q.saved);
    setState(card, isEmpty(q.saved) ? "empty" : "saved");
    if (practice && !isEmpty(q.saved) && typeof q.correct === "boolean") feedback(card, q);
  }

  // --- the end: submitted by the candidate, or when the time runs out -------------------------------------------
  function lock() {
    root.querySelectorAll("input, textarea, button").forEach(function (el) { el.disabled = true; });
  }
  function finish() {
    timeUp = true;
    lock();
    notice = d.msgGraded;
    banner();
    window.location.assign(d.resultUrl);
  }
  async function autoSubmit() {
    ending = true;
    lock();
    notice = d.msgTimeUp;
    banner();
    // the answers not confirmed yet go out first: the server takes them while its own time is not up
    const last = Object.keys(pending).map(send);
    await Promise.race([Promise.all(last), new Promise(function (r) { setTimeout(r, 3000); })]);
    if (timeUp) return; // a refused answer (409) has already opened the result
    timeUp = true;
    let res = null;
    try {
      res = await fetch(d.submitUrl, {
        method: "POST", body: "{}", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": d.csrf, "Accept": "application/json" },
      });
    } catch (e) { res = null; }
    if (res && (res.ok || res.status === 409 || res.status === 404)) {
      window.location.assign(d.resultUrl);
    } else {
      // offline: the server grades the attempt at its end anyway; show the result when the connection is back
      window.addEventListener("online", function () { window.location.assign(d.resultUrl); }, { once: true });
      setTimeout(function () { window.location.assign(d.resultUrl); }, 15000);
    }
  }
  function banner() {
    const n = Object.keys(pending).length;
    let text = notice;
    if (notice === d.msgUnsent && !navigator.onLine) text = d.msgOffline + " " + d.msgSubmitLater;
    else if (!text && n) text = (navigator.onLine ? d.msgPending : d.msgOffline) + " (" + n + ")";
    else if (!text && !navigator.onLine) text = d.msgOffline;
    conn.textContent = text;
    conn.className = text ? "conn warn" : "conn";
  }

  // --- events --------------------------------------------------------------------------------------------------
  const typing = {};
  function checkFirst(card) {
    // practice grades an answer at once: a multiple choice or a written answer waits for "check"
    return practice && (card.dataset.kind === "multiple" || card.dataset.kind === "blank");
  }
  root.addEventListener("click", function (event) {
    const btn = event.target.closest("[data-check]");
    if (!btn) return;
    const card = btn.closest("[data-q]");
    if (!isEmpty(read(card))) queue(card);
  });
  root.addEventListener("change", function (event) {
    const card = event.target.closest("[data-q]");
    if (!card || checkFirst(card)) return;
    if (typing[card.dataset.q]) { clearTimeout(typing[card.dataset.q]); delete typing[card.dataset.q]; }
    queue(card);
  });
  root.addEventListener("input", function (event) {
    // a written answer is also saved while typing (a tab closed before the field loses the focus loses
    // nothing); a practice answer only when finished, as it is graded at once
    const input = event.target.closest("[data-blank]");
    if (!input || practice) return;
    const card = input.closest("[data-q]");
    clearTimeout(typing[card.dataset.q]);
    typing[card.dataset.q] = setTimeout(function () { delete typing[card.dataset.q]; queue(card); }, 1200);
  });
  root.addEventListener("keydown", function (event) {
    // Enter in a written answer saves it instead of submitting the attempt
    if (event.key === "Enter" && event.target.matches("[data-blank]")) {
      event.preventDefault();
      const card = event.target.closest("[data-q]");
      if (checkFirst(card)) { if (!isEmpty(read(card))) queue(card); } else event.target.blur();
    }
  });
  form.addEventListener("submit", function (event) {
    if (ending || timeUp) { event.preventDefault(); return; }
    const unanswered = cards().length - count();
    if (unanswered > 0 && !confirmed) {
      event.preventDefault();
      confirmed = true;
      confirmBox.hidden = false;
      confirmBox.querySelector("[data-unanswered]").textContent = String(unanswered);
      confirmBox.scrollIntoView({ block: "center" });
      return;
    }
    if (Object.keys(pending).length || Object.keys(inflight).length || !navigator.onLine) {
      // the last answers first (and the connection back): the attempt is submitted as soon as they are saved
      event.preventDefault();
      submitWanted = true;
      notice = d.msgUnsent;
      banner();
      retryDelay = 2000;
      flush();
    }
  });
  root.querySelectorAll("[data-keep-answering]").forEach(function (btn) {
    btn.addEventListener("click", function () { confirmed = false; confirmBox.hidden = true; });
  });
  window.addEventListener("online", function () {
    if (ending || timeUp) return;
    retryDelay = 2000;
    if (notice !== d.msgUnsent) notice = "";
    banner();
    flush();
    resync();
    submitIfWanted();
  });
  window.addEventListener("offline", function () { banner(); });
  function leave() { leaving = true; }
  window.addEventListener("pagehide", leave);
  window.addEventListener("beforeunload", leave);
  window.addEventListener("pageshow", function (event) {
    // back from the back/forward cache: this page is live again; take what is kept and the server's state
    if (!event.persisted) return;
    leaving = false;
    pending = load();
    Object.keys(pending).forEach(function (qid) {
      const card = cardOf(qid);
      if (card) { show(card, pending[qid].answer); setState(card, "pending"); }
    });
    banner();
    resync();
    flush();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !timeUp) { resync(); flush(); }
  });

  // answers this browser kept and the server has not confirmed: shown as given, sent again now
  Object.keys(pending).forEach(function (qid) {
    const card = cardOf(qid);
    if (!card) { forget(qid, pending[qid]); return; }
    show(card, pending[qid].answer);
    setState(card, "pending");
  });
  banner();
  count();
  tick();
  setInterval(tick, 500);
  flush();
  // the page may have been rendered before an answer sent by the previous page was stored
  resync();
})();
