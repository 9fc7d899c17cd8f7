/* Playlists page: open the modal named in ?open=, keep the bubble in step with the modal. */
(function () {
  "use strict";
  var SS = window.SS;
  document.addEventListener("DOMContentLoaded", function () {
    var cards = document.getElementById("playlist-cards");
    if (cards && cards.dataset.open) SS.openModal("/playlists/detail?ref=" + encodeURIComponent(cards.dataset.open), { wide: true });
    // A playlist file is uploaded (the server reads no path a browser names) and synced.
    var upload = document.getElementById("playlist-upload");
    if (upload) upload.addEventListener("submit", function (ev) {
      ev.preventDefault();
      SS.post("/playlists/upload", new FormData(upload)).then(function (r) {
        SS.toast("Syncing " + r.name, "ok");
        SS.trackRun({ run_id: r.run_id, ref: r.ref, name: r.name });
        upload.reset();
      }).catch(function (err) { SS.toast(err.message || "Upload failed", "error"); });
    });
  });
})();
