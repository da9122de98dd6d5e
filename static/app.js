// mockexam — progressive enhancement only: every page works without this file.
// - autosave: each change of an answer is saved at once (fetch, JSON reply), retried until it lands
// - countdown: derived from the server's remaining seconds, re-synced on focus, wake and every save
// - case-study tabs: keyboard-operable tabs over native <details>
(function () {
  "use strict";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  // ---------- countdown ----------
  var timer = $("#timer");
  var announcer = $("#timer-announcer");
  var deadline = null; // in performance.now() milliseconds
  var warned = { ten: false, one: false };
  var expiring = false;

  function setRemaining(seconds) {
    if (seconds === null || seconds === undefined || !timer) return;
    deadline = performance.now() + Math.max(0, seconds) * 1000;
    tick();
  }

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function format(sec) {
    var h = Math.floor(sec / 3600), m = Math.floor((sec % 3600) / 60), s = sec % 60;
    var mm = (h > 0 && m < 10 ? "0" : "") + m, ss = (s < 10 ? "0" : "") + s;
    return (h > 0 ? h + ":" : "") + mm + ":" + ss;
  }

  function tick() {
    if (!timer || deadline === null) return;
    var left = Math.max(0, Math.round((deadline - performance.now()) / 1000));
    var value = $("#timer-value");
    if (value) {
      value.textContent = format(left);
      // Screen readers get whole minutes (the seconds would be noise), not announced.
      value.setAttribute("aria-hidden", "true");
      var spoken = $("#timer-spoken");
      var words = left > 60 ? Math.ceil(left / 60) + " minutes left" : "Less than a minute left";
      if (spoken && spoken.textContent !== words) spoken.textContent = words;
    }
    timer.classList.toggle("warning", left <= 600 && left > 60);
    timer.classList.toggle("critical", left <= 60);
    // Not by colour alone: the label says it too.
    var label = $("#timer-label");
    if (label) label.textContent = left <= 60 ? "Under 1 minute" : left <= 600 ? "Under 10 minutes" : "Time left";
    if (left <= 600 && left > 60 && !warned.ten) { warned.ten = true; announce("10 minutes left."); }
    if (left <= 60 && left > 0 && !warned.one) { warned.one = true; announce("1 minute left. Your answers are saved as you go."); }
    if (left === 0 && !expiring) { expiring = true; onExpiry(); }
  }

  function syncFromServer() {
    if (!timer) return;
    fetch(timer.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.redirect) { window.location.assign(s.redirect); return; }
        setRemaining(s.remaining_seconds);
      })
      .catch(function () { /* keep counting; the next sync or save corrects it */ });
  }

  function onExpiry() {
    announce("Time is up. Submitting your saved answers.");
    // Saves in flight go first, but a save stuck retrying offline does not hold the page.
    Promise.race([flushSaves(), sleep(10000)]).then(function () { closeWhenServerAgrees(0); });
  }

  // The server's clock decides. Its remaining time is rounded down, so this page can reach zero
  // a moment before the deadline: ask until the server has closed the attempt, then show the
  // report. (Going straight to the report would bounce back to the review screen.)
  function closeWhenServerAgrees(tries) {
    fetch(timer.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.redirect) { window.location.assign(s.redirect); return; }
        if (s.expired) {
          // Time is up on the server too: everything saved is in, so close the attempt now.
          return fetch(timer.dataset.submitUrl, { method: "POST", credentials: "same-origin" })
            .then(function (r) {
              if (!r.ok) throw new Error("submit " + r.status);
              window.location.assign(timer.dataset.resultUrl);
            });
        }
        throw new Error("still open");
      })
      .catch(function () {
        if (tries >= 20) { window.location.assign(timer.dataset.resultUrl); return; }
        window.setTimeout(function () { closeWhenServerAgrees(tries + 1); }, Math.min(5000, 500 * (tries + 1)));
      });
  }

  if (timer) {
    setRemaining(parseInt(timer.dataset.remaining, 10));
    window.setInterval(tick, 1000);
    window.setInterval(syncFromServer, 60000);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) syncFromServer(); });
    window.addEventListener("focus", syncFromServer);
    window.addEventListener("pageshow", function (e) { if (e.persisted) syncFromServer(); });
    var toggle = $("#timer-toggle");
    if (toggle) {
      toggle.hidden = false;
      var hiddenPref = window.localStorage && localStorage.getItem("mockexam.timerHidden") === "1";
      var apply = function (hide) {
        timer.classList.toggle("is-hidden", hide);
        toggle.textContent = hide ? "Show timer" : "Hide timer";
        toggle.setAttribute("aria-pressed", hide ? "true" : "false");
      };
      apply(hiddenPref);
      toggle.addEventListener("click", function () {
        var hide = !timer.classList.contains("is-hidden");
        apply(hide);
        try { localStorage.setItem("mockexam.timerHidden", hide ? "1" : "0"); } catch (e) { /* private mode */ }
      });
    }
  }

  // ---------- autosave ----------
  var form = $("form[data-autosave]");
  var stateEl = $("#save-state");
  var chain = Promise.resolve();
  var pending = 0;
  var dirty = false;
  var blocked = false; // a refusal that retrying cannot fix (stale tab, closed question)

  function showState(text, cls) {
    if (!stateEl) return;
    stateEl.textContent = text;
    stateEl.className = "save-state" + (cls ? " " + cls : "");
  }

  function payload() {
    var data = new URLSearchParams(new FormData(form));
    data.set("nav", "stay");
    return data;
  }

  function sleep(ms) { return new Promise(function (res) { window.setTimeout(res, ms); }); }

  // One save at a time, in order; a failed save is retried with backoff until it lands, so an
  // answer given while offline is sent when the connection returns.
  // A retry sends exactly the body of the first try: if that one landed but its reply was lost,
  // the server recognises the repeat. A later change is queued as a save of its own.
  function saveOnce(attempt, sent) {
    var body = sent || payload();
    return fetch(form.action, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      credentials: "same-origin",
      body: body.toString()
    }).then(function (r) {
      var retryAfter = parseInt(r.headers.get("Retry-After") || "", 10);
      return r.json().catch(function () { return {}; }).then(function (j) {
        return { status: r.status, body: j, retryAfter: isNaN(retryAfter) ? 0 : retryAfter };
      });
    }).then(function (res) {
      if (res.body && res.body.saved) {
        $("#revision").value = res.body.revision;
        if (res.body.remaining_seconds !== undefined) setRemaining(res.body.remaining_seconds);
        showState("All answers saved", "is-saved");
        return;
      }
      if (res.body && res.body.redirect) {
        showState(res.body.error || "This attempt is closed.", "is-error");
        window.setTimeout(function () { window.location.assign(res.body.redirect); }, 1500);
        blocked = true;
        return;
      }
      if (res.status === 409 || res.status === 422 || res.status === 404 || res.status === 403 || res.status === 400) {
        // 400 and 422: this body cannot be saved as it is, but a changed answer may be.
        blocked = res.status !== 422 && res.status !== 400;
        showState(res.body && res.body.error ? res.body.error : "Not saved.", "is-error");
        return;
      }
      var err = new Error("status " + res.status);
      err.retryAfter = res.retryAfter;
      throw err;
    }).catch(function (err) {
      if (blocked) return;
      // Backoff doubles up to 15 s; a busy server's Retry-After is a floor, and jitter keeps a
      // class of candidates from retrying in step.
      var wait = Math.max(Math.min(15000, 1000 * Math.pow(2, attempt)), 1000 * ((err && err.retryAfter) || 0));
      wait = Math.round(wait * (0.8 + 0.4 * Math.random()));
      showState("Not saved — retrying…", "is-error");
      return sleep(wait).then(function () { return saveOnce(attempt + 1, body); });
    });
  }

  function queueSave() {
    if (blocked) return chain;
    dirty = true;
    pending += 1;
    showState("Saving…", "");
    chain = chain.then(function () {
      if (!dirty) return;
      dirty = false;
      return saveOnce(0);
    }).then(function () { pending -= 1; }, function () { pending -= 1; });
    return chain;
  }

  function flushSaves() { return chain.catch(function () {}); }

  if (form) {
    form.addEventListener("change", function (e) {
      if (e.target && e.target.name === "revision") return;
      if (form.dataset.kind === "multiple" && e.target.name === "choice") limitChoices(e.target);
      queueSave();
    });
    // Navigation waits for saves in flight so that the form posts the newest revision.
    form.addEventListener("submit", function (e) {
      if (pending === 0 || blocked) return;
      e.preventDefault();
      var submitter = e.submitter;
      showState("Saving before you move on…", "");
      flushSaves().then(function () {
        // form.submit() sends no submitter: carry the pressed button's name and value.
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = submitter && submitter.name ? submitter.name : "nav";
        field.value = submitter ? submitter.value : "next";
        form.appendChild(field);
        form.submit();
      });
    });
    window.addEventListener("beforeunload", function (e) {
      if (pending > 0 && !blocked) { e.preventDefault(); e.returnValue = ""; }
    });
    window.addEventListener("online", function () { if (pending > 0) showState("Back online — saving…", ""); });
  }

  // "Choose two": once the limit is reached, the other boxes are disabled until one is cleared.
  function limitChoices() {
    var boxes = $all("input[name=choice]", form);
    var text = $("#instruction") ? $("#instruction").textContent : "";
    var words = { two: 2, three: 3, four: 4, five: 5 };
    var m = text.match(/Choose (\w+)/);
    var limit = m ? (words[m[1]] || parseInt(m[1], 10)) : boxes.length;
    var checked = boxes.filter(function (b) { return b.checked; }).length;
    boxes.forEach(function (b) { b.disabled = !b.checked && checked >= limit; });
  }
  if (form && form.dataset.kind === "multiple") limitChoices();

  // ---------- case-study tabs ----------
  $all("[data-tabs]").forEach(function (container) {
    var panels = $all("details.tab", container);
    if (panels.length < 2) return;
    var list = document.createElement("div");
    list.className = "tab-list";
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", "Case study sections");
    var buttons = panels.map(function (d, i) {
      var summary = $("summary", d);
      var body = $(".tab-body", d);
      var b = document.createElement("button");
      b.type = "button";
      b.id = d.id + "-tab";
      b.textContent = summary.textContent;
      b.setAttribute("role", "tab");
      b.setAttribute("aria-controls", d.id + "-panel");
      body.id = d.id + "-panel";
      body.setAttribute("role", "tabpanel");
      body.setAttribute("aria-labelledby", b.id);
      body.tabIndex = 0;
      list.appendChild(b);
      b.addEventListener("click", function () { select(i, true); });
      b.addEventListener("keydown", function (e) {
        var n = null;
        if (e.key === "ArrowRight") n = (i + 1) % panels.length;
        if (e.key === "ArrowLeft") n = (i - 1 + panels.length) % panels.length;
        if (e.key === "Home") n = 0;
        if (e.key === "End") n = panels.length - 1;
        if (n !== null) { e.preventDefault(); select(n, true); }
      });
      return b;
    });
    function select(i, focus) {
      panels.forEach(function (d, j) {
        var on = i === j;
        d.open = on;
        buttons[j].setAttribute("aria-selected", on ? "true" : "false");
        buttons[j].tabIndex = on ? 0 : -1;
        $("summary", d).hidden = true;
        d.hidden = !on;
      });
      if (focus) buttons[i].focus();
    }
    container.insertBefore(list, container.firstChild);
    container.classList.add("is-enhanced");
    select(0, false);
  });
})();

// Build lists: drag an action onto a step as well as choosing it in the step's drop-down. The
// drop-downs stay the way to answer (keyboard, screen readers, no JavaScript); dragging only sets
// them, and the change event saves as usual.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-build-list]"), function (list) {
    if (list.closest("fieldset[disabled]")) return;
    var hint = document.createElement("p");
    hint.className = "help drag-hint";
    hint.textContent = "You can also drag an action onto a step.";
    list.insertBefore(hint, list.firstChild);
    Array.prototype.forEach.call(list.querySelectorAll("[data-action]"), function (item) {
      item.draggable = true;
      item.classList.add("is-draggable");
      item.addEventListener("dragstart", function (e) {
        e.dataTransfer.setData("text/plain", item.dataset.action);
        e.dataTransfer.effectAllowed = "copy";
      });
    });
    Array.prototype.forEach.call(list.querySelectorAll("select[data-position]"), function (select) {
      var step = select.closest("li");
      step.addEventListener("dragover", function (e) { e.preventDefault(); step.classList.add("is-drop-target"); });
      step.addEventListener("dragleave", function () { step.classList.remove("is-drop-target"); });
      step.addEventListener("drop", function (e) {
        e.preventDefault();
        step.classList.remove("is-drop-target");
        var id = e.dataTransfer.getData("text/plain");
        if (!Array.prototype.some.call(select.options, function (o) { return o.value === id; })) return;
        select.value = id;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
  });
})();

// Matching: drag an answer onto a prompt as well as choosing it in the prompt's drop-down. The
// answers shown as chips repeat the drop-downs' options, so they are hidden from screen readers;
// the drop-downs stay the way to answer, and dragging only sets them (the change event saves).
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll(".match"), function (match) {
    if (match.closest("fieldset[disabled]")) return;
    var first = match.querySelector("select");
    if (!first) return;
    var hint = document.createElement("p");
    hint.className = "help drag-hint";
    hint.textContent = "You can also drag an answer onto a prompt.";
    var chips = document.createElement("ul");
    chips.className = "match-chips";
    chips.setAttribute("aria-hidden", "true");
    Array.prototype.forEach.call(first.options, function (o) {
      if (!o.value) return;
      var chip = document.createElement("li");
      chip.className = "match-chip is-draggable";
      chip.draggable = true;
      chip.dataset.answer = o.value;
      chip.textContent = o.text;
      chip.addEventListener("dragstart", function (e) {
        e.dataTransfer.setData("text/plain", o.value);
        e.dataTransfer.effectAllowed = "copy";
      });
      chips.appendChild(chip);
    });
    match.insertBefore(chips, match.firstChild);
    match.insertBefore(hint, chips);
    Array.prototype.forEach.call(match.querySelectorAll(".match-list li"), function (row) {
      var select = row.querySelector("select");
      if (!select) return;
      row.addEventListener("dragover", function (e) { e.preventDefault(); row.classList.add("is-drop-target"); });
      row.addEventListener("dragleave", function () { row.classList.remove("is-drop-target"); });
      row.addEventListener("drop", function (e) {
        e.preventDefault();
        row.classList.remove("is-drop-target");
        var value = e.dataTransfer.getData("text/plain");
        if (!Array.prototype.some.call(select.options, function (o) { return o.value === value; })) return;
        select.value = value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
  });
})();

// A form shown again with errors: the summary takes the focus, so keyboard and screen-reader
// users start from what needs fixing.
(function () {
  "use strict";
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();
})();

// A "please wait" page (503 with Retry-After, for a page loaded with GET): load the page again by
// itself, waiting Retry-After the first time and doubling (up to 2 minutes) on each further
// refusal of the same address, with jitter so that a class does not come back in step. The count
// is kept per address in sessionStorage and forgotten once the page loads.
(function () {
  "use strict";
  var key = "mockexam.retry:" + window.location.pathname + window.location.search;
  var note = document.querySelector("[data-retry-after]");
  var store = null;
  try { store = window.sessionStorage; } catch (e) { /* storage disabled */ }
  if (!note) {
    if (store) store.removeItem(key);
    return;
  }
  var tries = store ? parseInt(store.getItem(key) || "0", 10) || 0 : 0;
  var base = Math.max(1, parseInt(note.getAttribute("data-retry-after"), 10) || 5);
  var seconds = Math.min(120, base * Math.pow(2, tries));
  seconds = Math.max(1, Math.round(seconds * (0.8 + 0.4 * Math.random())));
  if (store) store.setItem(key, String(tries + 1));
  note.textContent = "This page tries again by itself in " + seconds + " seconds" +
    (tries > 0 ? " (try " + (tries + 1) + ")." : ".");
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();

// Print buttons appear only where printing is possible.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
})();

// The question editor's live preview: as the author types, the form is posted to the preview
// address and the answer (the same partial candidates see) replaces the preview. Without
// JavaScript the Preview button does the same with a full page.
(function () {
  "use strict";
  var form = document.querySelector("form[data-live-preview]");
  var target = document.getElementById("live-preview");
  if (!form || !target) return;
  var timer = null;
  var sent = 0;
  function refresh() {
    var mine = ++sent;
    var body = new URLSearchParams(new FormData(form)).toString();
    fetch(form.getAttribute("data-live-preview"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body
    }).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      // Only the newest answer counts: an older request may come back last.
      if (html !== null && mine === sent) target.innerHTML = html;
    }).catch(function () { /* the Preview button still works */ });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
