/* Queue page: progress bars, speed and ETA updated in place from job.progress events. */
(function () {
  "use strict";
  var SS = window.SS;
  function fmtSize(n) {
    var u = ["B", "KB", "MB", "GB", "TB"], i = 0;
    while (Math.abs(n) >= 1000 && i < u.length - 1) { n /= 1000; i++; }
    return i === 0 ? n.toFixed(0) + " B" : n.toFixed(1) + " " + u[i];
  }
  function fmtDur(s) {
    s = Math.max(0, Math.round(s));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = s % 60;
    return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(x).padStart(2, "0");
  }
  function counts() {
    var c = document.querySelector(".queue-counts");
    if (!c) return;
    document.getElementById("count-active").textContent = c.dataset.active;
    document.getElementById("count-finished").textContent = c.dataset.finished;
  }
  SS.on("job.progress", function (d) {
    var li = document.querySelector('.job[data-job-id="' + d.id + '"]');
    if (!li) return;
    var bar = li.querySelector("progress");
    if (bar) bar.value = d.percent || 0;
    var pct = li.querySelector(".pct"); if (pct) pct.textContent = Math.round(d.percent || 0) + "%";
    li.dataset.bytes = String(d.bytes || 0);
    albumProgress(li);
    var spd = li.querySelector(".spd"); if (spd) spd.textContent = d.speed ? fmtSize(d.speed) + "/s" : "";
    var st = li.querySelector(".state");
    var eta = li.querySelector(".eta");
    if (d.stalled_s !== null && d.stalled_s !== undefined) {
      // No data for a while: "stalled 25 s", counting up between events (see tick).
      if (st) { stallFrom(st, d.stalled_s); st.className = "state stalled"; }
      if (spd) spd.textContent = "";
      if (eta) eta.textContent = "";
      return;
    }
    // slskd 0.26 retries a failed attempt itself: say so ("retrying (2/3)").
    var label = d.transfer_state && d.transfer_state.indexOf("retrying") === 0 ? d.transfer_state : "downloading";
    if (st) { delete st.dataset.stalledAt; delete st.dataset.stalledS; }
    if (st && (st.textContent !== label || st.className !== "state downloading")) { st.textContent = label; st.className = "state downloading"; }
    var size = d.size || parseInt(li.dataset.size || "0", 10);
    if (eta) eta.textContent = size && d.speed ? fmtDur((size - (d.bytes || 0)) / d.speed) + " left" : "";
  });
  // An album row's bar: the bytes of its listed tracks, updated with each track's progress.
  function albumProgress(li) {
    var group = li.parentElement && li.parentElement.closest(".job.group");
    if (!group) return;
    var size = 0, done = 0;
    group.querySelectorAll(".group-jobs li.job").forEach(function (r) {
      size += parseInt(r.dataset.size || "0", 10);
      done += parseInt(r.dataset.bytes || "0", 10);
    });
    var percent = size ? (100 * done) / size : 0;
    var bar = group.querySelector(".info progress");
    if (bar) bar.value = percent;
    var pct = group.querySelector(".info .pct");
    if (pct) pct.textContent = Math.round(percent) + "%";
  }
  // The stall timer runs on this browser's clock from the server's "seconds
  // stalled", so a clock difference between browser and server does not matter.
  function stallFrom(el, seconds) {
    var at = Date.now() - seconds * 1000;
    var known = parseFloat(el.dataset.stalledAt || "NaN");
    // Keep the first start (polls jitter); a much later one is a new stall.
    if (isNaN(known) || Math.abs(known - at) > 3000) el.dataset.stalledAt = String(at);
    showStall(el);
  }
  function showStall(el) {
    var s = Math.max(0, Math.floor((Date.now() - parseFloat(el.dataset.stalledAt)) / 1000));
    var text = "stalled " + s + " s";
    if (el.textContent !== text) el.textContent = text;
  }
  function adoptStalls() {
    document.querySelectorAll(".state.stalled[data-stalled-s]").forEach(function (el) {
      if (!el.dataset.stalledAt) stallFrom(el, parseFloat(el.dataset.stalledS) || 0);
    });
  }
  setInterval(function () {
    document.querySelectorAll(".state.stalled[data-stalled-at]").forEach(showStall);
  }, 1000);
  // The processing step (convert, measure, album gain) after the download: its stage and share done.
  SS.on("job.stage", function (d) {
    var li = document.querySelector('.job[data-job-id="' + d.id + '"]');
    if (!li) return;
    var bar = li.querySelector("progress");
    if (bar) { bar.value = d.percent || 0; bar.setAttribute("aria-label", "Processing"); }
    var pct = li.querySelector(".pct"); if (pct) pct.textContent = Math.round(d.percent || 0) + "%";
    var spd = li.querySelector(".spd"); if (spd) spd.textContent = "";
    var eta = li.querySelector(".eta"); if (eta) eta.textContent = "";
    var st = li.querySelector(".state"); if (st) { st.textContent = d.stage; st.className = "state processing stage"; }
  });
  // Album rows stay open across the live refreshes of the list.
  var openAlbums = {};
  document.addEventListener("toggle", function (ev) {
    var d = ev.target;
    if (d.classList && d.classList.contains("group-jobs")) openAlbums[d.dataset.batch] = d.open;
  }, true);
  function reopen() {
    document.querySelectorAll("details.group-jobs").forEach(function (d) {
      if (openAlbums[d.dataset.batch] && !d.open) d.open = true;
    });
  }
  document.addEventListener("htmx:afterSwap", function () { counts(); adoptStalls(); reopen(); });
  document.addEventListener("ss:live-updated", function () { counts(); adoptStalls(); reopen(); });
  document.addEventListener("DOMContentLoaded", adoptStalls);
})();
