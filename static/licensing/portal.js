/* The few behaviours the portal needs, without a framework and without inline script (CSP).
   - The error summary takes focus when a form comes back with errors, so a screen reader
     announces it and a keyboard user starts from it.
   - A link in the summary moves focus to its field (not just scrolls) and shows its label. */
(function () {
  "use strict";

  function focusSummary() {
    var summary = document.querySelector("[data-autofocus]");
    if (summary) {
      summary.focus();
    }
  }

  function focusFieldFromSummary(event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    if (!link) {
      return;
    }
    var input = document.getElementById(link.getAttribute("href").slice(1));
    if (!input) {
      return;
    }
    event.preventDefault();
    var label = document.querySelector("label[for='" + input.id + "']");
    (label || input).scrollIntoView();
    input.focus({ preventScroll: true });
  }

  document.addEventListener("DOMContentLoaded", focusSummary);
  document.addEventListener("click", focusFieldFromSummary);
})();
