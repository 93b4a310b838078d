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
   *   "error-summary"   move focus to the summary when a form comes back
   *                     with errors (the summary has tabindex="-1"), and
   *                     make its links focus the field they name
   *   "character-count" count down the characters left in a textarea
   *                     (data-maxlength) in its .character-count__message
   */
  var modules = {};

  // Count characters the way the server does: code points, not UTF-16 units.
  function length(text) {
    var n = 0;
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c < 0xdc00 || c > 0xdfff) {
        n++;
      }
    }
    return n;
  }

  modules["character-count"] = function (el) {
    var max = parseInt(el.getAttribute("data-maxlength"), 10);
    var field = el.querySelector("textarea, input");
    var message = el.querySelector(".character-count__message");
    if (!field || !message || !(max > 0)) {
      return;
    }
    // The visible message updates at once; screen readers hear it through
    // a polite live region once typing pauses.
    var live = document.createElement("div");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    message.parentNode.insertBefore(live, message.nextSibling);
    var timer = null;
    // A field the server marked wrong stays marked.
    var marked = field.classList.contains("textarea--error");
    function update() {
      var left = max - length(field.value);
      var text = left >= 0
        ? "You have " + left + (left === 1 ? " character" : " characters") + " remaining"
        : "You have " + -left + (left === -1 ? " character" : " characters") + " too many";
      message.textContent = text;
      message.classList.toggle("character-count__message--error", left < 0);
      field.classList.toggle("textarea--error", marked || left < 0);
      clearTimeout(timer);
      timer = setTimeout(function () { live.textContent = text; }, 800);
    }
    field.addEventListener("input", update);
    update();
    live.textContent = "";
  };

  modules["error-summary"] = function (el) {
    // A form that came back with errors: start at the summary.
    el.focus();
    el.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a") : null;
      var id = link && link.getAttribute("href");
      if (!id || id.charAt(0) !== "#") {
        return;
      }
      var input = document.getElementById(id.slice(1));
      if (!input) {
        return;
      }
      event.preventDefault();
      // Show the question with its label or legend, then focus the field.
      var group = input.closest ? input.closest("fieldset, .form-group") : null;
      (group || input).scrollIntoView();
      input.focus({ preventScroll: true });
    });
  };

  // Questions an option reveals (data-reveal-for="OPTION-ID") show only
  // while it is chosen; without a script they are always shown.
  var boxes = document.querySelectorAll("[data-reveal-for]");
  function reveal() {
    for (var i = 0; i < boxes.length; i++) {
      var input = document.getElementById(boxes[i].getAttribute("data-reveal-for"));
      boxes[i].hidden = !!input && !input.checked;
    }
  }
  if (boxes.length) {
    document.addEventListener("change", reveal);
    window.addEventListener("pageshow", reveal);
    reveal();
  }

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
