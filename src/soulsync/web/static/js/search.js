/* Search page: live search over SSE, filters and sort, per-result actions. */
(function () {
  "use strict";
  var SS = window.SS;
  var form, status, results, tools, stream = null, sid = null, kind = "all";

  function setStatus(html, busy) {
    status.innerHTML = (busy ? '<span class="spinner" aria-hidden="true"></span>' : "") + '<span class="msg">' + html + "</span>";
  }
  function esc(s) { var d = document.createElement("div"); d.textContent = String(s); return d.innerHTML; }

  // A pasted link (Spotify, Deezer, YouTube, an M3U/CSV URL) is resolved, not searched.
  var LINK_RE = /^(?:https?:\/\/|spotify:|www\.|open\.spotify\.com\/|youtu\.be\/)\S+$/i;

  function startLink(url) {
    if (stream) { stream.close(); stream = null; }
    results.innerHTML = "";
    tools.hidden = true;
    sid = null;
    setStatus("Reading the link…", true);
    SS.post("/links/resolve", { url: url }).then(function (r) {
      history.replaceState(null, "", "/search?q=" + encodeURIComponent(url));
      results.innerHTML = r.html;
      setStatus("<strong>" + r.count + "</strong> track" + (r.count === 1 ? "" : "s") + " in this link, <strong>" + r.wanted + "</strong> to fetch");
      var btn = document.getElementById("link-download");
      if (btn) btn.addEventListener("click", function () { downloadLink(r.token, btn); });
    }).catch(function (err) { setStatus('<span class="c-err">' + esc(err.message) + "</span>"); });
  }

  function downloadLink(token, btn) {
    btn.disabled = true;
    var source = document.getElementById("link-source").value;
    SS.post("/links/" + token + "/download", { source: source }).then(function (r) {
      SS.toast(r.message, "ok");
      var rows = {};
      Object.keys(r.jobs).forEach(function (n) { rows[r.jobs[n]] = results.querySelector('tr[data-n="' + n + '"] .status'); });
      watchBatch(r.batch_id, rows);
    }).catch(function (e) { btn.disabled = false; SS.toast(e.message, "error"); });
  }

  function watchBatch(batch, rows) {
    var progress = document.getElementById("link-progress");
    SS.get("/links/batch/" + batch).then(function (r) {
      var done = 0;
      r.jobs.forEach(function (j) {
        var cell = rows[j.id];
        if (!cell) return;
        var cls = j.state === "completed" ? "ok" : j.state === "failed" || j.state === "cancelled" ? "error" : "info";
        var text = j.state === "downloading" && j.percent ? "downloading " + Math.round(j.percent) + "%" : j.state;
        cell.innerHTML = '<span class="pill ' + cls + ' badge" title="' + esc(j.error || "") + '">' + esc(text) + "</span>";
        if (j.state === "completed") done++;
      });
      progress.textContent = done + " of " + r.jobs.length + " downloaded";
      if (!r.done) setTimeout(function () { watchBatch(batch, rows); }, 1000);
      else setStatus("Finished: <strong>" + done + "</strong> of " + r.jobs.length + " downloaded");
    }).catch(function () { setTimeout(function () { watchBatch(batch, rows); }, 2000); });
  }

  function start(q) {
    if (LINK_RE.test(q)) { startLink(q); return; }
    if (stream) { stream.close(); stream = null; }
    results.innerHTML = "";
    tools.hidden = true;
    setStatus("Starting the search…", true);
    SS.post("/search/start", { q: q }).then(function (r) {
      sid = r.sid;
      history.replaceState(null, "", "/search?q=" + encodeURIComponent(r.query));
      listen(r.sid, r.query);
    }).catch(function (err) { setStatus('<span class="c-err">' + esc(err.message) + "</span>"); });
  }

  function listen(id, query) {
    var es = (stream = new EventSource("/search/" + id + "/stream"));
    var lost = false;
    es.addEventListener("progress", function (ev) {
      lost = false;
      var d = JSON.parse(ev.data);
      var what = d.state === "waiting" ? "Waiting for a search slot" : d.state === "reading" ? "Reading results" : "Searching";
      setStatus(what + " for <strong>" + esc(query) + "</strong> · <span class=\"pill info\" id=\"live-peers\">" + d.responses +
        " peers</span> <span class=\"pill\" id=\"live-files\">" + d.files + " files</span>", true);
    });
    es.addEventListener("results", function (ev) {
      var d = JSON.parse(ev.data);
      results.insertAdjacentHTML("beforeend", d.html);
      tools.hidden = false;
      apply();
    });
    es.addEventListener("done", function (ev) {
      var d = JSON.parse(ev.data);
      var note = d.note ? ' <span class="muted">' + esc(d.note) + "</span>" : "";
      // "Try fewer words" only helps when there is more than one word to drop.
      var hint = d.words > 1 ? " Try fewer words." : " Check the spelling, or try the artist alone.";
      setStatus((d.groups ? "<strong>" + d.groups + "</strong> results (" + d.files + " files from " + d.peers + " peers) for <strong>" + esc(query) + "</strong>"
        : "No results for <strong>" + esc(query) + "</strong>." + hint) + note);
    });
    es.addEventListener("error", function (ev) {
      if (ev.data) {
        var d = JSON.parse(ev.data);
        setStatus('<span class="c-err">Search failed: ' + esc(d.message) + "</span>");
        es.close();
      } else if (es.readyState !== EventSource.CLOSED && !lost) {
        lost = true;
        setStatus('<span class="c-warn">Connection lost, reconnecting…</span>', true);
      }
    });
    es.addEventListener("end", function () { es.close(); });
  }

  function apply() {
    var fmt = document.getElementById("filter-format").value;
    var sort = document.getElementById("sort-by").value;
    var items = Array.prototype.slice.call(results.children);
    var shown = 0;
    items.forEach(function (el) {
      var ok = (kind === "all" || el.dataset.kind === kind) && (!fmt || (" " + el.dataset.formats + " ").indexOf(" " + fmt + " ") >= 0);
      el.hidden = !ok;
      if (ok) shown++;
    });
    var key = {
      relevance: function (e) { return [-num(e, "relevance"), num(e, "quality"), num(e, "order")]; },
      quality: function (e) { return [num(e, "quality"), -num(e, "relevance"), num(e, "order")]; },
      size: function (e) { return [-num(e, "size"), num(e, "order")]; },
      speed: function (e) { return [-num(e, "speed"), num(e, "order")]; },
      queue: function (e) { return [num(e, "queue"), -num(e, "speed"), num(e, "order")]; }
    }[sort];
    items.sort(function (a, b) {
      var ka = key(a), kb = key(b);
      for (var i = 0; i < ka.length; i++) { if (ka[i] !== kb[i]) return ka[i] - kb[i]; }
      return 0;
    });
    items.forEach(function (el) { results.appendChild(el); });
    document.getElementById("shown-count").textContent = shown + " of " + items.length + " shown";
  }
  function num(el, k) { return parseFloat(el.dataset[k] || "0"); }

  function act(btn) {
    var a = btn.dataset.act;
    if (!sid) return;
    if (a === "download") {
      btn.disabled = true;
      SS.post("/search/" + sid + "/download", { fi: btn.dataset.fi })
        .then(function (r) { SS.toast(r.message, "ok"); btn.textContent = "Queued"; })
        .catch(function (e) { btn.disabled = false; SS.toast(e.message, "error"); });
    } else if (a === "download-album") {
      btn.disabled = true;
      SS.post("/search/" + sid + "/download-album", { gi: btn.dataset.gi })
        .then(function (r) { SS.toast(r.message, "ok"); btn.textContent = "Queued"; })
        .catch(function (e) { btn.disabled = false; SS.toast(e.message, "error"); });
    } else if (a === "matched") {
      SS.openModal("/matched/modal?sid=" + sid + "&fi=" + btn.dataset.fi, { wide: true });
    } else if (a === "matched-album") {
      SS.openModal("/matched/modal?sid=" + sid + "&gi=" + btn.dataset.gi, { wide: true });
    } else if (a === "preview") {
      preview(btn);
    }
  }

  /* A preview is fetched in the background: the slot says how it goes ("peer has a
     queue of 3") and offers Cancel, which cancels the slskd transfer too. */
  function preview(btn) {
    var slot = btn.closest(".result").querySelector(".preview-slot");
    var label = btn.textContent;
    var fetchId = null;
    var over = false;
    btn.disabled = true;
    btn.innerHTML = '<span class="spinner" aria-hidden="true"></span> Fetching';
    slot.innerHTML = "";
    var line = document.createElement("div");
    line.className = "preview-progress";
    var note = document.createElement("span");
    note.className = "preview-status faint small";
    note.setAttribute("role", "status");
    note.textContent = "Asking the peer for the file";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "ghost small";
    cancel.textContent = "Cancel";
    cancel.setAttribute("aria-label", "Cancel the preview");
    line.appendChild(note);
    line.appendChild(cancel);
    slot.appendChild(line);
    function finish() { over = true; btn.disabled = false; btn.textContent = label; cancel.remove(); }
    function show(r) {
      if (over) return;
      note.textContent = r.message;
      if (r.state === "done") {
        finish();
        slot.innerHTML = "";
        var audio = document.createElement("audio");
        audio.controls = true;
        audio.preload = "auto";
        audio.src = r.url;
        slot.appendChild(audio);
        audio.play().catch(function () { /* autoplay may be refused; controls are there */ });
      } else if (r.state === "failed") {
        finish();
        SS.toast(r.message, "error");
      } else if (r.state === "cancelled") {
        finish();
      } else {
        setTimeout(poll, 700);
      }
    }
    function fail(e) { if (!over) { finish(); note.textContent = ""; SS.toast(e.message, "error"); } }
    function poll() { if (!over) SS.get("/preview/fetches/" + fetchId).then(show).catch(fail); }
    cancel.addEventListener("click", function () {
      if (!fetchId) return;
      cancel.disabled = true;
      SS.post("/preview/fetches/" + fetchId + "/cancel").then(show).catch(fail);
    });
    SS.post("/search/" + sid + "/preview", { fi: btn.dataset.fi }).then(function (r) {
      fetchId = r.id;
      show(r);
    }).catch(fail);
  }

  document.addEventListener("DOMContentLoaded", function () {
    form = document.getElementById("search-form");
    status = document.getElementById("search-status");
    results = document.getElementById("results");
    tools = document.getElementById("search-tools");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var q = form.q.value.trim();
      if (q) start(q);
    });
    document.getElementById("filter-format").addEventListener("change", apply);
    document.getElementById("sort-by").addEventListener("change", apply);
    tools.querySelectorAll("[data-kind]").forEach(function (b) {
      b.addEventListener("click", function () {
        kind = b.dataset.kind;
        tools.querySelectorAll("[data-kind]").forEach(function (o) { o.setAttribute("aria-pressed", o === b ? "true" : "false"); });
        apply();
      });
    });
    results.addEventListener("click", function (ev) {
      var btn = ev.target.closest("[data-act]");
      if (btn) act(btn);
    });
    if (form.dataset.autostart && form.q.value.trim()) start(form.q.value.trim());
  });
})();
