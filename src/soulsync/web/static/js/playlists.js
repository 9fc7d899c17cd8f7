/* Playlists page: open the modal named in ?open=, keep the bubble in step with the modal. */
(function () {
  "use strict";
  var SS = window.SS;
  document.addEventListener("DOMContentLoaded", function () {
    var cards = document.getElementById("playlist-cards");
    if (cards && cards.dataset.open) SS.openModal("/playlists/detail?ref=" + encodeURIComponent(cards.dataset.open), { wide: true });
  });
})();
