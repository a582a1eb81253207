// cibox — CI in a box. MIT licence, see LICENSE.
// The daemon's pages: keeps the page of something running up to date by fetching it again every two seconds and
// putting in its new content (steps that were opened stay open). Pages work the same without it: a reload shows
// the same. Stops once the page shows nothing running.
"use strict";
(function () {
  var root = document.documentElement;
  if (root.dataset.running !== "true") { return; }
  function later(delay) { setTimeout(update, delay); }
  function update() {
    var active = document.activeElement;
    if (active && active.form) { later(2000); return; } // someone is filling in a form: leave it alone
    fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        if (text === null) { later(5000); return; }
        var next = new DOMParser().parseFromString(text, "text/html");
        var main = document.querySelector("main");
        var fresh = next.querySelector("main");
        if (!main || !fresh) { return; }
        var open = {};
        main.querySelectorAll("details[id]").forEach(function (d) { open[d.id] = d.open; });
        fresh.querySelectorAll("details[id]").forEach(function (d) {
          if (Object.prototype.hasOwnProperty.call(open, d.id)) { d.open = open[d.id]; }
        });
        main.replaceWith(document.adoptNode(fresh));
        document.title = next.title;
        if (next.documentElement.dataset.running === "true") { later(2000); } else { delete root.dataset.running; }
      })
      .catch(function () { later(5000); });
  }
  later(2000);
})();
