/* Playlists page: open the modal named in ?open=, keep the bubble in step with the modal. */
(function () {
  "use strict";
  var SS = window.SS;
  document.addEventListener("DOMContentLoaded", function () {
    var cards = document.getElementById("playlist-cards");
    if (cards && cards.dataset.open) SS.openModal("/playlists/detail?ref=" + encodeURIComponent(cards.dataset.open), { wide: true });
    // A pasted Spotify/Deezer link or id: followed, then opened (its analysis starts there).
    var add = document.getElementById("playlist-add");
    var addMsg = document.getElementById("playlist-add-msg");
    if (add) add.addEventListener("submit", function (ev) {
      ev.preventDefault();
      addMsg.hidden = true;
      var button = add.querySelector("button[type=submit]");
      button.disabled = true;
      SS.post("/playlists/add", { ref: add.elements.ref.value }).then(function (r) {
        SS.toast(r.message, "ok");
        add.reset();
        SS.refreshLive();
        SS.openModal("/playlists/detail?ref=" + encodeURIComponent(r.ref), { wide: true });
      }).catch(function (err) {
        addMsg.textContent = err.message || "The playlist could not be added";
        addMsg.hidden = false;
      }).then(function () { button.disabled = false; });
    });
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
