// cibox — CI in a box. MIT licence, see LICENSE.
// The daemon's pages: keeps the page of something running up to date. A running job's page shows its output as it
// is printed (Server-Sent Events of /api/v1/jobs/ID/log/stream, as text, colour codes dropped) and is fetched again
// when the job ends; other running pages are fetched again every two seconds and their content put in (steps that
// were opened stay open). Pages work the same without it: a reload shows the same. Stops once nothing runs.
"use strict";
(function () {
  var root = document.documentElement;
  if (root.dataset.running !== "true") { return; }

  function later(delay) { setTimeout(update, delay); }

  // Fetches the page again and puts its new content in; goes on while it still shows something running.
  function update(once) {
    var active = document.activeElement;
    if (!once && active && active.form) { later(2000); return; } // someone is filling in a form: leave it alone
    fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        if (text === null) { if (!once) { later(5000); } return; }
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
        if (next.documentElement.dataset.running !== "true") { delete root.dataset.running; } else if (!once) { later(2000); }
      })
      .catch(function () { if (!once) { later(5000); } });
  }

  // A job's page: its output, live, in a section of its own before the steps.
  function follow(jobID) {
    var steps = document.getElementById("steps");
    if (!steps || typeof EventSource !== "function") { later(2000); return; }
    var section = document.createElement("details");
    section.className = "step";
    section.id = "live-output";
    section.open = true;
    var summary = document.createElement("summary");
    summary.textContent = "Live output";
    var pre = document.createElement("pre");
    pre.className = "log";
    var code = document.createElement("code");
    pre.appendChild(code);
    section.appendChild(summary);
    section.appendChild(pre);
    steps.parentNode.insertBefore(section, steps);
    var source = new EventSource("/api/v1/jobs/" + jobID + "/log/stream");
    var received = false;
    source.addEventListener("log", function (event) {
      received = true;
      code.textContent += JSON.parse(event.data).replace(/\u001b\[[0-9;?]*[ -\/]*[@-~]/g, "");
    });
    source.addEventListener("end", function () {
      source.close();
      update(true);
    });
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED && !received) { section.remove(); later(2000); }
    };
  }

  var job = /^\/jobs\/(\d+)$/.exec(location.pathname);
  if (job) { follow(job[1]); } else { later(2000); }
})();
