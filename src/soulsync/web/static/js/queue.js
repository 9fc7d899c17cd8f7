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
    var spd = li.querySelector(".spd"); if (spd) spd.textContent = d.speed ? fmtSize(d.speed) + "/s" : "";
    // slskd 0.26 retries a failed attempt itself: say so ("retrying (2/3)").
    var label = d.transfer_state && d.transfer_state.indexOf("retrying") === 0 ? d.transfer_state : "downloading";
    var st = li.querySelector(".state"); if (st && st.textContent !== label) { st.textContent = label; st.className = "state downloading"; }
    var size = d.size || parseInt(li.dataset.size || "0", 10);
    var eta = li.querySelector(".eta");
    if (eta) eta.textContent = size && d.speed ? fmtDur((size - (d.bytes || 0)) / d.speed) + " left" : "";
  });
  document.addEventListener("htmx:afterSwap", counts);
  document.addEventListener("ss:live-updated", counts);
})();
