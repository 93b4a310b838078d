/* The preview only: reloads the page when sitegen serve has built the site
 * again. Never part of the published site. */
(function () {
  "use strict";
  var me = document.currentScript;
  var seen = me ? me.getAttribute("data-build") : null;
  function poll() {
    fetch("/__preview/state", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (seen !== null && String(s.build) !== seen) {
          window.location.reload();
          return;
        }
        seen = String(s.build);
        window.setTimeout(poll, 400);
      })
      .catch(function () { window.setTimeout(poll, 1000); });
  }
  poll();
})();
