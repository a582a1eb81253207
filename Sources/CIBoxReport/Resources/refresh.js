// cibox — CI in a box. MIT licence, see LICENSE.
// Optional: reloads the page of a running pipeline every 5 seconds. Pages work the same without it.
"use strict";
if (document.documentElement.dataset.running === "true") {
  setTimeout(function () { location.reload(); }, 5000);
}
