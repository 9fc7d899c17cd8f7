/* SoulSync: live updates (SSE), the modal, toasts and the sync bubble.
   Plain JavaScript, no build step. Pages add behaviour in their own files. */
(function () {
  "use strict";

  var SS = (window.SS = window.SS || {});
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var listeners = [];
  var source = null;
  var retryMs = 1000;

  SS.csrf = csrf;

  /* ---------- fetch helpers ---------- */
  SS.request = function (method, url, body) {
    var opts = { method: method, headers: { "X-CSRF-Token": csrf, Accept: "application/json, text/html" }, credentials: "same-origin" };
    if (body !== undefined) {
      if (body instanceof FormData) {
        opts.body = body;
      } else {
        opts.headers["Content-Type"] = "application/json";
        opts.body = JSON.stringify(body);
      }
    }
    return fetch(url, opts).then(function (r) {
      var type = r.headers.get("content-type") || "";
      var parse = type.indexOf("json") >= 0 ? r.json() : r.text();
      return parse.then(function (data) {
        if (!r.ok) {
          var msg = (data && data.error) || (typeof data === "string" && data) || r.statusText;
          var err = new Error(msg);
          err.status = r.status;
          throw err;
        }
        return data;
      });
    });
  };
  SS.post = function (url, body) { return SS.request("POST", url, body === undefined ? {} : body); };
  SS.get = function (url) { return SS.request("GET", url); };

  /* ---------- toasts ---------- */
  SS.toast = function (message, kind) {
    var box = document.getElementById("toasts");
    if (!box) return;
    // An open modal dialog sits in the top layer, above everything in the page:
    // the toasts go inside it while it is open, or they would show under it.
    var host = document.querySelector("dialog[open]") || document.body;
    if (box.parentNode !== host) host.appendChild(box);
    var el = document.createElement("div");
    el.className = "toast " + (kind || "info");
    el.textContent = message;
    box.appendChild(el);
    setTimeout(function () { el.classList.add("gone"); }, 4500);
    setTimeout(function () { el.remove(); }, 5000);
  };

  /* ---------- live events ---------- */
  function setStatus(state, label) {
    var el = document.getElementById("live-status");
    if (!el) return;
    el.dataset.state = state;
    el.querySelector(".label").textContent = label;
  }

  SS.on = function (prefix, fn) { listeners.push({ prefix: prefix, fn: fn }); };

  function dispatch(topic, data) {
    listeners.slice().forEach(function (l) {
      if (topic.indexOf(l.prefix) === 0) {
        try { l.fn(data, topic); } catch (e) { console.error(e); }
      }
    });
    document.dispatchEvent(new CustomEvent("ss:event", { detail: { topic: topic, data: data } }));
  }

  var TOPICS = ["job.state", "job.progress", "job.cleared", "sync.state", "sync.progress", "sync.track",
    "sync.download", "sync.mirror", "wishlist.added", "wishlist.resolved", "wishlist.picked",
    "wishlist.failed", "wishlist.retry", "wishlist.ignored", "wishlist.unignored", "activity"];

  function connect() {
    if (!window.EventSource) { setStatus("lost", "No live updates in this browser"); return; }
    source = new EventSource("/events");
    source.onopen = function () { retryMs = 1000; setStatus("ok", "Live"); };
    source.onerror = function () {
      setStatus("lost", "Connection lost, reconnecting…");
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (e.g. a 401 after a restart): try again ourselves.
        setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, 15000);
      }
    };
    // The server ends the stream when the session is gone (logout, password reset).
    source.addEventListener("logout", function () {
      source.close();
      window.location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
    });
    TOPICS.forEach(function (t) {
      source.addEventListener(t, function (ev) {
        var data = {};
        try { data = JSON.parse(ev.data); } catch (e) { return; }
        dispatch(t, data);
      });
    });
  }

  /* Elements with data-live-src refetch their fragment when a matching event arrives. */
  function bindLive(root) {
    var regions = Array.prototype.slice.call((root || document).querySelectorAll("[data-live-src]"));
    regions.forEach(function (el) {
      if (el.ssRefresh) return;
      var prefixes = (el.dataset.liveTopics || "").split(",").filter(Boolean);
      var timer = null;
      var busy = false;
      var again = false;
      function refresh() {
        if (!el.isConnected) return;
        if (busy) { again = true; return; }
        busy = true;
        SS.get(el.dataset.liveSrc).then(function (html) {
          if (typeof html === "string" && el.isConnected) {
            var active = document.activeElement;
            var focusId = active && el.contains(active) ? active.id : null;
            el.innerHTML = html;
            if (window.htmx) window.htmx.process(el);
            if (focusId && document.getElementById(focusId)) document.getElementById(focusId).focus();
            el.dispatchEvent(new CustomEvent("ss:live-updated", { bubbles: true }));
          }
        }).catch(function () { /* the status pill shows connection trouble */ })
          .then(function () {
            busy = false;
            if (again) { again = false; schedule(); }
          });
      }
      function schedule() {
        if (timer || !el.isConnected) return;
        timer = setTimeout(function () { timer = null; refresh(); }, parseInt(el.dataset.liveDelay || "500", 10));
      }
      el.ssRefresh = refresh;
      prefixes.forEach(function (p) { SS.on(p, function (d) {
        var run = el.dataset.liveRun;
        if (run && d.run_id && d.run_id !== run) return;
        schedule();
      }); });
    });
  }
  SS.bindLive = bindLive;
  SS.refreshLive = function () {
    document.querySelectorAll("[data-live-src]").forEach(function (el) { if (el.ssRefresh) el.ssRefresh(); });
  };

  /* ---------- modal ---------- */
  var modal = null;
  SS.modalUrl = null;
  SS.openModal = function (url, opts) {
    modal = modal || document.getElementById("modal");
    var body = document.getElementById("modal-body");
    body.innerHTML = '<div class="modal-loading"><span class="spinner" aria-hidden="true"></span> Loading…</div>';
    modal.className = "modal" + (opts && opts.wide ? " wide" : "");
    if (!modal.open) modal.showModal();
    SS.modalUrl = url;
    return SS.get(url).then(function (html) {
      if (SS.modalUrl !== url) return;
      body.innerHTML = html;
      if (window.htmx) window.htmx.process(body);
      bindLive(body);
      var first = body.querySelector("[autofocus], input, button:not([data-close])");
      if (first) first.focus();
      document.dispatchEvent(new CustomEvent("ss:modal-loaded", { detail: { url: url, body: body } }));
    }).catch(function (err) {
      body.innerHTML = "";
      var p = document.createElement("div");
      p.className = "modal-error";
      p.innerHTML = '<p class="error" role="alert"></p><div class="actions"><button type="button" class="ghost" data-close>Close</button></div>';
      p.querySelector("p").textContent = err.message || "Could not load this.";
      body.appendChild(p);
    });
  };
  SS.closeModal = function () {
    modal = modal || document.getElementById("modal");
    if (modal && modal.open) modal.close();
  };
  SS.modalOpen = function () { modal = modal || document.getElementById("modal"); return !!(modal && modal.open); };

  document.addEventListener("click", function (ev) {
    var closer = ev.target.closest("[data-close]");
    if (closer) { ev.preventDefault(); SS.closeModal(); return; }
    var opener = ev.target.closest("[data-modal]");
    if (opener) { ev.preventDefault(); SS.openModal(opener.dataset.modal, { wide: opener.hasAttribute("data-wide") }); }
    var dlg = document.getElementById("modal");
    if (dlg && ev.target === dlg) SS.closeModal(); // click on the backdrop
  });

  /* ---------- sync bubble ---------- */
  var runs = {}; // run_id -> {name, ref, done, total, state}
  function bubble() {
    var el = document.getElementById("sync-bubble");
    if (!el) return;
    var active = Object.keys(runs).map(function (k) { return runs[k]; }).filter(function (r) { return !r.finished; });
    var openRef = SS.modalOpen() && SS.modalUrl && SS.modalUrl.indexOf("/playlists/detail") === 0 ? SS.modalUrl : null;
    var shown = active.filter(function (r) { return !openRef || openRef.indexOf(encodeURIComponent(r.ref)) < 0; });
    if (!shown.length) { el.hidden = true; return; }
    var r = shown[0];
    el.hidden = false;
    el.dataset.ref = r.ref;
    el.querySelector(".bubble-name").textContent = r.name || "Sync";
    var pct = r.total ? Math.round((100 * r.done) / r.total) : 0;
    el.querySelector(".bubble-count").textContent = r.total ? " " + r.done + "/" + r.total + " " + (r.label || "") + " · " + r.phase : " " + (r.phase || "starting");
    el.style.setProperty("--pct", pct);
  }
  SS.updateBubble = bubble;
  SS.trackRun = function (run) {
    runs[run.run_id] = Object.assign(runs[run.run_id] || {}, run);
    bubble();
  };
  SS.on("sync.", function (d, topic) {
    var r = runs[d.run_id];
    if (!r) { r = runs[d.run_id] = { run_id: d.run_id, name: "", ref: "", done: 0, total: 0, phase: "" }; refreshRuns(); }
    if (topic === "sync.progress") {
      if (d.totals && d.totals.total) {
        r.done = (d.totals.owned || 0) + (d.totals.downloaded || 0);
        r.total = d.totals.total;
        r.label = "owned";
      } else {
        r.done = d.done || 0; r.total = d.total || 0; r.label = "read";
      }
      if (d.phase) r.phase = d.phase;
    }
    if (topic === "sync.state") {
      r.phase = d.phase || d.state;
      if (["completed", "failed", "cancelled"].indexOf(d.state) >= 0) {
        r.finished = true;
        if (!SS.modalOpen()) SS.toast('Sync of "' + (r.name || "playlist") + '" ' + d.state, d.state === "completed" ? "ok" : "warn");
      }
    }
    bubble();
  });
  function refreshRuns() {
    SS.get("/playlists/running").then(function (list) {
      (list || []).forEach(function (r) { runs[r.run_id] = Object.assign(runs[r.run_id] || {}, r); });
      bubble();
    }).catch(function () {});
  }
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("#sync-bubble");
    if (b && b.dataset.ref) SS.openModal("/playlists/detail?ref=" + encodeURIComponent(b.dataset.ref), { wide: true });
  });

  /* A playlist modal showing a running sync feeds the bubble. */
  function track(root) {
    var live = (root || document).querySelector(".playlist-live");
    if (live && live.dataset.running) SS.trackRun({ run_id: live.dataset.running, ref: live.dataset.ref, name: live.dataset.name });
  }
  document.addEventListener("ss:modal-loaded", function (ev) { track(ev.detail.body); });
  document.addEventListener("ss:live-updated", function (ev) { track(ev.target); });

  /* ---------- htmx glue ---------- */
  document.addEventListener("htmx:responseError", function (ev) {
    var xhr = ev.detail.xhr;
    var msg = xhr.responseText || xhr.statusText || "Request failed";
    try { var j = JSON.parse(msg); if (j.error) msg = j.error; } catch (e) { /* plain text */ }
    SS.toast(msg.slice(0, 300), "error");
  });
  document.addEventListener("htmx:sendError", function () { SS.toast("The server did not answer. Is SoulSync running?", "error"); });
  document.addEventListener("htmx:afterSwap", function (ev) { bindLive(ev.target); });
  document.body.addEventListener("toast", function (ev) { SS.toast(ev.detail.message || ev.detail.value, ev.detail.kind); });
  document.body.addEventListener("sync-started", function (ev) { SS.trackRun(Object.assign({ phase: "starting", done: 0, total: 0 }, ev.detail)); });
  document.body.addEventListener("refresh-page", function () { setTimeout(function () { location.reload(); }, 600); });
  document.body.addEventListener("refresh-live", function () { SS.refreshLive(); });
  document.body.addEventListener("close-modal", function () { SS.closeModal(); });

  document.addEventListener("DOMContentLoaded", function () {
    var dlg = document.getElementById("modal");
    if (dlg) dlg.addEventListener("close", function () {
      SS.modalUrl = null;
      document.getElementById("modal-body").innerHTML = "";
      document.dispatchEvent(new CustomEvent("ss:modal-closed"));
      bubble();
    });
    bindLive(document);
    connect();
    refreshRuns();
  });
  /* ---------- the phone menu ---------- */
  (function () {
    var nav = document.getElementById("mainnav");
    var toggle = nav && nav.querySelector(".menu-toggle");
    if (!toggle) return;
    function setOpen(open) {
      nav.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    toggle.addEventListener("click", function () { setOpen(!nav.classList.contains("open")); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && nav.classList.contains("open")) { setOpen(false); toggle.focus(); }
    });
  })();
})();
