/*
 * threecs default theme: progressive enhancement only. Every page works
 * fully without this file.
 */
(function () {
  "use strict";

  var body = document.body;
  if (!body || !body.classList || !document.querySelectorAll) {
    return;
  }

  // Lets CSS tell that scripts run: .js-enabled .thing { ... }
  body.classList.add("js-enabled");

  /*
   * Components. Markup opts in with data-module="NAME"; each function below
   * runs once for each such element, with the element as its argument.
   * Components for the forms go here:
   *   "error-summary"   move focus to the summary when a form comes back
   *                     with errors (the summary has tabindex="-1")
   *   "character-count" count down the characters left in a textarea
   *                     (data-maxlength) in its .character-count__message
   */
  var modules = {};

  var els = document.querySelectorAll("[data-module]");
  for (var i = 0; i < els.length; i++) {
    var init = modules[els[i].getAttribute("data-module")];
    if (typeof init === "function") {
      try {
        init(els[i]);
      } catch (e) {
        // One broken component must not stop the others.
      }
    }
  }
})();
