/* Settings: the quality-profile editor (reorder, remove, add) and small form helpers. */
(function () {
  "use strict";
  function renumber(list) {
    Array.prototype.forEach.call(list.children, function (li, i) { li.querySelector(".n").textContent = i + 1; });
  }
  function tierItem(value) {
    var li = document.createElement("li");
    li.innerHTML = '<span class="n"></span><span class="f"></span><input type="hidden" name="profile">' +
      '<button type="button" class="ghost small" data-move="-1">↑</button>' +
      '<button type="button" class="ghost small" data-move="1">↓</button>' +
      '<button type="button" class="ghost small" data-remove>✕</button>';
    li.querySelector(".f").textContent = value;
    li.querySelector("input").value = value;
    li.querySelector('[data-move="-1"]').setAttribute("aria-label", "Move " + value + " up");
    li.querySelector('[data-move="1"]').setAttribute("aria-label", "Move " + value + " down");
    li.querySelector("[data-remove]").setAttribute("aria-label", "Remove " + value);
    return li;
  }
  document.addEventListener("click", function (ev) {
    var spotify = ev.target.closest("[data-spotify-login]");
    if (spotify) {
      // Opened now, while the click still counts as a user action (popup blockers);
      // pointed at Spotify once the server has started the login (a POST with the CSRF token).
      var tab = window.open("", "_blank");
      window.SS.post("/settings/spotify/login").then(function (r) {
        if (tab) { tab.opener = null; tab.location.href = r.url; } else { window.location.href = r.url; }
      }).catch(function (err) {
        if (tab) tab.close();
        window.SS.toast(err.message || "Could not start the Spotify login", "error");
      });
      return;
    }
    var move = ev.target.closest("[data-move]");
    if (move) {
      var li = move.closest("li"), list = li.parentNode;
      if (move.dataset.move === "-1" && li.previousElementSibling) list.insertBefore(li, li.previousElementSibling);
      else if (move.dataset.move === "1" && li.nextElementSibling) list.insertBefore(li.nextElementSibling, li);
      renumber(list);
      move.focus();
      return;
    }
    var rm = ev.target.closest("[data-remove]");
    if (rm) {
      var item = rm.closest("li"), parent = item.parentNode;
      if (parent.children.length <= 1) { window.SS.toast("Keep at least one quality tier", "warn"); return; }
      item.remove();
      renumber(parent);
      return;
    }
    var add = ev.target.closest("[data-add-tier]");
    if (add) {
      var input = document.getElementById(add.dataset.addTier + "-new");
      var value = input.value.trim();
      if (!value) return;
      var target = document.getElementById(add.dataset.addTier);
      target.appendChild(tierItem(value));
      renumber(target);
      input.value = "";
      input.focus();
      return;
    }
    var fill = ev.target.closest("[data-fill]");
    if (fill) {
      var field = document.querySelector(fill.dataset.fill);
      if (field) { field.value = fill.dataset.value; field.focus(); }
    }
  });
})();
