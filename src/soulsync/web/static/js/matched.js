/* The matched-download modal: pick an artist (suggested or searched), then for
   folders pick the release and confirm the mapping. */
(function () {
  "use strict";
  var SS = window.SS;

  function ctx() { return document.getElementById("matched-ctx"); }
  function q(obj) {
    return Object.keys(obj).filter(function (k) { return obj[k] !== "" && obj[k] !== undefined && obj[k] !== null; })
      .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(obj[k]); }).join("&");
  }
  var lastArtist = null;

  document.addEventListener("click", function (ev) {
    var body = document.getElementById("modal-body");
    if (!body || !body.contains(ev.target)) return;
    var c = ctx();
    if (!c) return;
    var pick = ev.target.closest("[data-pick]");
    if (pick) {
      ev.preventDefault();
      var artist = pick.dataset.pick;
      if (c.dataset.kind === "track") {
        pick.disabled = true;
        SS.post("/matched/start", { sid: c.dataset.sid, fi: c.dataset.fi, artist: artist })
          .then(function (r) { SS.closeModal(); SS.toast(r.message, "ok"); })
          .catch(function (e) { pick.disabled = false; SS.toast(e.message, "error"); });
      } else {
        lastArtist = artist;
        SS.openModal("/matched/albums?" + q({ sid: c.dataset.sid, gi: c.dataset.gi, artist: artist }), { wide: true });
      }
      return;
    }
    var album = ev.target.closest("[data-album]:not([data-start-album])");
    if (album) {
      ev.preventDefault();
      SS.openModal("/matched/mapping?" + q({ sid: c.dataset.sid, gi: c.dataset.gi, artist: c.dataset.artist, album: album.dataset.album }), { wide: true });
      return;
    }
    var start = ev.target.closest("[data-start-album]");
    if (start) {
      ev.preventDefault();
      start.disabled = true;
      SS.post("/matched/start-album", { sid: c.dataset.sid, gi: c.dataset.gi, artist: c.dataset.artist, album: start.dataset.album })
        .then(function (r) { SS.closeModal(); SS.toast(r.message, "ok"); })
        .catch(function (e) { start.disabled = false; SS.toast(e.message, "error"); });
      return;
    }
    if (ev.target.closest("[data-back]")) {
      SS.openModal("/matched/modal?" + q({ sid: c.dataset.sid, gi: c.dataset.gi }), { wide: true });
      return;
    }
    if (ev.target.closest("[data-back-albums]")) {
      SS.openModal("/matched/albums?" + q({ sid: c.dataset.sid, gi: c.dataset.gi, artist: c.dataset.artist || lastArtist }), { wide: true });
    }
  });
})();
